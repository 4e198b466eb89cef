# hookrelay image: one image, three processes (api, worker, migrate) chosen by the command.
# Stage 1 compiles TypeScript and prebuilds the workflow bundle; stage 2 carries only what runs.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Not `npm ci`: this lockfile does not record other platforms' optional packages (see .ci/run).
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
# dist/src/{server,worker,migrate}.js and dist/workflow-bundle.js (workers load no TypeScript).
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The web console's static files (served by the api under /console).
COPY console ./console
USER node
# 3000: API, console and its /metrics; 9464: a worker's /metrics; 9465: a worker's Temporal SDK metrics.
EXPOSE 3000 9464 9465
CMD ["node", "dist/src/server.js"]

// The web console: static files from console/ under /console, and /console/config.json with the
// deployment facts the browser cannot know (the Temporal UI address and namespace). The console
// itself signs in with an API key and talks to /v1 like any other client.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { z } from 'zod';
import { VERSION } from '../../version';
import type { ApiPaths } from '../openapi';
import { consoleConfigResponse } from '../response-schemas';

export interface ConsoleOptions {
  /** Base URL of the Temporal Web UI; the console links each delivery to its workflow there. */
  temporalUiUrl?: string;
  namespace: string;
}

// Scripts, styles and API calls come from this origin only; nothing inline, no framing.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** console/ at the project root, from src/api/routes (tsx) or dist/src/api/routes (built). */
export function consoleDirectory(): string {
  const candidates = [path.resolve(__dirname, '../../../console'), path.resolve(__dirname, '../../../../console')];
  return candidates.find((candidate) => existsSync(path.join(candidate, 'index.html'))) ?? candidates[0]!;
}

export function consoleRouter(options: ConsoleOptions): Router {
  const router = Router();
  router.get('/console/config.json', (_req, res) => {
    res.set('cache-control', 'no-store').json({
      temporalUiUrl: options.temporalUiUrl?.replace(/\/+$/, '') ?? null,
      namespace: options.namespace,
      version: VERSION,
    } satisfies z.infer<typeof consoleConfigResponse>);
  });
  router.use(
    '/console',
    express.static(consoleDirectory(), {
      index: 'index.html',
      setHeaders: (res) => {
        res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'no-referrer');
      },
    }),
  );
  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerConsolePaths({ path, json }: ApiPaths): void {
  path({
    method: 'get',
    path: '/console/config.json',
    access: 'public',
    summary: 'What the web console (served under /console/) needs to know: the Temporal UI address and namespace',
    responses: { 200: json(consoleConfigResponse, 'Console settings') },
  });
}

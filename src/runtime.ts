// Wiring shared by the process entry points: the admin key, the database, the Temporal client
// and the API server. Encryption keys come from the configuration only (see assertEncryptionKeyConfigured).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { createApp, type AppOptions } from './api/app';
import { answerClientErrorsWithProblems } from './api/problems';
import type { ApiRateLimit } from './api/rate-limit';
import type { Config } from './config';
import type { Database } from './db/schema';
import { generateAdminKey } from './domain/api-keys';
import { SecretBox, type EncryptionKey } from './domain/secret-box';
import type { ServiceContext } from './services/context';

/** Reads a value kept under the data dir, creating it on first use (`npm start`'s development values only). */
export function persistedValue(dataDir: string, file: string, create: () => string): string {
  const fullPath = path.resolve(dataDir, file);
  if (existsSync(fullPath)) return readFileSync(fullPath, 'utf8').trim();
  mkdirSync(path.dirname(fullPath), { recursive: true });
  const value = create();
  writeFileSync(fullPath, value + '\n', { mode: 0o600 });
  return value;
}

export function resolveAdminKey(config: Config): string {
  if (config.HOOKRELAY_ADMIN_KEY) return config.HOOKRELAY_ADMIN_KEY;
  return persistedValue(config.HOOKRELAY_DATA_DIR, 'admin.key', generateAdminKey);
}

export function createServiceContext(
  config: Config,
  deps: {
    db: Kysely<Database>;
    temporal: Client;
    /** Newest first (config.encryptionKeys); a bare base64 key is the one key "default". */
    encryptionKey: string | EncryptionKey[];
    eagerWorkflowStart?: boolean;
  },
): ServiceContext {
  return {
    db: deps.db,
    temporal: deps.temporal,
    eagerWorkflowStart: deps.eagerWorkflowStart ?? false,
    secretBox: new SecretBox(deps.encryptionKey),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    urlPolicy: { allowHttp: config.HOOKRELAY_ALLOW_HTTP, allowPrivateNetworks: config.HOOKRELAY_ALLOW_PRIVATE_NETWORKS },
    fanOut: {
      startConcurrency: config.HOOKRELAY_WORKFLOW_START_CONCURRENCY,
      inlineStartMaxDeliveries: config.HOOKRELAY_INLINE_START_MAX_DELIVERIES,
    },
    maxEndpointsPerTenant: config.HOOKRELAY_MAX_ENDPOINTS_PER_TENANT,
    retentionDays: config.HOOKRELAY_RETENTION_DAYS,
    replayPacing: {
      defaultPerSecond: config.HOOKRELAY_REPLAY_DEFAULT_RATE_PER_SECOND,
      maxInFlightPerEndpoint: config.HOOKRELAY_REPLAY_MAX_IN_FLIGHT_PER_ENDPOINT,
    },
  };
}

/** The Temporal SDK's workflow-task slots when HOOKRELAY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS is unset. */
const SDK_DEFAULT_WORKFLOW_TASK_SLOTS = 40;

/** The delivery settings every worker takes from the configuration. */
export function deliveryTuning(config: Config) {
  const workflowTaskSlots = config.HOOKRELAY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ?? SDK_DEFAULT_WORKFLOW_TASK_SLOTS;
  return {
    fairShare: {
      maxConcurrentPosts: config.HOOKRELAY_WORKER_MAX_CONCURRENT_POSTS ?? Math.max(1, Math.floor(workflowTaskSlots * 0.8)),
      tenantShare: config.HOOKRELAY_TENANT_FAIR_SHARE,
      slowPostMs: config.HOOKRELAY_TENANT_SLOW_POST_MS,
    },
    defaultTimeoutMs: config.HOOKRELAY_DELIVERY_TIMEOUT_MS,
    disableFailingEndpointAfterMs: config.HOOKRELAY_DISABLE_FAILING_ENDPOINT_AFTER_HOURS * 3_600_000,
    circuitPolicy: config.HOOKRELAY_CIRCUIT_ENABLED
      ? {
          baseBackoffMs: config.HOOKRELAY_CIRCUIT_BACKOFF_BASE_MS,
          maxBackoffMs: Math.max(config.HOOKRELAY_CIRCUIT_BACKOFF_BASE_MS, config.HOOKRELAY_CIRCUIT_BACKOFF_MAX_MS),
        }
      : null,
    allowPrivateNetworks: config.HOOKRELAY_ALLOW_PRIVATE_NETWORKS,
    extraCaCertificates: config.extraCaCertificates,
    shutdownGraceMs: config.HOOKRELAY_SHUTDOWN_GRACE_MS,
    tuning: {
      ...(config.HOOKRELAY_WORKER_MAX_CONCURRENT_ACTIVITIES && {
        maxConcurrentActivityTaskExecutions: config.HOOKRELAY_WORKER_MAX_CONCURRENT_ACTIVITIES,
      }),
      ...(config.HOOKRELAY_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES && {
        maxConcurrentLocalActivityExecutions: config.HOOKRELAY_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
      }),
      ...(config.HOOKRELAY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS && {
        maxConcurrentWorkflowTaskExecutions: config.HOOKRELAY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      }),
      ...(config.HOOKRELAY_WORKER_MAX_WORKFLOW_TASK_POLLS && {
        maxConcurrentWorkflowTaskPolls: config.HOOKRELAY_WORKER_MAX_WORKFLOW_TASK_POLLS,
      }),
      ...(config.HOOKRELAY_WORKER_NON_STICKY_POLL_RATIO && { nonStickyToStickyPollRatio: config.HOOKRELAY_WORKER_NON_STICKY_POLL_RATIO }),
      maxCachedWorkflows: config.HOOKRELAY_WORKER_MAX_CACHED_WORKFLOWS,
    },
  };
}

/** The per-key API rate limit the configuration asks for. */
export function apiRateLimit(config: Config): ApiRateLimit {
  return { perSecond: config.HOOKRELAY_API_RATE_LIMIT_PER_SECOND, burst: config.HOOKRELAY_API_RATE_LIMIT_BURST };
}

export interface RunningApi {
  server: Server;
  url: string;
  /**
   * Stops accepting connections and lets in-flight requests finish; keep-alive connections are
   * closed as soon as they are idle, and whatever is still open after `graceMs` is cut.
   */
  close(graceMs?: number): Promise<void>;
}

export async function startApiServer(ctx: ServiceContext, options: { port: number; host: string } & AppOptions): Promise<RunningApi> {
  const app = createApp(ctx, options);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  answerClientErrorsWithProblems(server);
  let closing = false;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    // A request that arrives on a kept-alive connection while draining is served, then the connection ends.
    if (closing) res.setHeader('connection', 'close');
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const displayHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    server,
    url: `http://${displayHost}:${port}`,
    close: (graceMs = 20_000) =>
      new Promise<void>((resolve) => {
        closing = true;
        // Node closes idle keep-alive connections once, at close(); connections whose response
        // finishes later become idle afterwards, so sweep until the server has fully closed.
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        const cut = setTimeout(() => {
          options.logger.warn({ graceMs }, 'requests still running after the grace time: closing their connections');
          server.closeAllConnections();
        }, graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

// The one place that reads process.env: a zod schema parsed once per process.
// Every module receives the parsed Config (or a slice of it) as options.
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalString = z
  .string()
  .transform((value) => (value.trim() === '' ? undefined : value))
  .optional();

const urlString = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

/** See HOOKRELAY_WORKER_MAX_CACHED_WORKFLOWS; chosen with `npm run bench` part (d). */
const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: urlString(['http:', 'https:']).optional(),
  DATABASE_URL: urlString(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('hookrelay'),
  TEMPORAL_UI_URL: urlString(['http:', 'https:']).optional(),
  /** mTLS to a Temporal cluster or Temporal Cloud: client certificate and key (PEM files). */
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  /** A private CA for the Temporal frontend's certificate (PEM); the system roots otherwise. */
  TEMPORAL_TLS_CA_PATH: optionalString,
  /** Overrides the server name checked against the frontend's certificate. */
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  /** Temporal Cloud API key (implies TLS). */
  TEMPORAL_API_KEY: optionalString,
  /** Where the worker's Temporal SDK serves its own Prometheus metrics (host:port); off when unset. */
  TEMPORAL_METRICS_BIND_ADDRESS: z
    .string()
    .regex(/^[^\s]+:\d+$/, 'must be host:port, e.g. 0.0.0.0:9465')
    .optional(),
  /** Port of the worker's hookrelay metrics (GET /metrics); off when unset. The API serves its own on PORT. */
  HOOKRELAY_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_TEST_SERVER_PATH: optionalString,
  HOOKRELAY_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  HOOKRELAY_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  HOOKRELAY_ALLOW_HTTP: booleanFromEnv.optional(),
  HOOKRELAY_ALLOW_PRIVATE_NETWORKS: booleanFromEnv.optional(),
  HOOKRELAY_DATA_DIR: z.string().min(1).default('.data'),
  HOOKRELAY_TOOLS_DIR: z.string().min(1).default('.tools'),
  HOOKRELAY_DEV_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  HOOKRELAY_DEV_TEMPORAL_PORT: z.coerce.number().int().min(1).max(64535).default(7233),
  HOOKRELAY_DEV_TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  HOOKRELAY_WORKFLOW_BUNDLE: optionalString,
  PATH: z.string().default(''),
  HOOKRELAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** An endpoint whose deliveries have all failed for this long is disabled (SPEC §5: 5 days). */
  HOOKRELAY_DISABLE_FAILING_ENDPOINT_AFTER_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 365)
    .default(120),
  /** Attempts, finished deliveries and their event payloads older than this are purged. */
  HOOKRELAY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Worker tuning (Temporal SDK defaults when unset). */
  HOOKRELAY_WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).optional(),
  /** Attempts run as local activities: this bounds concurrent attempts per worker. */
  HOOKRELAY_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).optional(),
  HOOKRELAY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).optional(),
  HOOKRELAY_WORKER_MAX_WORKFLOW_TASK_POLLS: z.coerce.number().int().min(2).max(1_000).optional(),
  /**
   * Share of workflow-task pollers on the normal (non-sticky) queue. A delivery's first workflow
   * task always comes from the normal queue, and a first-try delivery has no other.
   */
  HOOKRELAY_WORKER_NON_STICKY_POLL_RATIO: z.coerce.number().min(0.01).max(1).optional(),
  /**
   * Sticky workflow cache. Bounded by default: a delivery parked on a retry timer needs no cache
   * (it is replayed from its short history when it wakes), and each cached one costs the worker
   * memory (issue 6: about 0.3 MiB each). 0 turns the cache off.
   */
  HOOKRELAY_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_MAX_CACHED_WORKFLOWS),
  HOOKRELAY_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  HOOKRELAY_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  /** Requests per second each API key may make (admin and tenant keys alike); 0 turns the limit off. */
  HOOKRELAY_API_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).max(1_000_000).default(100),
  /** Extra requests per 10 s a key may make above the steady rate. */
  HOOKRELAY_API_RATE_LIMIT_BURST: z.coerce.number().int().min(0).max(1_000_000).default(200),
  /** Delivery workflows one publish starts at a time (issue 11: a 20,000-endpoint fan-out never opens 20,000 requests). */
  HOOKRELAY_WORKFLOW_START_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(32),
  /**
   * A publish with at most this many deliveries starts them before it answers; a larger one
   * answers once its deliveries are recorded and starts them in the background (the worker's
   * sweeper finishes the job if the process stops first).
   */
  HOOKRELAY_INLINE_START_MAX_DELIVERIES: z.coerce.number().int().min(0).max(1_000_000).default(100),
  /** Endpoints a tenant may have (deleted ones not counted); creating one more is a 409. */
  HOOKRELAY_MAX_ENDPOINTS_PER_TENANT: z.coerce.number().int().min(1).max(10_000_000).default(25_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type RawConfig = z.infer<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'HOOKRELAY_ALLOW_HTTP' | 'HOOKRELAY_ALLOW_PRIVATE_NETWORKS'> {
  /** Resolved: explicit value, else true only in development. */
  HOOKRELAY_ALLOW_HTTP: boolean;
  HOOKRELAY_ALLOW_PRIVATE_NETWORKS: boolean;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Pure: parses an environment-like record. Tests call this with literal objects. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const value = env[name];
        const shown = value === undefined ? 'missing' : `got ${JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value)}`;
        return `${name}: ${issue.message} (${shown})`;
      }),
    );
  }
  const raw = result.data;
  if (Boolean(raw.TEMPORAL_TLS_CERT_PATH) !== Boolean(raw.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError(['TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH: set both (mTLS client certificate and its key) or neither']);
  }
  const developmentDefault = raw.NODE_ENV !== 'production';
  return {
    ...raw,
    HOOKRELAY_ALLOW_HTTP: raw.HOOKRELAY_ALLOW_HTTP ?? developmentDefault,
    HOOKRELAY_ALLOW_PRIVATE_NETWORKS: raw.HOOKRELAY_ALLOW_PRIVATE_NETWORKS ?? developmentDefault,
  };
}

/** Reads process.env once; on a bad value prints what is wrong and exits. */
export function loadConfigOrExit(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

// The one place that reads process.env: a zod schema parsed once per process.
// Every module receives the parsed Config (or a slice of it) as options.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { DEFAULT_KEY_ID, KEY_ID_PATTERN, type EncryptionKey } from './domain/secret-box';
import { readPemCertificates } from './extra-ca-certificates';

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

const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

const encryptionKeyList = z.string().transform((value, ctx): EncryptionKey[] => {
  const keys: EncryptionKey[] = [];
  const entries = value.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const key = colon < 0 ? entry : entry.slice(colon + 1);
    // Messages name the entry by position and id only: never a piece of the key.
    if (!KEY_ID_PATTERN.test(id)) {
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1} must be "id:base64key" with an id of 1-32 letters, digits, "-" or "_"` });
    } else if (!BASE64_KEY.test(key)) {
      ctx.addIssue({ code: 'custom', message: `key "${id}" must be 32 bytes, base64-encoded (openssl rand -base64 32)` });
    } else if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id "${id}" appears twice` });
    } else keys.push({ id, key });
  });
  return keys;
});

/** Comma-separated admin keys (HOOKRELAY_ADMIN_KEYS); the message names no key. */
const adminKeyList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== ''),
  )
  .refine((keys) => keys.every((key) => key.length >= 16), 'must be comma-separated keys of at least 16 characters each');

/** Express's `trust proxy`: a number of hops, or addresses / CIDR ranges / loopback, linklocal, uniquelocal. */
const trustProxy = z
  .string()
  .refine(
    (value) =>
      /^\d{1,2}$/.test(value.trim()) ||
      value
        .split(',')
        .map((entry) => entry.trim())
        .every((entry) => ['loopback', 'linklocal', 'uniquelocal'].includes(entry) || ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry)),
    'must be a number of proxy hops, or comma-separated addresses, CIDR ranges, loopback, linklocal or uniquelocal',
  )
  .transform((value) => (/^\d{1,2}$/.test(value.trim()) ? Number(value.trim()) : value))
  .optional();

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
  /** More admin keys, accepted alongside HOOKRELAY_ADMIN_KEY: rotate the admin key without downtime. */
  HOOKRELAY_ADMIN_KEYS: adminKeyList.default([]),
  /** Failed authentications one client address may make per minute before 429; 0 turns it off. */
  HOOKRELAY_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** Which proxies in front of the API to believe about the client address (X-Forwarded-For); none when unset. */
  HOOKRELAY_TRUST_PROXY: trustProxy,
  /** One key (its id is "default"); for rotation use HOOKRELAY_ENCRYPTION_KEYS instead. */
  HOOKRELAY_ENCRYPTION_KEY: z.string().regex(BASE64_KEY, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)').optional(),
  /** Several keys, newest first: "id:base64,id:base64". The first seals; all of them open. */
  HOOKRELAY_ENCRYPTION_KEYS: encryptionKeyList.optional(),
  /** Safe unless turned off explicitly: https only, private networks refused (`npm start` sets both for development). */
  HOOKRELAY_ALLOW_HTTP: booleanFromEnv.default(false),
  HOOKRELAY_ALLOW_PRIVATE_NETWORKS: booleanFromEnv.default(false),
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
  /** The endpoint-wide circuit: first back-off without a Retry-After, doubled per failed probe up to the max. */
  /** The endpoint-wide circuit (back-off, half-open probes); false: each delivery follows only its own retry schedule. */
  HOOKRELAY_CIRCUIT_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  HOOKRELAY_CIRCUIT_BACKOFF_BASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  HOOKRELAY_CIRCUIT_BACKOFF_MAX_MS: z.coerce.number().int().min(100).max(86_400_000).default(600_000),
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
  /**
   * Tenant fairness: POSTs in flight on one worker, all tenants together. Each holds a
   * workflow-task slot while it waits for the receiver, so the default keeps a fifth of those
   * slots (SDK default 40) for everything else: 80% of HOOKRELAY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS.
   */
  HOOKRELAY_WORKER_MAX_CONCURRENT_POSTS: z.coerce.number().int().min(1).max(10_000).optional(),
  /**
   * Tenant fairness: the share of the POST slots the other tenants leave free that one tenant may
   * hold (at least one); a delivery over it waits on a timer (`waiting`, tenant_fair_share). 1: no share.
   */
  HOOKRELAY_TENANT_FAIR_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  /** Tenant fairness: a tenant whose POSTs take this long (typical, or its oldest in flight) is held to its share. */
  HOOKRELAY_TENANT_SLOW_POST_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
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
  /** OpenTelemetry tracing: OTLP over HTTP to this base URL (…/v1/traces); off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: urlString(['http:', 'https:']).optional(),
  /** The service.name of this process's spans (default hookrelay-api, hookrelay-worker, or hookrelay for npm start). */
  OTEL_SERVICE_NAME: optionalString,
  /** With tracing on, every POST to a receiver carries the W3C traceparent of its attempt span. */
  HOOKRELAY_TRACEPARENT_TO_RECEIVERS: booleanFromEnv.default(false),
  /** Replays: deliveries started per second to an endpoint without a rateLimitPerSecond (one with a limit gets its limit). */
  HOOKRELAY_REPLAY_DEFAULT_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Replays: a replay's unfinished deliveries to one endpoint before it starts more (a slow receiver slows the replay). */
  HOOKRELAY_REPLAY_MAX_IN_FLIGHT_PER_ENDPOINT: z.coerce.number().int().min(1).max(100_000).default(100),
  /** A PEM file of CA certificates trusted for https:// receivers besides Node's roots (read at start: extra-ca-certificates.ts). */
  HOOKRELAY_EXTRA_CA_CERTS_FILE: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  /** HOOKRELAY_ENCRYPTION_KEYS, or HOOKRELAY_ENCRYPTION_KEY as the one key "default"; empty when neither is set. */
  encryptionKeys: EncryptionKey[];
  /** The certificates of HOOKRELAY_EXTRA_CA_CERTS_FILE, once loadConfigOrExit has read it. */
  extraCaCertificates?: string;
}

/** What `npm start` runs its processes with unless the environment says otherwise (never a deployed process). */
export const DEVELOPMENT_DEFAULTS: Readonly<Record<string, string>> = {
  HOOKRELAY_ALLOW_HTTP: 'true',
  HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
};

/** Variables whose values are never shown, in full or in part, in a configuration error. */
export function isSecretVariable(name: string): boolean {
  return /(^|_)(KEY|KEYS|PASSWORD|PASSWD|PWD|TOKEN|SECRET|CREDENTIALS?)$/.test(name) || /PASSWORD|TOKEN|SECRET/.test(name);
}

/** How a configuration error shows the value it got: secrets hidden, a URL's password masked. */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'missing';
  if (isSecretVariable(name)) return `value hidden, ${value.length} characters`;
  let shown = value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('@')) {
    try {
      const url = new URL(value);
      if (url.password) url.password = '***';
      shown = url.toString();
    } catch {
      // Not a URL, but shaped like one that may carry credentials: show nothing of it.
      return `value hidden (it may hold credentials), ${value.length} characters`;
    }
  }
  return `got ${JSON.stringify(shown.length > 60 ? shown.slice(0, 60) + '…' : shown)}`;
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
        return `${name}: ${issue.message} (${shownValue(name, env[name])})`;
      }),
    );
  }
  const raw = result.data;
  if (Boolean(raw.TEMPORAL_TLS_CERT_PATH) !== Boolean(raw.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError(['TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH: set both (mTLS client certificate and its key) or neither']);
  }
  if (raw.HOOKRELAY_ENCRYPTION_KEY && raw.HOOKRELAY_ENCRYPTION_KEYS) {
    throw new ConfigError([
      'HOOKRELAY_ENCRYPTION_KEY and HOOKRELAY_ENCRYPTION_KEYS: set one of them (to rotate, list the old key in HOOKRELAY_ENCRYPTION_KEYS as "default:<old key>" after the new one)',
    ]);
  }
  const encryptionKeys =
    raw.HOOKRELAY_ENCRYPTION_KEYS ?? (raw.HOOKRELAY_ENCRYPTION_KEY ? [{ id: DEFAULT_KEY_ID, key: raw.HOOKRELAY_ENCRYPTION_KEY }] : []);
  return { ...raw, encryptionKeys };
}

export interface LoadConfigOptions {
  /** Values used where the environment sets none (`npm start`: DEVELOPMENT_DEFAULTS). */
  defaults?: Readonly<Record<string, string>>;
  /** The API, the worker and reseal cannot run without a key to seal and open secrets. */
  requireEncryptionKey?: boolean;
}

/** Exits 78 unless an encryption key is configured; a process never invents one. */
export function assertEncryptionKeyConfigured(config: Config): void {
  if (config.encryptionKeys.length === 0) {
    throw new ConfigError([
      'HOOKRELAY_ENCRYPTION_KEY: required; it seals signing secrets and endpoint credentials at rest. ' +
        'Generate one with `openssl rand -base64 32` and give every API and worker process the same value ' +
        '(or HOOKRELAY_ENCRYPTION_KEYS="id:key,…" to rotate) (missing)',
    ]);
  }
}

/** Loads HOOKRELAY_EXTRA_CA_CERTS_FILE's certificates into the configuration; throws ConfigError naming it. */
export function withExtraCaCertificates(config: Config): Config {
  const path = config.HOOKRELAY_EXTRA_CA_CERTS_FILE;
  if (!path) return config;
  const read = readPemCertificates(path);
  if ('problem' in read) throw new ConfigError([`HOOKRELAY_EXTRA_CA_CERTS_FILE: ${read.problem}`]);
  return { ...config, extraCaCertificates: read.certificates };
}

/** Reads process.env once; on a bad value prints what is wrong and exits 78 (EX_CONFIG). */
export function loadConfigOrExit(options: LoadConfigOptions = {}): Config {
  try {
    const env = { ...options.defaults };
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
    const config = parseConfig(env);
    if (options.requireEncryptionKey) assertEncryptionKeyConfigured(config);
    return withExtraCaCertificates(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

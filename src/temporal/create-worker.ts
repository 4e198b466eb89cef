// Builds the hookrelay worker: workflows from src/workflows, activities from the factory.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { createActivities } from '../activities';
import type { ResolveHost } from '../activities/ssrf-guard';
import { WebhookHttpClient } from '../activities/webhook-http';
import type { Database } from '../db/schema';
import type { SecretBox } from '../domain/secret-box';
import { USER_AGENT } from '../version';

export interface HookrelayWorkerOptions {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  db: Kysely<Database>;
  secretBox: SecretBox;
  defaultTimeoutMs: number;
  /** HOOKRELAY_ALLOW_PRIVATE_NETWORKS: when false, deliveries never connect to internal addresses. */
  allowPrivateNetworks: boolean;
  /** Replaces the system DNS resolver for deliveries (tests simulate rebinding with it). */
  resolveHost?: ResolveHost;
  /** How long shutdown waits for running activities before cancelling them (default 20 s). */
  shutdownGraceMs?: number;
  /** Prebuilt workflow bundle (production images); otherwise bundled at start-up. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

export interface HookrelayWorker {
  worker: Worker;
  /** Runs until shutdown() is called (or a fatal error); then releases the connection and HTTP pool. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createHookrelayWorker(options: HookrelayWorkerOptions): Promise<HookrelayWorker> {
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const http = new WebhookHttpClient({ allowPrivateNetworks: options.allowPrivateNetworks, resolveHost: options.resolveHost });
  const shutdownGraceMs = options.shutdownGraceMs ?? 20_000;
  const activities = createActivities({
    db: options.db,
    secretBox: options.secretBox,
    http,
    userAgent: USER_AGENT,
    defaultTimeoutMs: options.defaultTimeoutMs,
  });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') }),
    // After the grace time running activities are cancelled (a cancelled attempt is retried by its
    // workflow on another worker); after the force time the worker stops waiting for them.
    shutdownGraceTime: shutdownGraceMs,
    shutdownForceTime: shutdownGraceMs + 5_000,
    ...options.tuning,
  });
  return {
    worker,
    async run() {
      try {
        await worker.run();
      } finally {
        await http.close();
        await connection.close();
      }
    },
    shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

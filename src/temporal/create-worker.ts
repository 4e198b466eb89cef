// Builds the hookrelay worker: workflows from src/workflows (or a prebuilt bundle), activities
// from the factory with the process's database, Temporal client and HTTP client.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ResolveHost } from '../activities/ssrf-guard';
import { TenantPostSlots } from '../activities/tenant-fair-share-rule';
import { WebhookHttpClient } from '../activities/webhook-http';
import type { FairShareLimits } from '../domain/tenant-fair-share';
import type { CircuitPolicy } from '../domain/endpoint-circuit';
import type { DeliveryMetrics } from '../metrics/metrics';
import { activityUseCases } from '../services/activity-use-cases';
import type { ServiceContext } from '../services/context';
import { USER_AGENT } from '../version';
import type { Logger } from 'pino';
import { activityLoggingInterceptor } from './activity-logging';
import { tracingActivityInterceptor, tracingSinks, workflowSource, type WorkerTracing } from './worker-tracing';
import type { TemporalConnectionOptions } from './connection-options';
import {
  defaultStrandedDeliverySweep,
  startStrandedDeliverySweeper,
  type StrandedDeliverySweepOptions,
} from '../services/stranded-delivery-sweeper';

export interface HookrelayWorkerOptions {
  /** Where to connect; or pass `connection` (e.g. a test environment's). */
  temporalAddress?: string;
  /** TLS / API key for the connection made from temporalAddress (see temporalConnectionOptions). */
  connectionOptions?: Omit<TemporalConnectionOptions, 'address'>;
  connection?: NativeConnection;
  namespace: string;
  /** Database, secret box, Temporal client and task queue shared with the activities. */
  services: ServiceContext;
  defaultTimeoutMs: number;
  disableFailingEndpointAfterMs: number;
  /** The endpoint-wide circuit's back-off (HOOKRELAY_CIRCUIT_BACKOFF_*_MS); null turns the circuit off. */
  circuitPolicy?: CircuitPolicy | null;
  /** HOOKRELAY_ALLOW_PRIVATE_NETWORKS: when false, deliveries never connect to internal addresses. */
  allowPrivateNetworks: boolean;
  /** PEM certificates trusted for https:// receivers besides Node's roots (HOOKRELAY_EXTRA_CA_CERTS_FILE). */
  extraCaCertificates?: string;
  /** Replaces the system DNS resolver for deliveries (tests simulate rebinding with it). */
  resolveHost?: ResolveHost;
  /** How long shutdown waits for running activities before cancelling them (default 20 s). */
  shutdownGraceMs?: number;
  /** Prebuilt workflow bundle (production images); otherwise bundled at start-up. */
  workflowBundlePath?: string;
  /** Attempts and finished deliveries are counted here (the process's Prometheus registry). */
  metrics?: DeliveryMetrics;
  /** One line per activity execution with its workflow and delivery ids. */
  logger?: Logger;
  /**
   * Tenant fairness: POSTs in flight on this worker, in all and per tenant; a delivery over its
   * slow tenant's share waits on a timer (default 32 in all, a slow tenant half of what the others leave).
   */
  fairShare?: FairShareLimits;
  /** OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT); off when absent, and nothing is installed. */
  tracing?: WorkerTracing;
  /** With tracing on, receivers get each POST's W3C traceparent (HOOKRELAY_TRACEPARENT_TO_RECEIVERS). */
  sendTraceparent?: boolean;
  /** Starting the deliveries of events recorded but never started (default every 30 s). */
  strandedDeliverySweep?: StrandedDeliverySweepOptions;
  tuning?: Pick<
    WorkerOptions,
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentWorkflowTaskPolls'
    | 'nonStickyToStickyPollRatio'
    | 'maxCachedWorkflows'
  >;
}

export interface HookrelayWorker {
  worker: Worker;
  /** Runs until shutdown() is called (or a fatal error); then releases the connection and HTTP pool. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createHookrelayWorker(options: HookrelayWorkerOptions): Promise<HookrelayWorker> {
  const ownConnection = options.connection
    ? undefined
    : await NativeConnection.connect({ ...options.connectionOptions, address: options.temporalAddress });
  const connection = options.connection ?? ownConnection!;
  const http = new WebhookHttpClient({
    allowPrivateNetworks: options.allowPrivateNetworks,
    resolveHost: options.resolveHost,
    extraCaCertificates: options.extraCaCertificates,
  });
  const shutdownGraceMs = options.shutdownGraceMs ?? 20_000;
  const postSlots = new TenantPostSlots(options.fairShare ?? { maxConcurrentPosts: 32, tenantShare: 0.5, slowPostMs: 1_000 });
  options.metrics?.watchPostsInFlight(() => postSlots.inFlight());
  const activities = createActivities({
    db: options.services.db,
    secretBox: options.services.secretBox,
    useCases: activityUseCases({ ...options.services, metrics: options.services.metrics ?? options.metrics }),
    http,
    postSlots,
    userAgent: USER_AGENT,
    defaultTimeoutMs: options.defaultTimeoutMs,
    disableFailingEndpointAfterMs: options.disableFailingEndpointAfterMs,
    circuitPolicy: options.circuitPolicy,
    metrics: options.metrics,
    logger: options.logger?.child({ component: 'delivery' }),
    sendTraceparent: options.tracing !== undefined && options.sendTraceparent === true,
  });
  const { workflowModules, ...source } = workflowSource(options.workflowBundlePath, options.tracing);
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.services.taskQueue,
    activities,
    interceptors: {
      activity: [
        ...(options.logger ? [activityLoggingInterceptor(options.logger)] : []),
        ...(options.tracing ? [tracingActivityInterceptor] : []),
      ],
      ...(workflowModules.length > 0 && { workflowModules }),
    },
    ...source,
    ...tracingSinks(options.tracing),
    // After the grace time running activities are cancelled (a cancelled attempt is retried by its
    // workflow on another worker); after the force time the worker stops waiting for them.
    shutdownGraceTime: shutdownGraceMs,
    shutdownForceTime: shutdownGraceMs + 5_000,
    ...options.tuning,
  });
  return {
    worker,
    async run() {
      const sweeper = startStrandedDeliverySweeper(
        options.services,
        options.strandedDeliverySweep ?? defaultStrandedDeliverySweep,
        options.logger,
      );
      try {
        await worker.run();
      } finally {
        await sweeper.stop();
        await http.close();
        await ownConnection?.close();
      }
    },
    shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

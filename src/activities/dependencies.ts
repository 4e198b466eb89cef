// What the activities are built with: the process's database, secret box, HTTP client, gate,
// metrics and the use cases they hand work to (bound by services/activity-use-cases.ts).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema';
import type { CircuitPolicy } from '../domain/endpoint-circuit';
import type { SecretBox } from '../domain/secret-box';
import type { DeliveryMetrics } from '../metrics/metrics';
import type { PublishEventInput, PublishEventResult, ReplayStep } from '../workflows/contracts';
import type { EndpointGate } from './endpoint-gate';
import type { TenantPostSlots } from './tenant-fair-share-rule';
import type { WebhookHttpClient } from './webhook-http';

/**
 * The use cases activities hand work to, bound to the process's context by the worker
 * (services/activity-use-cases.ts), so that activities depend on these signatures only.
 */
export interface ActivityUseCases {
  /** Records the event and starts its delivery workflows (services/publishing.service). */
  recordEventAndStartDeliveries(
    input: PublishEventInput,
    options: { onBackgroundStartFailed: (error: unknown) => void },
  ): Promise<PublishEventResult>;
  /** Records a batch of events in one transaction and starts all their deliveries (services/batch-publishing.service). */
  recordEventsAndStartDeliveries(
    inputs: PublishEventInput[],
    options: { onBackgroundStartFailed: (error: unknown) => void },
  ): Promise<PublishEventResult[]>;
  /** Disables the endpoint and stops its waiting deliveries but `exceptDeliveryId` (services/endpoint-control.service). */
  disableEndpoint(tenantId: string, endpointId: string, reason: string, options: { exceptDeliveryId: string }): Promise<unknown>;
  /** One paced step of a replay job (services/replay-steps.service). */
  runReplayStep(replayId: string): Promise<ReplayStep>;
}

export interface ActivityDependencies {
  db: Kysely<Database>;
  secretBox: SecretBox;
  useCases: ActivityUseCases;
  http: WebhookHttpClient;
  userAgent: string;
  defaultTimeoutMs: number;
  /** An endpoint failing without a single success for this long is disabled. */
  disableFailingEndpointAfterMs: number;
  /** Back-off of the endpoint-wide circuit (default DEFAULT_CIRCUIT_POLICY: 5 s doubling to 10 min); null: no circuit. */
  circuitPolicy?: CircuitPolicy | null | undefined;
  /** The receiver-protection rules every attempt passes (default: the deployment's, activities/endpoint-gate). */
  gate?: EndpointGate;
  /** The worker's POSTs in flight per tenant, for the default gate's tenant fair share (none when absent). */
  postSlots?: TenantPostSlots;
  /** Counts attempts and finished deliveries (Prometheus); optional so tests may leave it out. */
  metrics?: DeliveryMetrics;
  /** Where an attempt that could not be recorded, or a delivery that cannot be sent, is reported. */
  logger?: Logger;
  /** HOOKRELAY_TRACEPARENT_TO_RECEIVERS: each POST carries the W3C `traceparent` of its span (tracing on). */
  sendTraceparent?: boolean;
}

// What use cases need from the outside world, built once per process and passed in.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { UrlPolicy } from '../domain/endpoint-url';
import type { ReplayPacing } from '../domain/replay';
import type { SecretBox } from '../domain/secret-box';

export interface ServiceContext {
  db: Kysely<Database>;
  secretBox: SecretBox;
  temporal: Client;
  taskQueue: string;
  urlPolicy: UrlPolicy;
  /**
   * The Temporal client shares its NativeConnection with a worker of this process (`npm start`):
   * delivery workflows are then started eagerly, their first task handed to that worker in the
   * start response instead of through the server's task queue.
   */
  eagerWorkflowStart?: boolean;
  /** How a publish starts its delivery workflows; defaults when absent (see defaultFanOut). */
  fanOut?: FanOutOptions;
  /** Endpoints a tenant may have (HOOKRELAY_MAX_ENDPOINTS_PER_TENANT); unlimited when absent. */
  maxEndpointsPerTenant?: number;
  /** The deployment's retention (HOOKRELAY_RETENTION_DAYS): a tenant may ask for less, never more. */
  retentionDays?: number;
  /** How fast replays send (HOOKRELAY_REPLAY_*); DEFAULT_REPLAY_PACING when absent. */
  replayPacing?: ReplayPacing;
  /** Where publishing reports what it counts; nothing is counted when absent. */
  metrics?: PublishingMetrics;
}

/** What publishing counts (metrics/metrics.ts implements it). */
export interface PublishingMetrics {
  /** Subscribed endpoints whose payload filter refused a published event (no delivery created). */
  eventsFilteredOut?(count: number): void;
}

export interface FanOutOptions {
  /** Workflow starts in flight at once, per publish (HOOKRELAY_WORKFLOW_START_CONCURRENCY). */
  startConcurrency: number;
  /** More deliveries than this are started in the background, after the publish answers. */
  inlineStartMaxDeliveries: number;
}

export const defaultFanOut: FanOutOptions = { startConcurrency: 32, inlineStartMaxDeliveries: 100 };

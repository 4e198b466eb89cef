// The typed Temporal client hookrelay and its publishers use. `publishEvent` is the
// HTTP-free way for a service to publish: its workflow id derives from the idempotency key
// or the event id, so a repeated start is harmless.
import { createHash } from 'node:crypto';
import {
  ApplicationFailure,
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@temporalio/client';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { InvalidInputError } from '../domain/errors';
import { withPublishSpan } from '../domain/publish-span';
import { newId } from '../domain/ids';
import { MAX_BATCH_EVENTS, MAX_BATCH_JSON_BYTES } from '../domain/publish-batch';
import { assertPublisherMayPublish } from '../domain/operational-event-types';
import { unstorableJsonIssues } from '../domain/storable-json';
import { INVALID_EVENT_FAILURE, type PlannedDelivery, type PublishEventInput, type PublishEventResult } from '../workflows/contracts';
import { deliveryStartOptions } from '../workflows/delivery-start';
import type { deliveryWorkflowV2 } from '../workflows/delivery.workflow';
import type { TemporalConnectionOptions } from './connection-options';
import type { publishEventWorkflow } from '../workflows/publish.workflow';
import type { publishEventsWorkflow } from '../workflows/publish-batch.workflow';
import type { replayWorkflow } from '../workflows/replay.workflow';

/** `tls` and `apiKey` for a Temporal cluster with mTLS or Temporal Cloud (see temporalConnectionOptions). */
export interface TemporalClientOptions extends TemporalConnectionOptions {
  namespace: string;
  /** Carry the active OpenTelemetry trace into the workflows this client starts (tracingClientInterceptors). */
  tracing?: boolean;
}

export async function connectTemporalClient({ namespace, tracing, ...connectionOptions }: TemporalClientOptions): Promise<Client> {
  const connection = await Connection.connect(connectionOptions);
  return new Client({ connection, namespace, ...(tracing && { interceptors: tracingClientInterceptors() }) });
}

/**
 * The client interceptor that carries the active trace into the workflows a client starts (and
 * its signals and queries): pass it to a Temporal Client of your own, or `tracing: true` to
 * connectTemporalClient, with an OpenTelemetry tracer provider registered in the process.
 */
export function tracingClientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

export type PublishRequest = Omit<PublishEventInput, 'eventId' | 'targetEndpointId'> & { eventId?: string };

export function publishWorkflowId(request: { tenantId: string; idempotencyKey?: string; eventId: string }): string {
  return request.idempotencyKey ? `publish-${request.tenantId}-key-${request.idempotencyKey}` : `publish-${request.eventId}`;
}

function publishStartOptions(input: PublishEventInput, taskQueue: string) {
  return {
    taskQueue,
    workflowId: publishWorkflowId(input),
    args: [input] as [PublishEventInput],
    // A publish already running under this id is the same publish: join it instead of failing.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `publish ${input.type} for ${input.tenantId}`.slice(0, 190),
  };
}

/** Publishes an event and waits until it is recorded and its deliveries are started. */
export async function publishEvent(client: Client, request: PublishRequest, options: { taskQueue: string }): Promise<PublishEventResult> {
  // Refused here: the workflow's recording activity would otherwise retry an unstorable event forever.
  assertPublisherMayPublish(request.type, 'type');
  const unstorable = unstorableJsonIssues(request, '');
  if (unstorable.length > 0) throw new InvalidInputError('The event cannot be stored', unstorable);
  const subject = { tenantId: request.tenantId, eventType: request.type, eventCount: 1, via: 'client' as const };
  return withPublishSpan(subject, undefined, async (span) => {
    const result = await executePublishWorkflow(client, { ...request, eventId: request.eventId ?? newId('evt') }, options);
    span.setAttributes({ 'hookrelay.event.id': result.eventId, 'hookrelay.delivery_count': result.deliveryCount });
    return result;
  });
}

/**
 * Publishes up to MAX_BATCH_EVENTS events (of any tenants) through one publish workflow and waits
 * until all are recorded, in one transaction, and their deliveries started. One result per event,
 * in order. A refused event (catalog, unstorable data) refuses the batch: InvalidInputError with
 * the field errors under `events.<index>`. The workflow id derives from the events' idempotency
 * keys or ids, so repeating the same batch (with the same ids or keys) joins or repeats it harmlessly.
 */
export async function publishEvents(
  client: Client,
  requests: PublishRequest[],
  options: { taskQueue: string },
): Promise<PublishEventResult[]> {
  if (requests.length < 1 || requests.length > MAX_BATCH_EVENTS) {
    throw new InvalidInputError('Invalid batch', [{ path: 'events', message: `must hold 1 to ${MAX_BATCH_EVENTS} events` }]);
  }
  const unstorable = requests.flatMap((request, index) => {
    assertPublisherMayPublish(request.type, `events.${index}.type`);
    return unstorableJsonIssues(request, `events.${index}`);
  });
  if (unstorable.length > 0) throw new InvalidInputError('The batch cannot be stored', unstorable);
  const events = requests.map((request) => ({ ...request, eventId: request.eventId ?? newId('evt') }));
  if (Buffer.byteLength(JSON.stringify(events)) > MAX_BATCH_JSON_BYTES) {
    throw new InvalidInputError('Batch too large', [{ path: 'events', message: `must be at most ${MAX_BATCH_JSON_BYTES} bytes as JSON` }]);
  }
  try {
    return await withPublishSpan({ eventCount: events.length, via: 'client' }, undefined, () =>
      client.workflow.execute<typeof publishEventsWorkflow>('publishEventsWorkflow', {
        taskQueue: options.taskQueue,
        workflowId: publishBatchWorkflowId(events),
        args: [{ events }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        staticSummary: `publish ${events.length} events`,
      }),
    );
  } catch (error) {
    throw refusedPublish(error) ?? error;
  }
}

/** A digest of the single-publish ids of the batch's events, in order: the same batch, the same workflow. */
export function publishBatchWorkflowId(events: Array<{ tenantId: string; idempotencyKey?: string; eventId: string }>): string {
  const digest = createHash('sha256').update(events.map(publishWorkflowId).join('\n')).digest('hex');
  return `publish-batch-${digest.slice(0, 40)}`;
}

/** Runs the publish workflow and waits for its result; takes the internal fields too (publishEvent fills them). */
export async function executePublishWorkflow(
  client: Client,
  input: PublishEventInput,
  options: { taskQueue: string },
): Promise<PublishEventResult> {
  try {
    return await client.workflow.execute<typeof publishEventWorkflow>(
      'publishEventWorkflow',
      publishStartOptions(input, options.taskQueue),
    );
  } catch (error) {
    throw refusedPublish(error) ?? error;
  }
}

type FieldError = { path: string; message: string };

/** A publish the catalog refused (unknown type, data against its schema) → InvalidInputError, as from the API. */
function refusedPublish(error: unknown): InvalidInputError | undefined {
  if (!(error instanceof WorkflowFailedError)) return undefined;
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure && cause.type === INVALID_EVENT_FAILURE) {
      return new InvalidInputError(cause.message, (cause.details?.[0] as FieldError[] | undefined) ?? []);
    }
    cause = cause.cause;
  }
  return undefined;
}

/** Starts the publish workflow without waiting for it. */
export async function startPublishWorkflow(client: Client, input: PublishEventInput, options: { taskQueue: string }): Promise<void> {
  await client.workflow.start<typeof publishEventWorkflow>('publishEventWorkflow', publishStartOptions(input, options.taskQueue));
}

/**
 * Starts the workflow of a recorded delivery. Idempotent: a running one is joined, and one that
 * already ran is never started again (its id is the delivery's own). Resolves to whether the
 * server handed its first task straight to a worker of this process (eager start).
 */
export async function startDeliveryWorkflow(
  client: Client,
  delivery: PlannedDelivery,
  options: { taskQueue: string; /** Only for a client on a NativeConnection shared with a worker. */ eager?: boolean },
): Promise<{ eagerlyStarted: boolean }> {
  try {
    const handle = await client.workflow.start<typeof deliveryWorkflowV2>('deliveryWorkflowV2', {
      ...deliveryStartOptions(delivery),
      taskQueue: options.taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...(options.eager && { requestEagerStart: true }),
    });
    return { eagerlyStarted: handle.eagerlyStarted };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { eagerlyStarted: false };
  }
}

/**
 * Starts a replay's workflow. Idempotent: a running one is joined; one that already ran is run
 * again, and finds its replay finished at its first step.
 */
export async function startReplayWorkflow(
  client: Client,
  replay: { replayId: string; workflowId: string; summary: string },
  options: { taskQueue: string },
): Promise<void> {
  await client.workflow.start<typeof replayWorkflow>('replayWorkflow', {
    taskQueue: options.taskQueue,
    workflowId: replay.workflowId,
    args: [{ replayId: replay.replayId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    staticSummary: replay.summary.slice(0, 190),
  });
}

// The typed Temporal client hookrelay and its publishers use. `publishEvent` is the
// HTTP-free way for a service to publish: its workflow id derives from the idempotency key
// or the event id, so a repeated start is harmless.
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { newId } from '../domain/ids';
import type { PublishEventInput, PublishEventResult } from '../workflows/contracts';
import type { publishWorkflow } from '../workflows/publish.workflow';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
}

export async function connectTemporalClient({ address, namespace }: TemporalClientOptions): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

export type PublishRequest = Omit<PublishEventInput, 'eventId'> & { eventId?: string };

export function publishWorkflowId(request: { tenantId: string; idempotencyKey?: string; eventId: string }): string {
  return request.idempotencyKey
    ? `publish-${request.tenantId}-key-${request.idempotencyKey}`
    : `publish-${request.eventId}`;
}

/** Publishes an event and waits until it is recorded and its deliveries are started. */
export async function publishEvent(client: Client, request: PublishRequest, options: { taskQueue: string }): Promise<PublishEventResult> {
  const input: PublishEventInput = { ...request, eventId: request.eventId ?? newId('evt') };
  return client.workflow.execute<typeof publishWorkflow>('publishWorkflow', {
    taskQueue: options.taskQueue,
    workflowId: publishWorkflowId(input),
    args: [input],
    // A publish already running under this id is the same publish: wait for it instead of failing.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `publish ${input.type} for ${input.tenantId}`.slice(0, 190),
  });
}

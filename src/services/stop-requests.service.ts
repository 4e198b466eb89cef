// Stop requests: an endpoint disabled or deleted records, in its own transaction, that its
// waiting deliveries are to be cancelled; the request is carried out right after the commit
// (followUp) or, when Temporal was unreachable, by the worker's sweeper (carryOutStopRequests).
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Transaction } from 'kysely';
import { listOpenDeliveriesOfEndpoint } from '../db/deliveries.repository';
import { completeStopRequest, findPendingStopRequests, insertStopRequest } from '../db/delivery-stop-requests.repository';
import type { Database, DeliveryStopRequestRow } from '../db/schema';
import { cancelSignal } from '../workflows/messages';
import type { ServiceContext } from './context';

/**
 * Records, in the caller's transaction, that the deliveries of the endpoint waiting or attempting
 * now (but `exceptDeliveryId`) are to be cancelled. Carry it out with followUp after the commit.
 */
export async function requestStopOfWaitingDeliveries(
  trx: Transaction<Database>,
  endpointId: string,
  reason: string,
  exceptDeliveryId?: string,
): Promise<DeliveryStopRequestRow> {
  return insertStopRequest(trx, { endpoint_id: endpointId, reason, except_delivery_id: exceptDeliveryId ?? null });
}

/**
 * Signals `cancel` to every delivery the request covers (open, and created before the request:
 * a test event sent to the endpoint afterwards is not stopped), then marks it done. Repeating it
 * is harmless: a finished workflow is skipped and a second cancel changes nothing.
 */
export async function carryOutStopRequest(ctx: ServiceContext, request: DeliveryStopRequestRow): Promise<number> {
  const open = (await listOpenDeliveriesOfEndpoint(ctx.db, request.endpoint_id, request.created_at)).filter(
    (delivery) => delivery.id !== request.except_delivery_id,
  );
  const CONCURRENCY = 16;
  for (let i = 0; i < open.length; i += CONCURRENCY) {
    await Promise.all(
      open.slice(i, i + CONCURRENCY).map((delivery) =>
        ctx.temporal.workflow
          .getHandle(delivery.workflow_id)
          .signal(cancelSignal, { reason: request.reason })
          .catch((error: unknown) => {
            // Finished, or never started (the sweeper starts it; its first attempt sees the endpoint gone).
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          }),
      ),
    );
  }
  await completeStopRequest(ctx.db, request.id);
  return open.length;
}

/**
 * Carries out the stop requests recorded more than `olderThanMs` ago and not done yet (their
 * change committed, but Temporal was unreachable or the process died). Run by the worker's
 * sweeper; stops at the first failure and leaves the rest for the next sweep.
 */
export async function carryOutStopRequests(
  ctx: ServiceContext,
  options: { olderThanMs: number; batchSize?: number },
): Promise<{ requests: number; deliveries: number }> {
  const batchSize = options.batchSize ?? 100;
  const createdBefore = new Date(Date.now() - options.olderThanMs);
  const result = { requests: 0, deliveries: 0 };
  for (;;) {
    const requests = await findPendingStopRequests(ctx.db, createdBefore, batchSize);
    for (const request of requests) {
      result.deliveries += await carryOutStopRequest(ctx, request);
      result.requests += 1;
    }
    if (requests.length < batchSize) return result;
  }
}

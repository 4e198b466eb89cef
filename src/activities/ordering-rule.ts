// The FIFO rule of the endpoint gate (issue 12): on an ordered endpoint only the head of its line
// (the open delivery with the smallest position) is attempted; the others wait, without spending
// an attempt, until the head finishes and wakes the next in line. Deliveries without a position
// (unordered endpoints) pass without a query.
import type { Kysely } from 'kysely';
import type { DeliveryForAttempt } from '../db/attempts.repository';
import {
  findHeadAhead,
  findHeadWorkflowId,
  findOrderingOfDelivery,
  findWorkflowIdBehind,
  lockEndpointForAdmission,
} from '../db/delivery-ordering.repository';
import type { Database } from '../db/schema';
import { orderingDeferral, orderingLine, parseEndpointOrdering, type OrderingLine } from '../domain/delivery-ordering';
import type { AttemptOutcome } from '../domain/attempt-outcome';
import type { Deferral } from '../domain/delivery-wait';
import type { GateRule } from './gate-rule';

/** FIFO ordering's hooks in the endpoint gate (activities/endpoint-gate.ts composes them). */
export function createOrderingRule(db: Kysely<Database>): GateRule {
  /** The line the delivery stands in by the endpoint's setting now, or null when it is not ordered (any more). */
  const lineOf = (delivery: {
    endpointId: string;
    resourceId: string | null;
    orderingPosition: string | null;
    ordering: unknown;
  }): OrderingLine | null => {
    const ordering = parseEndpointOrdering(delivery.ordering);
    if (!ordering || delivery.orderingPosition === null) return null;
    return orderingLine(ordering, delivery);
  };

  /** Wakes the new head of the line: one waiter, never the whole line. */
  const wakeHead = async (line: OrderingLine): Promise<string[]> => {
    const workflowId = await findHeadWorkflowId(db, line);
    return workflowId ? [workflowId] : [];
  };

  return {
    async admit(delivery: DeliveryForAttempt, _input: unknown, now: Date): Promise<Deferral | null> {
      const line = lineOf({ ...delivery, ordering: delivery.endpointOrdering });
      if (!line) return null;
      const me = { id: delivery.deliveryId, position: delivery.orderingPosition! };
      // Under the endpoint's shared row lock: see lockEndpointForAdmission.
      const head = await db.transaction().execute(async (trx) => {
        await lockEndpointForAdmission(trx, delivery.endpointId);
        return findHeadAhead(trx, line, me);
      });
      return head ? orderingDeferral(head, now) : null;
    },

    // A success ends the delivery without finishDelivery: the line moves on here. A failure with
    // retries left keeps the head in place; its end comes through handOver.
    async settle(delivery: DeliveryForAttempt, _sent: unknown, outcome: AttemptOutcome): Promise<string[]> {
      if (outcome.outcome !== 'succeeded') return [];
      const line = lineOf({ ...delivery, ordering: delivery.endpointOrdering });
      return line ? wakeHead(line) : [];
    },

    // The head failed and waits for its retry: the delivery right behind it looks again, so it
    // tells people it waits behind a retrying delivery (and when that retries). One waiter only.
    async retryScheduled(deliveryId: string): Promise<string[]> {
      const retrying = await findOrderingOfDelivery(db, deliveryId);
      const line = retrying ? lineOf(retrying) : null;
      if (!line) return [];
      const behind = await findWorkflowIdBehind(db, line, { id: deliveryId, position: retrying!.orderingPosition! });
      return behind ? [behind] : [];
    },

    async handOver(deliveryId: string): Promise<string[]> {
      const finished = await findOrderingOfDelivery(db, deliveryId);
      const line = finished ? lineOf(finished) : null;
      return line ? wakeHead(line) : [];
    },
  };
}

// No half-done writes: a change is committed in one transaction together with what it still has
// to do through Temporal (delivery rows not yet started, a stop request), then that work is done
// right away, best-effort. If Temporal is unreachable the change still stands and is answered as
// done; the worker's sweeper (startStrandedDeliveries, carryOutStopRequests) finishes the work.
import type { DeliveryStopRequestRow } from '../db/schema';
import type { PlannedDelivery } from '../workflows/contracts';
import type { ServiceContext } from './context';
import { startDeliveries } from './publishing.service';
import { carryOutStopRequest } from './stop-requests.service';

/** For changes whose Temporal follow-up may fail after the commit (it is then left to the sweeper). */
export interface FollowUpOptions {
  /** Called when the follow-up failed; the change itself is committed. The API logs it. */
  onFollowUpFailed?: (error: unknown) => void;
}

/** What a committed change still has to do through Temporal. */
export interface FollowUpWork {
  stopRequest?: DeliveryStopRequestRow;
  deliveries?: PlannedDelivery[];
}

/**
 * How long a change waits for its follow-up before answering. Without a bound, an unreachable
 * Temporal would hold the answer for the client's whole gRPC retry budget (about 20 s); what is
 * not done by then (say, the starts of a large recover) the sweeper finishes.
 */
export const FOLLOW_UP_DEADLINE_MS = 5_000;

/** Does it now, best-effort: whatever fails is left to the sweeper, which finds it in the database. */
export async function followUp(ctx: ServiceContext, work: FollowUpWork, options: FollowUpOptions = {}): Promise<void> {
  try {
    await ctx.temporal.withDeadline(Date.now() + FOLLOW_UP_DEADLINE_MS, async () => {
      if (work.stopRequest) await carryOutStopRequest(ctx, work.stopRequest);
      if (work.deliveries?.length) await startDeliveries(ctx, work.deliveries);
    });
  } catch (error) {
    options.onFollowUpFailed?.(error);
  }
}

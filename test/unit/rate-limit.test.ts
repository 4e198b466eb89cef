import {
  decideRateLimit,
  emissionIntervalMs,
  idleRateLimitState,
  rateLimitBurst,
  refundRateLimit,
  toleranceMs,
  type RateLimit,
  type RateLimitState,
} from '../../src/domain/rate-limit';
import { maxInWindow } from '../support/windows';

/** Plays deliveries against the limiter like the gate does: newcomers at `arrivals`, refused ones come back at their slot plus `lateMs`. */
function simulate(limit: RateLimit, arrivals: number[], options: { lateMs?: (index: number) => number } = {}) {
  let state: RateLimitState = idleRateLimitState(0);
  const admittedAt: number[] = [];
  const refusals: number[] = [];
  const queue: Array<{ at: number; slot: number | null; id: number }> = arrivals.map((at, id) => ({ at, slot: null, id }));
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at || a.id - b.id);
    const next = queue.shift()!;
    const decision = decideRateLimit(state, next.at, limit, next.slot);
    if (decision.next) state = decision.next;
    if (decision.admit) {
      admittedAt.push(next.at);
    } else {
      refusals.push(next.id);
      queue.push({ at: decision.slotMs + (options.lateMs?.(next.id) ?? 0), slot: decision.slotMs, id: next.id });
    }
  }
  return { admittedAt, refusals };
}

describe('rate limit arithmetic (GCRA with reserved slots)', () => {
  it('documents a burst of ceil(N/10), at least 2, and spaces POSTs 1/N s apart', () => {
    expect(rateLimitBurst({ perSecond: 1 })).toBe(2);
    expect(rateLimitBurst({ perSecond: 5 })).toBe(2);
    expect(rateLimitBurst({ perSecond: 100 })).toBe(10);
    expect(rateLimitBurst({ perSecond: 10_000 })).toBe(1000);
    expect(emissionIntervalMs({ perSecond: 5 })).toBe(200);
    expect(toleranceMs({ perSecond: 5 })).toBe(200);
    expect(toleranceMs({ perSecond: 100 })).toBe(90);
  });

  it('admits an idle endpoint at once, and refuses a newcomer behind a waiting line', () => {
    const limit = { perSecond: 5 };
    const first = decideRateLimit(idleRateLimitState(1000), 1000, limit, null);
    expect(first).toEqual({ admit: true, next: { theoreticalArrivalMs: 1200, lineEndsMs: 1000 } });
    const behindLine = decideRateLimit({ theoreticalArrivalMs: 1000, lineEndsMs: 3000 }, 1000, limit, null);
    expect(behindLine).toEqual({ admit: false, slotMs: 3000, next: { theoreticalArrivalMs: 1000, lineEndsMs: 3200 } });
  });

  it('gives 500 deliveries arriving at once 500 distinct slots 1/N s apart, and admits each at its slot', () => {
    const limit = { perSecond: 5 };
    const { admittedAt, refusals } = simulate(
      limit,
      Array.from({ length: 500 }, () => 0),
    );
    expect(admittedAt).toHaveLength(500);
    // The burst goes at once, then every refused delivery is admitted at the slot it was given: one refusal each.
    expect(refusals).toHaveLength(500 - rateLimitBurst(limit));
    expect(new Set(admittedAt).size).toBe(500 - rateLimitBurst(limit) + 1);
    expect(maxInWindow(admittedAt, 1000)).toBeLessThanOrEqual(5 + rateLimitBurst(limit) - 1);
    expect(Math.max(...admittedAt)).toBeCloseTo((500 - rateLimitBurst(limit)) * 200, 6);
  });

  it.each([1, 3, 5, 7, 50, 333, 1000])('never admits more than N + burst - 1 in any second at %i/s, whatever arrives', (perSecond) => {
    const limit = { perSecond };
    let seed = perSecond;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const arrivals = Array.from({ length: Math.min(3 * perSecond + 20, 1500) }, () => Math.floor(random() * 3000));
    // Timers fire late by up to half a second, and many together.
    const { admittedAt } = simulate(limit, arrivals, { lateMs: () => Math.floor(random() * 500) });
    expect(admittedAt).toHaveLength(arrivals.length);
    expect(maxInWindow(admittedAt, 1000)).toBeLessThanOrEqual(perSecond + rateLimitBurst(limit) - 1);
  });

  it('tolerates a timer firing late by less than the tolerance without displacing the next slot', () => {
    const limit = { perSecond: 5 };
    const { refusals } = simulate(
      limit,
      Array.from({ length: 20 }, () => 0),
      { lateMs: (id) => (id % 2 ? 150 : 0) },
    );
    expect(refusals).toHaveLength(20 - rateLimitBurst(limit));
  });

  it('sends a delivery woken before its slot back to the same slot, changing nothing', () => {
    const state = { theoreticalArrivalMs: 0, lineEndsMs: 5000 };
    expect(decideRateLimit(state, 1000, { perSecond: 5 }, 4000)).toEqual({ admit: false, slotMs: 4000, next: null });
  });

  it('puts a delivery whose slot was taken at the end of the line, not into the next slot', () => {
    const decision = decideRateLimit({ theoreticalArrivalMs: 2000, lineEndsMs: 5000 }, 1000, { perSecond: 5 }, 1000);
    expect(decision).toEqual({ admit: false, slotMs: 5000, next: { theoreticalArrivalMs: 2000, lineEndsMs: 5200 } });
  });

  it('gives back an admission a later rule refused', () => {
    expect(refundRateLimit({ theoreticalArrivalMs: 1400, lineEndsMs: 0 }, { perSecond: 5 })).toEqual({
      theoreticalArrivalMs: 1200,
      lineEndsMs: 0,
    });
  });
});

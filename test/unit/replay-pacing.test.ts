// The pure pacing of replays (domain/replay.ts): how much one step may start per endpoint, and the
// leading run of matches that fits.
import { DEFAULT_REPLAY_PACING, settlingWaitMs, stepAllowance, takeWithinAllowance } from '../../src/domain/replay';

const pacing = { defaultPerSecond: 10, maxInFlightPerEndpoint: 100 };

describe('stepAllowance', () => {
  it('is the rate limit of a limited endpoint, the default pace otherwise', () => {
    expect(stepAllowance({ rateLimitPerSecond: 100, healthy: true, inFlight: 0 }, pacing)).toBe(100);
    expect(stepAllowance({ rateLimitPerSecond: null, healthy: true, inFlight: 0 }, pacing)).toBe(10);
    expect(stepAllowance({ rateLimitPerSecond: null, healthy: true, inFlight: 0 }, DEFAULT_REPLAY_PACING)).toBe(10);
  });
  it('is nothing while the circuit is not healthy', () => {
    expect(stepAllowance({ rateLimitPerSecond: 100, healthy: false, inFlight: 0 }, pacing)).toBe(0);
  });
  it('leaves room only up to the in-flight cap', () => {
    expect(stepAllowance({ rateLimitPerSecond: 100, healthy: true, inFlight: 95 }, pacing)).toBe(5);
    expect(stepAllowance({ rateLimitPerSecond: 100, healthy: true, inFlight: 100 }, pacing)).toBe(0);
    expect(stepAllowance({ rateLimitPerSecond: 100, healthy: true, inFlight: 250 }, pacing)).toBe(0);
  });
});

describe('takeWithinAllowance', () => {
  const match = (endpointId: string, n: number) => ({ endpointId, n });
  it('takes matches in order while their endpoints have allowance left, spending it', () => {
    const allowance = new Map([
      ['a', 2],
      ['b', 5],
    ]);
    const taken = takeWithinAllowance([match('a', 1), match('b', 2), match('a', 3), match('b', 4)], allowance, 10);
    expect(taken.map((m) => m.n)).toEqual([1, 2, 3, 4]);
    expect(allowance).toEqual(
      new Map([
        ['a', 0],
        ['b', 3],
      ]),
    );
  });
  it('stops at the first match whose endpoint has none left, so no match is ever skipped', () => {
    const allowance = new Map([
      ['a', 1],
      ['b', 5],
    ]);
    expect(takeWithinAllowance([match('a', 1), match('a', 2), match('b', 3)], allowance, 10).map((m) => m.n)).toEqual([1]);
  });
  it('takes nothing for an unknown endpoint, and at most maxCount', () => {
    expect(takeWithinAllowance([match('x', 1)], new Map(), 10)).toEqual([]);
    expect(takeWithinAllowance([match('a', 1), match('a', 2)], new Map([['a', 9]]), 1)).toHaveLength(1);
  });
});

describe('settlingWaitMs', () => {
  it('grows from a second to a minute', () => {
    expect([0, 1, 2, 3, 6, 20].map(settlingWaitMs)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000]);
  });
});

import {
  admitsPost,
  FAIR_SHARE_MAX_WAIT_MS,
  FAIR_SHARE_MIN_WAIT_MS,
  fairShareWaitMs,
  tenantAllowance,
} from '../../src/domain/tenant-fair-share';

const limits = { maxConcurrentPosts: 32, tenantShare: 0.5, slowPostMs: 1_000 };
const slow = (inFlight: number) => ({ inFlight, typicalPostMs: 10_000, oldestInFlightMs: 0 });

describe('tenantAllowance', () => {
  it('lets a tenant alone on the worker hold its share of every slot', () => {
    expect(tenantAllowance(limits, 0, 0)).toBe(16);
    expect(tenantAllowance(limits, 16, 16)).toBe(16);
  });

  it('shrinks with what the other tenants hold, never below one while a slot is free', () => {
    expect(tenantAllowance(limits, 16, 0)).toBe(8);
    expect(tenantAllowance(limits, 30, 0)).toBe(1);
    expect(tenantAllowance(limits, 31, 0)).toBe(1);
  });

  it('is zero when the other tenants hold every slot', () => {
    expect(tenantAllowance(limits, 32, 0)).toBe(0);
  });

  it('gives everything to one tenant with a share of 1', () => {
    expect(tenantAllowance({ maxConcurrentPosts: 10, tenantShare: 1, slowPostMs: 1_000 }, 3, 3)).toBe(10);
  });
});

describe('admitsPost', () => {
  it('admits a newcomer while a slow tenant holds its share', () => {
    expect(admitsPost(limits, 16, slow(0))).toBe(true);
  });

  it('refuses the slow tenant its next POST once it holds its share', () => {
    expect(admitsPost(limits, 16, slow(16))).toBe(false);
    expect(admitsPost(limits, 15, slow(15))).toBe(true);
  });

  it('holds a fast tenant to the total only, and a tenant not known yet to its share', () => {
    expect(admitsPost(limits, 20, { inFlight: 20, typicalPostMs: 5, oldestInFlightMs: 30 })).toBe(true);
    expect(admitsPost(limits, 32, { inFlight: 32, typicalPostMs: 5, oldestInFlightMs: 30 })).toBe(false);
    expect(admitsPost(limits, 16, { inFlight: 16, typicalPostMs: 5, oldestInFlightMs: 1_000 })).toBe(false);
    expect(admitsPost(limits, 16, { inFlight: 16, typicalPostMs: null, oldestInFlightMs: 0 })).toBe(false);
    expect(admitsPost(limits, 15, { inFlight: 15, typicalPostMs: null, oldestInFlightMs: 0 })).toBe(true);
  });

  it('refuses everyone when the worker is full', () => {
    expect(admitsPost(limits, 32, slow(0))).toBe(false);
    expect(admitsPost(limits, 32, slow(1))).toBe(false);
  });

  it('leaves slots free for a newcomer until six tenants are slow at once (32 slots, share 0.5)', () => {
    // Each new slow tenant takes half of what the others leave.
    const held: number[] = [];
    for (let tenant = 0; tenant < 20; tenant++) {
      let mine = 0;
      for (;;) {
        const total = held.reduce((a, b) => a + b, 0) + mine;
        if (!admitsPost(limits, total, slow(mine))) break;
        mine++;
      }
      held.push(mine);
    }
    expect(held.slice(0, 7)).toEqual([16, 8, 4, 2, 1, 1, 0]);
    expect(held.reduce((a, b) => a + b, 0)).toBe(limits.maxConcurrentPosts);
  });
});

describe('fairShareWaitMs', () => {
  it('waits past the turn of the line ahead: one POST for the first in line', () => {
    expect(fairShareWaitMs({ typicalPostMs: 10_000, waitingOfTenant: 0, allowance: 16, random: 0 })).toBe(10_000);
    expect(fairShareWaitMs({ typicalPostMs: 10_000, waitingOfTenant: 0, allowance: 16, random: 0.5 })).toBe(15_000);
  });

  it('spreads a long line over the time it needs at the allowance, never all at once', () => {
    // 47 ahead, 16 at a time, 10 s each: its turn is the third.
    expect(fairShareWaitMs({ typicalPostMs: 10_000, waitingOfTenant: 47, allowance: 16, random: 0 })).toBe(30_000);
    expect(fairShareWaitMs({ typicalPostMs: 10_000, waitingOfTenant: 47, allowance: 16, random: 0.999 })).toBe(59_970);
  });

  it('stays within its bounds', () => {
    expect(fairShareWaitMs({ typicalPostMs: 5, waitingOfTenant: 0, allowance: 1, random: 0 })).toBe(FAIR_SHARE_MIN_WAIT_MS);
    expect(fairShareWaitMs({ typicalPostMs: 10_000, waitingOfTenant: 480, allowance: 16, random: 0.5 })).toBe(FAIR_SHARE_MAX_WAIT_MS);
    expect(fairShareWaitMs({ typicalPostMs: 600_000, waitingOfTenant: 10, allowance: 0, random: 1 })).toBe(FAIR_SHARE_MAX_WAIT_MS);
  });
});

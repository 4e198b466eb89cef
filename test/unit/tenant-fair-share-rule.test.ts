import { composeEndpointGate } from '../../src/activities/endpoint-gate';
import { TenantPostSlots, tenantFairShareRule } from '../../src/activities/tenant-fair-share-rule';
import type { DeliveryForAttempt } from '../../src/db/attempts.repository';

function slotsWithClock(limits = { maxConcurrentPosts: 4, tenantShare: 0.5, slowPostMs: 1_000 }) {
  const clock = { t: 0, now: () => clock.t, random: () => 0 };
  return { slots: new TenantPostSlots(limits, clock), clock };
}

describe('TenantPostSlots', () => {
  it('holds a slow tenant to its share and admits another tenant meanwhile', () => {
    const { slots } = slotsWithClock();
    expect(slots.acquire('A', 'a1', 'dlv-a1').admitted).toBe(true);
    expect(slots.acquire('A', 'a2', 'dlv-a2').admitted).toBe(true);
    expect(slots.acquire('A', 'a3', 'dlv-a3')).toMatchObject({ admitted: false, inFlight: 2, allowance: 2 });
    expect(slots.acquire('B', 'b1', 'dlv-b1').admitted).toBe(true);
    expect(slots.inFlight()).toBe(3);
  });

  it('gives a slot back on release, once, and takes it again for the same attempt without counting twice', () => {
    const { slots } = slotsWithClock();
    slots.acquire('A', 'a1', 'dlv-a1');
    slots.acquire('A', 'a2', 'dlv-a2');
    expect(slots.acquire('A', 'a2', 'dlv-a2').admitted).toBe(true);
    slots.release('a1');
    slots.release('a1');
    expect(slots.inFlight()).toBe(1);
    expect(slots.acquire('A', 'a3', 'dlv-a3').admitted).toBe(true);
  });

  it('sets the fallback timer past the turn of the line ahead (10 s per POST assumed until one finished)', () => {
    const { slots } = slotsWithClock();
    slots.acquire('A', 'a1', 'dlv-a1');
    slots.acquire('A', 'a2', 'dlv-a2');
    expect(slots.acquire('A', 'a3', 'dlv-a3')).toMatchObject({ admitted: false, waitMs: 10_000 });
    expect(slots.acquire('A', 'a4', 'dlv-a4')).toMatchObject({ admitted: false, waitMs: 10_000 });
    // Two ahead of it, two at a time: its turn is the second.
    expect(slots.acquire('A', 'a5', 'dlv-a5')).toMatchObject({ admitted: false, waitMs: 20_000 });
    // Asking again keeps its place in the line.
    expect(slots.acquire('A', 'a3', 'dlv-a3')).toMatchObject({ admitted: false, waitMs: 10_000 });
  });

  it('wakes the first of the tenant’s line when one of its POSTs ends, each waiter once', () => {
    const { slots, clock } = slotsWithClock();
    slots.acquire('A', 'a1', 'dlv-a1');
    slots.acquire('A', 'a2', 'dlv-a2');
    slots.acquire('A', 'a3', 'dlv-a3');
    slots.acquire('A', 'a4', 'dlv-a4');
    clock.t = 2_000;
    expect(slots.release('a1')).toBe('dlv-a3');
    expect(slots.release('a2')).toBe('dlv-a4');
    expect(slots.acquire('B', 'b1', 'dlv-b1').admitted).toBe(true);
    expect(slots.release('b1')).toBeNull();
  });

  it('learns a tenant’s POST duration from the POSTs that finished', () => {
    const { slots, clock } = slotsWithClock();
    slots.acquire('A', 'a1', 'dlv-a1');
    clock.t = 1_000;
    slots.acquire('A', 'a2', 'dlv-a2');
    clock.t = 4_000;
    slots.release('a1');
    expect(slots.acquire('A', 'a3', 'dlv-a3').admitted).toBe(true);
    // a1 took 4 s; the oldest in flight (a2) has run 3 s.
    expect(slots.acquire('A', 'a4', 'dlv-a4')).toMatchObject({ admitted: false, waitMs: 4_000 });
  });

  it('holds a tenant whose POSTs come back quickly to the total only', () => {
    const { slots, clock } = slotsWithClock();
    slots.acquire('A', 'a1', 'dlv-a1');
    clock.t = 5;
    slots.release('a1');
    expect(['a2', 'a3', 'a4', 'a5'].map((key) => slots.acquire('A', key, `dlv-${key}`).admitted)).toEqual([true, true, true, true]);
    expect(slots.acquire('A', 'a6', 'dlv-a6').admitted).toBe(false);
  });

  it('holds a fast tenant to its share again once a POST of it runs long', () => {
    const { slots, clock } = slotsWithClock();
    slots.acquire('A', 'a1', 'dlv-a1');
    clock.t = 5;
    slots.release('a1');
    slots.acquire('A', 'a2', 'dlv-a2');
    slots.acquire('A', 'a3', 'dlv-a3');
    clock.t = 2_000;
    expect(slots.acquire('A', 'a4', 'dlv-a4').admitted).toBe(false);
  });

  it('drops a permit never released (a POST aborted by shutdown) after the attempt step’s bound', () => {
    const { slots, clock } = slotsWithClock();
    slots.acquire('A', 'a1', 'dlv-a1');
    slots.acquire('A', 'a2', 'dlv-a2');
    clock.t = 3 * 60_000 + 1;
    expect(slots.acquire('A', 'a3', 'dlv-a3').admitted).toBe(true);
    expect(slots.inFlight()).toBe(1);
  });
});

describe('the tenant fair-share gate rule', () => {
  const delivery = (tenantId: string) => ({ deliveryId: 'dlv', endpointId: 'ep', tenantId }) as DeliveryForAttempt;
  const input = (deliveryId: string) => ({ deliveryId, attemptNumber: 1, trigger: 'scheduled' as const });

  it('defers a delivery over its share with reason tenant_fair_share, and admits once a POST settles', async () => {
    const { slots } = slotsWithClock();
    const gate = composeEndpointGate([tenantFairShareRule(slots)]);
    const now = new Date('2026-12-02T12:00:00.000Z');
    expect(await gate.admit(delivery('A'), input('d1'), now)).toBeNull();
    expect(await gate.admit(delivery('A'), input('d2'), now)).toBeNull();
    const deferral = await gate.admit(delivery('A'), input('d3'), now);
    expect(deferral).toMatchObject({ waitReason: 'tenant_fair_share', until: '2026-12-02T12:00:10.000Z' });
    expect(deferral!.reason).toContain('2 in flight, 2 allowed');
    const wake = await gate.settle(delivery('A'), { deliveryId: 'd1', attemptNumber: 1 } as never, { outcome: 'succeeded', status: 200 });
    expect(wake).toEqual(['delivery-d3']);
    expect(await gate.admit(delivery('A'), input('d3'), now)).toBeNull();
  });

  it('gives the slot back when a later rule defers', async () => {
    const { slots } = slotsWithClock();
    const gate = composeEndpointGate([
      tenantFairShareRule(slots),
      { admit: async () => ({ until: '2026-12-02T12:00:01.000Z', waitReason: 'rate_limit', reason: 'later' }) },
    ]);
    await gate.admit(delivery('A'), input('d1'), new Date());
    expect(slots.inFlight()).toBe(0);
  });
});

import { composeEndpointGate, type GateRule } from '../../src/activities/endpoint-gate';
import type { DeliveryForAttempt } from '../../src/db/attempts.repository';
import type { Deferral } from '../../src/domain/delivery-wait';

const delivery = { deliveryId: 'dlv_1', endpointId: 'ep_1' } as DeliveryForAttempt;
const input = { deliveryId: 'dlv_1', attemptNumber: 1, trigger: 'scheduled' as const };
const deferral: Deferral = { until: '2026-12-02T00:00:01.000Z', waitReason: 'rate_limit', reason: 'next slot in 1 s' };

describe('endpoint gate composition', () => {
  it('admits when every rule admits, and gathers the wakes of every rule', async () => {
    const gate = composeEndpointGate([
      { admit: async () => null, settle: async () => ['delivery-a'], handOver: async () => ['delivery-c'] },
      { settle: async () => ['delivery-b'] },
    ]);
    expect(await gate.admit(delivery, input, new Date())).toBeNull();
    expect(await gate.settle(delivery, {} as never, { outcome: 'succeeded', status: 200 })).toEqual(['delivery-a', 'delivery-b']);
    expect(await gate.handOver('dlv_1')).toEqual(['delivery-c']);
  });

  it('stops at the first deferral and gives back what earlier rules took, latest first', async () => {
    const calls: string[] = [];
    const taking = (name: string): GateRule => ({
      admit: async () => {
        calls.push(`admit ${name}`);
        return null;
      },
      cancelAdmission: async () => {
        calls.push(`give back ${name}`);
      },
    });
    const gate = composeEndpointGate([
      taking('first'),
      taking('second'),
      { admit: async () => deferral },
      { admit: async () => (calls.push('never'), null) },
    ]);
    expect(await gate.admit(delivery, input, new Date())).toEqual(deferral);
    expect(calls).toEqual(['admit first', 'admit second', 'give back second', 'give back first']);
  });
});

// Scenario d: the receiver is down for a while, then up. Deliveries retry on the endpoint's own
// schedule (every 2 s, no jitter) and all arrive once it is back. The endpoint circuit is off
// here: it is what is measured. With the circuit on (the default), refused connections open it and
// the waiting deliveries hold back behind it without spending attempts until a probe gets through
// (test/e2e/endpoint-circuit.test.ts), so the gaps follow the circuit's back-off instead.
import { sql } from 'kysely';
import { startReceiver } from '../support/receiver';
import { publishMany, receiverFigures, reportFigures, setUpTenant, sleep, useFaultStack, waitUntilFinished } from './fault-stack';

const DELIVERIES = 50;
const DELAY_SECONDS = 2;

describe('fault: receiver down, then up', () => {
  const faultStack = useFaultStack({ workerEnv: { HOOKRELAY_CIRCUIT_ENABLED: 'false' } });

  it('retries on the endpoint schedule and delivers everything once the receiver is back', async () => {
    const stack = faultStack();
    const started = Date.now();
    const { tenantId } = await setUpTenant(stack, {
      retryPolicy: { strategy: 'schedule', delaysSeconds: Array(5).fill(DELAY_SECONDS), jitter: 0 },
    });
    await stack.receiver.close();
    const { ids: eventIds } = await publishMany(stack, tenantId, DELIVERIES);
    await sleep(5_000);
    const receiver = await startReceiver({ port: stack.receiverPort });
    const upAt = Date.now();
    try {
      const tally = await waitUntilFinished(stack.db, DELIVERIES, 60_000);
      const seen = receiverFigures(receiver, eventIds);
      const attempts = await sql<{ delivery_id: string; number: number; started_at: Date; response_status: number | null }>`
        select delivery_id, number, started_at, response_status from attempts order by delivery_id, number`.execute(stack.db);
      const byDelivery = new Map<string, typeof attempts.rows>();
      for (const row of attempts.rows) byDelivery.set(row.delivery_id, [...(byDelivery.get(row.delivery_id) ?? []), row]);
      const gaps: number[] = [];
      for (const rows of byDelivery.values()) {
        for (let i = 1; i < rows.length; i++) gaps.push((rows[i]!.started_at.getTime() - rows[i - 1]!.started_at.getTime()) / 1000);
      }
      reportFigures({
        scenario: 'd. receiver down ~5 s, then up',
        deliveries: tally.total,
        succeeded: tally.succeeded,
        lost: seen.missing.length + (DELIVERIES - tally.succeeded),
        failed: tally.failed,
        duplicates: seen.duplicates,
        recoverySeconds: (Date.now() - upAt) / 1000,
        totalSeconds: (Date.now() - started) / 1000,
        note: `retry gaps ${Math.min(...gaps).toFixed(1)}–${Math.max(...gaps).toFixed(1)} s, median ${[...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!.toFixed(1)} s (schedule ${DELAY_SECONDS} s)`,
      });
      expect(tally).toEqual({ total: DELIVERIES, succeeded: DELIVERIES, failed: 0, other: 0 });
      expect(seen.missing).toEqual([]);
      for (const rows of byDelivery.values()) {
        expect(rows.length).toBeGreaterThanOrEqual(2); // at least one refused attempt, then the success
        expect(rows[rows.length - 1]!.response_status).toBe(200);
      }
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(DELAY_SECONDS - 0.1);
        // The timer starts after the attempt is recorded and the retry scheduled: seconds of overhead under load.
        expect(gap).toBeLessThan(DELAY_SECONDS + 4);
      }
    } finally {
      await receiver.close();
    }
  }, 300_000);
});

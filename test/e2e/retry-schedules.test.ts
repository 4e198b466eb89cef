// Long retry schedules, end to end on the time-skipping server: hours of backoff in seconds,
// real activities, a real receiver on loopback that keeps failing.
import { Worker } from '@temporalio/worker';
import { startPublishWorkflow } from '../../src/temporal/client';
import { deliveryWorkflowId, newId } from '../../src/domain/ids';
import type { DeliveryState } from '../../src/workflows/contracts';
import { createTenantWithEndpoint } from '../support/fixtures';
import { startReceiver, type Receiver } from '../support/receiver';
import { testStack } from '../support/stack';
import { startTimeSkippingHookrelay, type TimeSkippingHookrelay } from '../support/time-skipping';
import { waitFor } from '../support/wait';

/**
 * Seconds waited between consecutive attempts, read from the workflow's own history: each retry
 * is a timer that started with the computed delay and fired (attempts run as local activities,
 * inside workflow tasks, so the timers are what separates them).
 */
async function attemptGaps(hookrelay: TimeSkippingHookrelay, workflowId: string): Promise<number[]> {
  const history = await hookrelay.env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const fired = new Set(events.filter((e) => e.timerFiredEventAttributes).map((e) => String(e.timerFiredEventAttributes!.startedEventId)));
  return events
    .filter((e) => e.timerStartedEventAttributes && fired.has(String(e.eventId)))
    .map((e) => {
      const timeout = e.timerStartedEventAttributes!.startToFireTimeout!;
      return Number(timeout.seconds ?? 0) + (timeout.nanos ?? 0) / 1e9;
    });
}

/** The TemporalChangeVersion values a workflow upserted: the ids of the patches its run took. */
async function patchesTaken(hookrelay: TimeSkippingHookrelay, workflowId: string): Promise<string[]> {
  const history = await hookrelay.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion;
    return field?.data ? (JSON.parse(Buffer.from(field.data).toString()) as string[]) : [];
  });
}

describe('retry schedules (time-skipping)', () => {
  let hookrelay: TimeSkippingHookrelay;
  let receiver: Receiver;

  // A fresh test server per test: after one test has skipped days ahead, the shared server
  // stopped skipping for the next delivery (seen with temporal-test-server 1.40.0), so each
  // test publishes one delivery.
  beforeEach(async () => {
    [hookrelay, receiver] = await Promise.all([startTimeSkippingHookrelay(), startReceiver()]);
    receiver.respondWith(() => ({ status: 500, body: 'down' }));
  });
  afterEach(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  async function publishTo(
    endpoint: Parameters<typeof createTenantWithEndpoint>[1],
  ): Promise<{ deliveryId: string; state: DeliveryState }> {
    const { tenantId, eventType } = await createTenantWithEndpoint(hookrelay.ctx, endpoint);
    // Started, not awaited: waiting on a result lets the server skip time, which must only
    // happen while the deliveries wait on their timers.
    const eventId = newId('evt');
    await startPublishWorkflow(
      hookrelay.env.client,
      { eventId, tenantId, type: eventType, data: { n: 1 } },
      { taskQueue: hookrelay.ctx.taskQueue },
    );
    const deliveryId = await waitFor(
      async () => (await hookrelay.ctx.db.selectFrom('deliveries').select('id').where('event_id', '=', eventId).executeTakeFirst())?.id,
    );
    const handle = hookrelay.env.client.workflow.getHandle(deliveryWorkflowId(deliveryId));
    await waitFor(
      () =>
        handle.describe().then(
          () => true,
          () => undefined,
        ),
      { what: 'the delivery workflow' },
    ); // started by the publish workflow
    return { deliveryId, state: await handle.result() };
  }

  it('makes the 8 attempts of the default schedule at their offsets, within ±20% jitter, then fails', async () => {
    const before = receiver.requests.length;
    const { deliveryId, state } = await publishTo({ url: receiver.url });
    expect(state).toMatchObject({ status: 'failed', attempts: 8, lastResponseStatus: 500 });
    expect(receiver.requests.length - before).toBe(8);

    const gaps = await attemptGaps(hookrelay, deliveryWorkflowId(deliveryId));
    const scheduled = [5, 300, 1800, 7200, 18000, 36000, 36000];
    expect(gaps).toHaveLength(scheduled.length);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(scheduled[i]! * 0.8 - 1);
      expect(gap).toBeLessThanOrEqual(scheduled[i]! * 1.2 + 1);
    });

    const row = await hookrelay.ctx.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'failed',
      attempt_count: 8,
      next_attempt_at: null,
      status_reason: 'gave up after 8 of 8 attempts',
    });
    const attempts = await hookrelay.ctx.db
      .selectFrom('attempts')
      .select(['number', 'trigger'])
      .where('delivery_id', '=', deliveryId)
      .orderBy('number')
      .execute();
    expect(attempts.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(attempts.map((a) => a.trigger))).toEqual(new Set(['scheduled']));
  });

  it('retries in 5 min, then in 10 min, and stops after 3 failed attempts', async () => {
    const before = receiver.requests.length;
    const { deliveryId, state } = await publishTo({
      url: receiver.url,
      eventTypes: ['invoice.paid'],
      retryPolicy: { strategy: 'schedule', delaysSeconds: [300, 600], jitter: 0 },
    });
    expect(state).toMatchObject({ status: 'failed', attempts: 3 });
    expect(receiver.requests.length - before).toBe(3);
    const gaps = await attemptGaps(hookrelay, deliveryWorkflowId(deliveryId));
    expect(gaps.map((gap) => Math.round(gap))).toEqual([300, 600]);
    // deliveryWorkflowV2 takes every change without asking patched(): no marker, no TemporalChangeVersion.
    expect(await patchesTaken(hookrelay, deliveryWorkflowId(deliveryId))).toEqual([]);
  });

  it('follows a linear policy', async () => {
    const linear = await publishTo({
      url: receiver.url,
      eventTypes: ['invoice.voided'],
      retryPolicy: { strategy: 'linear', initialDelaySeconds: 60, intervalSeconds: 120, maxAttempts: 4, jitter: 0 },
    });
    expect(linear.state.attempts).toBe(4);
    expect((await attemptGaps(hookrelay, deliveryWorkflowId(linear.deliveryId))).map(Math.round)).toEqual([60, 180, 300]);
  });

  it('follows an exponential policy capped at its maximum delay', async () => {
    const exponential = await publishTo({
      url: receiver.url,
      eventTypes: ['invoice.refunded'],
      retryPolicy: { strategy: 'exponential', initialDelaySeconds: 10, multiplier: 3, maxDelaySeconds: 100, maxAttempts: 5, jitter: 0 },
    });
    expect(exponential.state.attempts).toBe(5);
    expect((await attemptGaps(hookrelay, deliveryWorkflowId(exponential.deliveryId))).map(Math.round)).toEqual([10, 30, 90, 100]);
  });

  it('honours Retry-After on 429 within [scheduled, 2× scheduled]', async () => {
    const retryAfters = ['1000', '450', '1'];
    let call = 0;
    receiver.respondWith(() => ({ status: 429, headers: { 'retry-after': retryAfters[call++] ?? '1' } }));
    const { deliveryId, state } = await publishTo({
      url: receiver.url,
      eventTypes: ['invoice.limited'],
      retryPolicy: { strategy: 'schedule', delaysSeconds: [300, 300, 300], jitter: 0 },
    });
    receiver.respondWith(() => ({ status: 500 }));
    expect(state.attempts).toBe(4);
    expect((await attemptGaps(hookrelay, deliveryWorkflowId(deliveryId))).map(Math.round)).toEqual([600, 450, 300]);
  });

  it('runs a repeating sequence, pauses, runs it again, and gives up after the last repeat', async () => {
    const before = receiver.requests.length;
    const { deliveryId, state } = await publishTo({
      url: receiver.url,
      eventTypes: ['invoice.repeated'],
      retryPolicy: {
        strategy: 'schedule',
        delaysSeconds: [10, 20],
        jitter: 0,
        repeatCount: 2,
        repeatAfterSeconds: 3600,
        disableEndpointOnExhaustion: true,
      },
    });
    // Three runs of three attempts: the receiver saw every POST of each, the same message each time.
    expect(state).toMatchObject({ status: 'failed', attempts: 9, lastResponseStatus: 500 });
    const seen = receiver.requests.slice(before);
    expect(seen).toHaveLength(9);
    expect(new Set(seen.map((request) => request.headers['webhook-id'])).size).toBe(1);
    // The sequence, the pause, the sequence again, the pause, the sequence, then nothing more.
    expect((await attemptGaps(hookrelay, deliveryWorkflowId(deliveryId))).map(Math.round)).toEqual([10, 20, 3600, 10, 20, 3600, 10, 20]);

    const reason = 'gave up after 9 of 9 attempts (the sequence ran 3 times)';
    const row = await hookrelay.ctx.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempt_count: 9, next_attempt_at: null, status_reason: reason });
    const attempts = await hookrelay.ctx.db
      .selectFrom('attempts')
      .select(['number', 'trigger'])
      .where('delivery_id', '=', deliveryId)
      .orderBy('number')
      .execute();
    expect(attempts.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(attempts.map((a) => a.trigger))).toEqual(new Set(['scheduled']));
    // disableEndpointOnExhaustion waits for the last run: exhausting the first two disabled nothing.
    const endpoint = await hookrelay.ctx.db
      .selectFrom('endpoints')
      .select(['enabled', 'disabled_reason'])
      .where('id', '=', row.endpoint_id)
      .executeTakeFirstOrThrow();
    expect(endpoint).toEqual({ enabled: false, disabled_reason: `a delivery exhausted its retries (${reason})` });

    // The repeats ran without asking for their patch (deliveryWorkflowV2 takes it, and every other
    // change), and the history they recorded replays against this code.
    expect(await patchesTaken(hookrelay, deliveryWorkflowId(deliveryId))).toEqual([]);
    const history = await hookrelay.env.client.workflow.getHandle(deliveryWorkflowId(deliveryId)).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: testStack().workflowBundlePath } }, history);
  });
});

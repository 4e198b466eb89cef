// FIFO endpoints (issue 12) against a real stack and loopback receivers: what the receiver sees
// (arrival order, one POST in flight per line), what a waiting delivery says in the API, and how
// the line moves on when its head is cancelled or a finished delivery is resent.
import { createTenant, ensureEventType } from '../support/api';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';
import { mostInFlight } from '../support/windows';

/** Answers each POST after `delayMs` with the status `answer` gives for the event's number. */
function answerAfter(receiver: Receiver, answer: (request: ReceivedRequest, n: number) => number, delayMs: number): void {
  receiver.respondWith((request) => ({ status: answer(request, eventNumber(request)), delayMs }));
}

function eventNumber(request: ReceivedRequest): number {
  return (JSON.parse(request.body) as { data: { n: number } }).data.n;
}

describe('ordered delivery (FIFO endpoints)', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    await ensureEventType(hookrelay, 'invoice.activated');
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
  });

  async function fifoEndpoint(tenantId: string, ordering: Record<string, unknown>, retryDelaysSeconds: number[]) {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: {
        name: 'ordered receiver',
        url: receiver.url,
        eventTypes: ['invoice.activated'],
        enabled: true,
        ordering,
        retryPolicy: { strategy: 'schedule', delaysSeconds: retryDelaysSeconds, jitter: 0 },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.ordering).toEqual({ mode: 'fifo', key: ordering.key ?? null });
    return res.body.id as string;
  }

  async function publish(tenantId: string, n: number, resourceId?: string): Promise<string> {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { n }, ...(resourceId && { resourceId }) },
    });
    expect(res.status).toBe(202);
    return res.body.id as string;
  }

  async function deliveryOf(eventId: string) {
    return hookrelay.db
      .selectFrom('deliveries')
      .selectAll()
      .where('event_id', '=', eventId)
      .where('retry_of_id', 'is', null)
      .executeTakeFirstOrThrow();
  }

  async function deliveryWhen(tenantId: string, deliveryId: string, predicate: (body: any) => boolean, what: string) {
    return waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
        return predicate(res.body) ? res.body : undefined;
      },
      { what, timeoutMs: 20_000 },
    );
  }

  it('delivers 30 quickly published events strictly in publish order, one at a time, the failing head keeping its place', async () => {
    const tenantId = await createTenant(hookrelay);
    // The 3rd fails (retried every 2 s) until the test has seen the 4th waiting behind it: the
    // assertion below does not race the retry clock, however slow the machine.
    await fifoEndpoint(
      tenantId,
      { mode: 'fifo' },
      Array.from({ length: 30 }, () => 2),
    );
    let fourthSeenWaiting = false;
    let thirdFailures = 0;
    answerAfter(
      receiver,
      (_request, n) => {
        if (n === 3 && !fourthSeenWaiting) {
          thirdFailures += 1;
          return 500;
        }
        return 200;
      },
      15,
    );
    const eventIds: string[] = [];
    for (let n = 1; n <= 30; n += 1) eventIds.push(await publish(tenantId, n));

    // While the 3rd waits for its retry, the 4th says whom it waits behind and why.
    const third = await deliveryOf(eventIds[2]!);
    const fourth = await deliveryOf(eventIds[3]!);
    const waiting = await deliveryWhen(
      tenantId,
      fourth.id,
      (body) => body.status === 'waiting' && String(body.statusReason).includes('retrying'),
      'the 4th waiting behind the retrying 3rd',
    );
    fourthSeenWaiting = true;
    expect(waiting.waitReason).toBe('ordering');
    expect(waiting.statusReason).toMatch(
      new RegExp(`^waiting behind ${third.id} \\(retrying, attempt [1-9][0-9]* failed with 500, next attempt at `),
    );
    expect(waiting.attemptCount).toBe(0);
    expect(waiting.orderingPosition).toBe(fourth.ordering_position);
    expect(BigInt(fourth.ordering_position!)).toBe(BigInt(third.ordering_position!) + 1n);

    // The 3rd's failures (its last one may be answered just after the flag turned), its success, then the rest.
    await waitFor(async () => receiver.requests.length >= 30 + thirdFailures, { what: 'every event delivered', timeoutMs: 40_000 });
    expect(thirdFailures).toBeGreaterThanOrEqual(1);
    expect(receiver.requests.map(eventNumber)).toEqual([
      1,
      2,
      ...Array.from({ length: thirdFailures + 1 }, () => 3),
      ...Array.from({ length: 27 }, (_, i) => i + 4),
    ]);
    expect(mostInFlight(receiver.requests)).toBe(1);
    // Every POST came after the answer to the one before it.
    for (let i = 1; i < receiver.requests.length; i += 1) {
      expect(receiver.requests[i]!.receivedAt).toBeGreaterThanOrEqual(receiver.requests[i - 1]!.receivedAt + 15);
    }
    await waitFor(
      async () => {
        const open = await hookrelay.db
          .selectFrom('deliveries')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('status', '!=', 'succeeded')
          .execute();
        return open.length === 0;
      },
      { what: 'all 30 succeeded' },
    );
  }, 60_000);

  it('keyed by resourceId: two resources interleave, each stays in order with one POST in flight', async () => {
    const tenantId = await createTenant(hookrelay);
    await fifoEndpoint(tenantId, { mode: 'fifo', key: 'resourceId' }, [1]);
    answerAfter(receiver, () => 200, 150);
    for (let n = 1; n <= 12; n += 1) await publish(tenantId, n, n % 2 === 0 ? 'inv_b' : 'inv_a');

    await receiver.waitForRequests(12, 30_000);
    const lineOf = (request: ReceivedRequest) => (JSON.parse(request.body) as { resourceId: string }).resourceId;
    const arrivals = receiver.requests.map((request) => ({ line: lineOf(request), n: eventNumber(request) }));
    expect(arrivals.filter((a) => a.line === 'inv_a').map((a) => a.n)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(arrivals.filter((a) => a.line === 'inv_b').map((a) => a.n)).toEqual([2, 4, 6, 8, 10, 12]);
    for (const line of ['inv_a', 'inv_b']) expect(mostInFlight(receiver.requests.filter((r) => lineOf(r) === line))).toBe(1);
    // The lines do not wait for each other: b's first arrives before a's last.
    const firstB = arrivals.findIndex((a) => a.line === 'inv_b');
    const lastA = arrivals.map((a) => a.line).lastIndexOf('inv_a');
    expect(firstB).toBeLessThan(lastA);
  }, 60_000);

  it('cancelling a failing head lets the next go; a resend goes to the back, or right behind the head with position next', async () => {
    const tenantId = await createTenant(hookrelay);
    await fifoEndpoint(tenantId, { mode: 'fifo' }, [3600]);
    answerAfter(receiver, (_request, n) => (n === 1 ? 500 : 200), 5);
    const zeroth = await publish(tenantId, 0);
    await receiver.waitForRequests(1);
    const resent = await deliveryOf(zeroth);
    await deliveryWhen(tenantId, resent.id, (body) => body.status === 'succeeded', 'the 0th delivered');

    const eventIds = [await publish(tenantId, 1), await publish(tenantId, 2), await publish(tenantId, 3)];
    const [head, second] = [await deliveryOf(eventIds[0]!), await deliveryOf(eventIds[1]!)];
    await deliveryWhen(tenantId, head.id, (body) => body.status === 'retrying', 'the head retrying in an hour');
    const waiting = await deliveryWhen(
      tenantId,
      second.id,
      (body) => body.status === 'waiting' && String(body.statusReason).startsWith(`waiting behind ${head.id} (retrying`),
      'the 2nd waiting behind the failing head',
    );
    expect(waiting.waitReason).toBe('ordering');

    const back = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${resent.id}/resend`, { body: {} });
    const next = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${resent.id}/resend`, {
      body: { position: 'next' },
    });
    expect([back.status, next.status]).toEqual([202, 202]);
    expect([back.body.mode, next.body.mode]).toEqual(['new', 'new']);
    const bad = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${resent.id}/resend`, {
      body: { position: 'front' },
    });
    expect(bad.status).toBe(400);

    // Nothing jumps the failing head: it is the only one attempted (once) so far.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests.map(eventNumber)).toEqual([0, 1]);
    const cancelled = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${head.id}/cancel`);
    expect(cancelled.status).toBe(202);

    // Woken by the hand-over, well before the 60 s fallback timer.
    await receiver.waitForRequests(6, 20_000);
    const after = receiver.requests.slice(2);
    expect(after.map(eventNumber)).toEqual([0, 2, 3, 0]);
    expect(after[0]!.headers['webhook-id']).toBe(zeroth);
    const resends = await hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'ordering_position'])
      .where('retry_of_id', '=', resent.id)
      .execute();
    expect(resends.map((r) => r.id).sort()).toEqual([back.body.deliveryId, next.body.deliveryId].sort());
  }, 60_000);

  it('an unordered endpoint takes no position and sends concurrently as before', async () => {
    const tenantId = await createTenant(hookrelay);
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'plain', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true },
    });
    expect(res.body.ordering).toBeNull();
    answerAfter(receiver, () => 200, 300);
    const eventIds = [await publish(tenantId, 1), await publish(tenantId, 2), await publish(tenantId, 3)];
    await receiver.waitForRequests(3);
    expect(mostInFlight(receiver.requests)).toBeGreaterThan(1);
    for (const eventId of eventIds) expect((await deliveryOf(eventId)).ordering_position).toBeNull();

    const updated = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}/endpoints/${res.body.id}`, {
      body: { ordering: { mode: 'fifo', key: 'resourceId' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.ordering).toEqual({ mode: 'fifo', key: 'resourceId' });
    const invalid = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}/endpoints/${res.body.id}`, {
      body: { ordering: { mode: 'lifo' } },
    });
    expect(invalid.status).toBe(400);
  }, 60_000);
});

// Records real workflow histories for the determinism guard (test/replay/replay.test.ts).
// Run `npm run record:histories` after a deliberate, compatible workflow change; commit the .pb files.
// Each scenario runs against a real worker, Temporal dev server, PostgreSQL and receiver.
// An existing history is never overwritten: it is the record of what older code did, which the
// current code must still replay. Name a new scenario (or a new generation of one) anew.
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { deliveryWorkflowId, newId } from '../../src/domain/ids';
import { replayWorkflowId } from '../../src/domain/replay';
import { seedFailedDeliveries } from '../support/failed-deliveries';
import { publishBatchWorkflowId, publishEvent, publishEvents, publishWorkflowId } from '../../src/temporal/client';
import { createTenant, ensureEventType } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';

import { startTestHookrelay, testStack, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';
import { cancelSignal, stateQuery } from '../../src/workflows/messages';

const OUT = path.join(__dirname, 'histories');
// Binary protobuf: exact, and independent of the JSON mapping's quirks across SDK versions.
const encode = (history: temporal.api.history.v1.IHistory) => temporal.api.history.v1.History.encode(history).finish();
function saveHistory(file: string, history: temporal.api.history.v1.IHistory): void {
  const target = path.join(OUT, file);
  if (existsSync(target)) {
    console.log(`kept ${file} (histories are never overwritten)`);
    return;
  }
  writeFileSync(target, encode(history));
}
jest.setTimeout(120_000);

let hookrelay: TestHookrelay;
let receiver: Receiver;
let tenantId: string;

beforeAll(async () => {
  [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
  tenantId = await createTenant(hookrelay);
  await ensureEventType(hookrelay, 'invoice.activated');
});
afterAll(async () => {
  await hookrelay.close();
  await receiver.close();
});

async function endpoint(retryPolicy: unknown) {
  const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
    body: { name: 'r', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, retryPolicy },
  });
  return res.body.id as string;
}

// Published through the Temporal client, so each scenario has a publish workflow as well (an API
// publish starts its delivery workflows directly).
async function publishAndSave(name: string, act: (deliveryId: string) => Promise<void> = async () => undefined) {
  const published = await publishEvent(
    hookrelay.temporal,
    { tenantId, type: 'invoice.activated', data: { scenario: name } },
    { taskQueue: hookrelay.taskQueue },
  );
  const delivery = await hookrelay.db
    .selectFrom('deliveries')
    .select('id')
    .where('event_id', '=', published.eventId)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  await act(delivery.id);
  const handle = hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(delivery.id));
  await handle.result();
  saveHistory(`delivery-${name}.pb`, await handle.fetchHistory());
  const publish = hookrelay.temporal.workflow.getHandle(publishWorkflowId({ tenantId, eventId: published.eventId }));
  saveHistory(`publish-${name}.pb`, await publish.fetchHistory());
}

test('record histories', async () => {
  const first = await endpoint(null);
  receiver.respondWith(() => ({ status: 200 }));
  await publishAndSave('first-try-success');

  await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${first}/disable`, {});
  await endpoint({ strategy: 'schedule', delaysSeconds: [1, 1], jitter: 0 });
  let calls = 0;
  receiver.respondWith(() => ({ status: calls++ < 2 ? 500 : 200 }));
  await publishAndSave('three-attempts');

  receiver.respondWith(() => ({ status: 500 }));
  await publishAndSave('exhausted', async () => undefined);

  const waiting = { strategy: 'schedule', delaysSeconds: [3600], jitter: 0 };
  await hookrelay.db
    .updateTable('endpoints')
    .set({ retry_policy: JSON.stringify(waiting) })
    .where('tenant_id', '=', tenantId)
    .execute();
  const untilRetrying = (deliveryId: string) =>
    waitFor(
      async () =>
        (await hookrelay.db.selectFrom('deliveries').select('status').where('id', '=', deliveryId).executeTakeFirst())?.status ===
        'retrying',
    );
  await publishAndSave('resend', async (deliveryId) => {
    await untilRetrying(deliveryId);
    receiver.respondWith(() => ({ status: 200 }));
    await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${deliveryId}/resend`);
  });
  receiver.respondWith(() => ({ status: 500 }));
  await publishAndSave('cancel', async (deliveryId) => {
    await untilRetrying(deliveryId);
    await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${deliveryId}/cancel`);
  });
  receiver.respondWith(() => ({ status: 410 }));
  await publishAndSave('gone');
});

/** Takes the stack's own cloned database away (every session ended, no new ones) or brings it back. */
async function setDatabaseReachable(reachable: boolean): Promise<void> {
  const name = new URL(hookrelay.config.DATABASE_URL!).pathname.slice(1);
  const admin = new PgClient({ connectionString: testStack().postgresUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${reachable}`);
    if (!reachable)
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  } finally {
    await admin.end();
  }
}

// Issue 11 (ATTEMPT_STEPS_PATCH): the attempt in a cancellable step, an unrecorded POST recorded by
// a step of its own, an undeliverable delivery failed. Delivery workflows started by the API.
test('record histories of the attempt steps', async () => {
  const tenant = await createTenant(hookrelay, 'Steps');
  const create = async (retryPolicy: unknown) => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints`, {
      body: { name: 's', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, retryPolicy },
    });
    return res.body.id as string;
  };
  const publishOne = async () => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, { body: { type: 'invoice.activated', data: {} } });
    const row = await hookrelay.db.selectFrom('deliveries').select('id').where('event_id', '=', res.body.id).executeTakeFirstOrThrow();
    return hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(row.id));
  };
  const disable = (id: string) => hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints/${id}/disable`, {});

  let endpointId = await create(null);
  receiver.respondWith(() => ({ status: 200 }));
  let handle = await publishOne();
  await handle.result();
  saveHistory('delivery-steps-first-try-success.pb', await handle.fetchHistory());

  // The database goes away right after the POST: the recording step records it once it is back.
  let broken: Promise<void> | undefined;
  receiver.respondWith(() => {
    broken ??= setDatabaseReachable(false);
    return { status: 200, delayMs: 500 };
  });
  handle = await publishOne();
  await waitFor(async () => broken !== undefined);
  await broken;
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await setDatabaseReachable(true);
  await handle.result();
  saveHistory('delivery-steps-recorded-after-outage.pb', await handle.fetchHistory());

  // Cancel while the attempt step retries (the database away when the retry is due).
  await disable(endpointId);
  endpointId = await create({ strategy: 'schedule', delaysSeconds: [2], jitter: 0 });
  receiver.respondWith(() => ({ status: 500 }));
  handle = await publishOne();
  await waitFor(async () => (await handle.query(stateQuery)).status === 'retrying');
  await setDatabaseReachable(false);
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  await handle.signal(cancelSignal, { reason: 'recorded cancel' });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await setDatabaseReachable(true);
  await handle.result();
  saveHistory('delivery-steps-cancel-while-retrying.pb', await handle.fetchHistory());

  // A stored retry policy that does not parse: failed without a POST.
  await hookrelay.db
    .updateTable('endpoints')
    .set({ retry_policy: JSON.stringify({ strategy: 'forever' }) })
    .where('id', '=', endpointId)
    .execute();
  handle = await publishOne();
  await handle.result();
  saveHistory('delivery-steps-undeliverable.pb', await handle.fetchHistory());
});

// Issue 12: deliveries held back by the endpoint gate (deferred, woken by the wake signal, no
// attempt spent) and issue 16's disable as a step of its own (DISABLE_AS_STEP_PATCH).
test('record histories of the endpoint gate', async () => {
  const tenant = await createTenant(hookrelay, 'Gate');
  const create = async (extra: Record<string, unknown>) => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints`, {
      body: { name: 'g', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, ...extra },
    });
    if (res.status !== 201) throw new Error(`endpoint not created: ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const publishOne = async (resourceId?: string) => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, {
      body: { type: 'invoice.activated', data: {}, ...(resourceId && { resourceId }) },
    });
    const row = await hookrelay.db.selectFrom('deliveries').select('id').where('event_id', '=', res.body.id).executeTakeFirstOrThrow();
    return hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(row.id));
  };
  const disable = (id: string) => hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints/${id}/disable`, {});

  // A rate limit of 1/s: the fourth of four deliveries published at once waits for its slot.
  let endpointId = await create({ rateLimitPerSecond: 1 });
  receiver.respondWith(() => ({ status: 200 }));
  const limited = [];
  for (let i = 0; i < 4; i++) limited.push(await publishOne());
  await Promise.all(limited.map((handle) => handle.result()));
  saveHistory('delivery-gate-rate-limited.pb', await limited[3]!.fetchHistory());

  // FIFO: the head fails once and retries; the delivery behind it waits and is woken when it succeeds.
  await disable(endpointId);
  endpointId = await create({
    ordering: { mode: 'fifo', key: null },
    retryPolicy: { strategy: 'schedule', delaysSeconds: [1], jitter: 0 },
  });
  let calls = 0;
  receiver.respondWith(() => ({ status: calls++ === 0 ? 500 : 200 }));
  const head = await publishOne();
  const behind = await publishOne();
  await Promise.all([head.result(), behind.result()]);
  saveHistory('delivery-gate-ordered-head.pb', await head.fetchHistory());
  saveHistory('delivery-gate-ordered-behind.pb', await behind.fetchHistory());

  // 410 Gone: the endpoint is disabled by a step of its own, then the delivery finishes.
  await disable(endpointId);
  await create({});
  receiver.respondWith(() => ({ status: 410 }));
  const gone = await publishOne();
  await gone.result();
  saveHistory('delivery-gate-gone-disable-step.pb', await gone.fetchHistory());
});

// Issue 17: a batch published through the typed client (publishEventsWorkflow), one workflow for
// three events.
test('record the history of a batch publish', async () => {
  const tenant = await createTenant(hookrelay, 'Batch');
  await hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints`, {
    body: { name: 'b', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true },
  });
  receiver.respondWith(() => ({ status: 200 }));
  const events = [0, 1, 2].map((n) => ({ tenantId: tenant, type: 'invoice.activated', data: { n }, eventId: newId('evt') }));
  await publishEvents(hookrelay.temporal, events, { taskQueue: hookrelay.taskQueue });
  saveHistory('publish-batch-three-events.pb', await hookrelay.temporal.workflow.getHandle(publishBatchWorkflowId(events)).fetchHistory());
});

// Issue 14: replay jobs. A replay of three failed deliveries at 1/s (steps, waits, settling), one
// cancelled mid-way, and a recover (a replay of its own planned resends).
test('record histories of replays', async () => {
  const tenant = await createTenant(hookrelay, 'Replays');
  const created = await hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints`, {
    body: { name: 'p', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, rateLimitPerSecond: 1 },
  });
  const endpointId = created.body.id as string;
  receiver.respondWith(() => ({ status: 200 }));
  const replayed = async (name: string, start: () => Promise<string>, act: (replayId: string) => Promise<void> = async () => undefined) => {
    const replayId = await start();
    await act(replayId);
    const handle = hookrelay.temporal.workflow.getHandle(replayWorkflowId(replayId));
    await handle.result();
    saveHistory(`replay-${name}.pb`, await handle.fetchHistory());
  };
  const replay = async () => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/replays`, { body: { mode: 'failed' } });
    return res.body.id as string;
  };
  await seedFailedDeliveries(hookrelay.db, { tenantId: tenant, endpointId, count: 3, lastResponseStatus: 503 });
  await replayed('three-paced', replay);

  await seedFailedDeliveries(hookrelay.db, { tenantId: tenant, endpointId, count: 5, lastResponseStatus: 503 });
  await replayed('cancelled', replay, async (replayId) => {
    await waitFor(async () => receiver.requests.length >= 4);
    await hookrelay.request('POST', `/v1/tenants/${tenant}/replays/${replayId}/cancel`);
  });

  await seedFailedDeliveries(hookrelay.db, { tenantId: tenant, endpointId, count: 2, lastResponseStatus: 500 });
  await replayed('recover', async () => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints/${endpointId}/recover`, {
      body: { since: new Date(Date.now() - 3_600_000).toISOString() },
    });
    return res.body.replayId as string;
  });
});

// Issue 13: the endpoint statistics rollup run its Schedule starts (one activity).
test('record the history of a statistics rollup run', async () => {
  const handle = await hookrelay.temporal.workflow.start('endpointStatsRollupWorkflow', {
    taskQueue: hookrelay.taskQueue,
    workflowId: `stats-rollup-${randomUUID()}`,
    args: [],
  });
  await handle.result();
  saveHistory('stats-rollup-run.pb', await handle.fetchHistory());
});

// Issue 17: deliveryWorkflowV2, the delivery workflow type without patched() calls. Its paths:
// first try, retries, a resend and a cancel while retrying, a deferral by the endpoint gate,
// and 410 Gone (the endpoint disabled by its own step).
test('record histories of deliveryWorkflowV2', async () => {
  const tenant = await createTenant(hookrelay, 'V2');
  const create = async (extra: Record<string, unknown>) => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints`, {
      body: { name: 'v2', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, ...extra },
    });
    if (res.status !== 201) throw new Error(`endpoint not created: ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const publishOne = async () => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, { body: { type: 'invoice.activated', data: {} } });
    const row = await hookrelay.db.selectFrom('deliveries').select('id').where('event_id', '=', res.body.id).executeTakeFirstOrThrow();
    return { deliveryId: row.id, handle: hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(row.id)) };
  };
  const save = async (name: string, handle: Awaited<ReturnType<typeof publishOne>>['handle']) => {
    await handle.result();
    const described = await handle.describe();
    if (described.type !== 'deliveryWorkflowV2') throw new Error(`${name}: started as ${described.type}`);
    saveHistory(`delivery-v2-${name}.pb`, await handle.fetchHistory());
  };
  const disable = (id: string) => hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints/${id}/disable`, {});

  let endpointId = await create({ retryPolicy: { strategy: 'schedule', delaysSeconds: [1, 1], jitter: 0 } });
  receiver.respondWith(() => ({ status: 200 }));
  await save('first-try-success', (await publishOne()).handle);

  let calls = 0;
  receiver.respondWith(() => ({ status: calls++ < 2 ? 500 : 200 }));
  await save('three-attempts', (await publishOne()).handle);

  await disable(endpointId);
  endpointId = await create({ retryPolicy: { strategy: 'schedule', delaysSeconds: [3600], jitter: 0 } });
  const untilRetrying = (handle: Awaited<ReturnType<typeof publishOne>>['handle']) =>
    waitFor(async () => (await handle.query(stateQuery)).status === 'retrying');
  receiver.respondWith(() => ({ status: 500 }));
  let delivery = await publishOne();
  await untilRetrying(delivery.handle);
  receiver.respondWith(() => ({ status: 200 }));
  await hookrelay.request('POST', `/v1/tenants/${tenant}/deliveries/${delivery.deliveryId}/resend`);
  await save('resend', delivery.handle);

  receiver.respondWith(() => ({ status: 500 }));
  delivery = await publishOne();
  await untilRetrying(delivery.handle);
  await hookrelay.request('POST', `/v1/tenants/${tenant}/deliveries/${delivery.deliveryId}/cancel`);
  await save('cancel', delivery.handle);

  // A rate limit of 1/s: the last of four deliveries published at once is deferred, then sent.
  await disable(endpointId);
  endpointId = await create({ rateLimitPerSecond: 1 });
  receiver.respondWith(() => ({ status: 200 }));
  const limited = [];
  for (let i = 0; i < 4; i++) limited.push(await publishOne());
  await Promise.all(limited.map(({ handle }) => handle.result()));
  await save('rate-limited', limited[3]!.handle);

  await disable(endpointId);
  await create({});
  receiver.respondWith(() => ({ status: 410 }));
  await save('gone', (await publishOne()).handle);
});

// Records real workflow histories for the determinism guard (test/replay/replay.test.ts).
// Run `npm run record:histories` after a deliberate, compatible workflow change; commit the .pb files.
// Each scenario runs against a real worker, Temporal dev server, PostgreSQL and receiver.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { deliveryWorkflowId } from '../../src/domain/ids';
import { publishEvent, publishWorkflowId } from '../../src/temporal/client';
import { createTenant, ensureEventType } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

const OUT = path.join(__dirname, 'histories');
// Binary protobuf: exact, and independent of the JSON mapping's quirks across SDK versions.
const encode = (history: temporal.api.history.v1.IHistory) => temporal.api.history.v1.History.encode(history).finish();
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
// publish starts its delivery workflows directly). publish-with-children-*.pb are histories of
// the superseded publishWorkflow type (kept registered for runs in flight); keep them.
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
  writeFileSync(path.join(OUT, `delivery-${name}.pb`), encode(await handle.fetchHistory()));
  const publish = hookrelay.temporal.workflow.getHandle(publishWorkflowId({ tenantId, eventId: published.eventId }));
  writeFileSync(path.join(OUT, `publish-${name}.pb`), encode(await publish.fetchHistory()));
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

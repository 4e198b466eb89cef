// (e) Cost: history events, Temporal Cloud billable actions and database round trips per
// first-try delivery; billable actions per three-attempt delivery and per published event on each
// publish path (see billable-actions.ts for the rules).
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { activityUseCases } from '../../src/services/activity-use-cases';
import { WebhookHttpClient } from '../../src/activities/webhook-http';
import { markWorkflowsStarted } from '../../src/db/delivery-starts.repository';
import { newId } from '../../src/domain/ids';
import { SecretBox } from '../../src/domain/secret-box';
import { recordEvent } from '../../src/services/publishing.service';
import { publishBatchWorkflowId, publishEvent, publishEvents, publishWorkflowId } from '../../src/temporal/client';
import { createEndpoint } from '../../src/services/endpoints.service';
import { createTenant } from '../../src/services/tenants.service';
import { billableActions, type BillableActions } from './billable-actions';
import { publishViaApi } from './fixtures';
import type { RecordedEvent } from '../../src/workflows/contracts';
import { countingDatabase } from './counting-db';
import { TASK_QUEUE, type Stack } from './stack';

/** Events of the batch whose publish workflow is counted. */
const BATCH_EVENTS = 100;

/**
 * Billable actions from real histories: a first-try delivery and a three-attempt one (published
 * through the API: no publish workflow), and the publish workflows of the client paths, one event
 * and a batch of BATCH_EVENTS. One row per case, with what the actions are.
 */
export async function measureBillableActions(stack: Stack, tenantId: string) {
  const { ctx, temporal, receiver, db } = stack;
  const flaky = await createTenant(ctx, { name: 'bench-flaky' });
  await createEndpoint(ctx, flaky.id, {
    name: 'flaky',
    url: receiver.url('/flaky/2'),
    eventTypes: ['bench.event'],
    enabled: true,
    retryPolicy: { strategy: 'schedule', delaysSeconds: [1, 1], jitter: 0 },
  });
  const deliveryHistory = async (eventId: string) => {
    const row = await db.selectFrom('deliveries').select('workflow_id').where('event_id', '=', eventId).executeTakeFirstOrThrow();
    const handle = temporal.workflow.getHandle(row.workflow_id);
    await handle.result();
    return (await handle.fetchHistory()).events ?? [];
  };
  const workflowHistory = async (workflowId: string) => (await temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const firstTry = await deliveryHistory((await publishViaApi(stack, tenantId)()).eventId);
  const threeAttempts = await deliveryHistory((await publishViaApi(stack, flaky.id)()).eventId);
  const single = await publishEvent(temporal, { tenantId, type: 'bench.event', data: { n: 1 } }, { taskQueue: TASK_QUEUE });
  const batch = Array.from({ length: BATCH_EVENTS }, (_, n) => ({ tenantId, type: 'bench.event', data: { n }, eventId: newId('evt') }));
  await publishEvents(temporal, batch, { taskQueue: TASK_QUEUE });
  const singlePublish = billableActions(await workflowHistory(publishWorkflowId({ tenantId, eventId: single.eventId })));
  const batchPublish = billableActions(await workflowHistory(publishBatchWorkflowId(batch)));
  const delivery = billableActions(firstTry);
  const row = (name: string, actions: number, historyEvents: number | string, what: string) => ({
    case: name,
    // Two decimals: a batch's publish workflow is a fraction of an action per event.
    actions: actions.toFixed(2),
    historyEvents,
    what,
  });
  return [
    row('first-try delivery', delivery.total, firstTry.length, describe(delivery)),
    row('three-attempt delivery', billableActions(threeAttempts).total, threeAttempts.length, describe(billableActions(threeAttempts))),
    row('published event, API, 1 endpoint', delivery.total, '—', 'no publish workflow; the delivery only'),
    row('published event, client publishEvent', singlePublish.total + delivery.total, '—', `publish workflow: ${describe(singlePublish)}`),
    row(
      `published event, client publishEvents ×${BATCH_EVENTS}`,
      batchPublish.total / BATCH_EVENTS + delivery.total,
      '—',
      `publish workflow ${describe(batchPublish)}, shared by ${BATCH_EVENTS} events`,
    ),
  ];
}

function describe(actions: BillableActions): string {
  const parts = Object.entries(actions).filter(([kind, n]) => kind !== 'total' && kind !== 'changeVersionUpserts' && n > 0);
  const text = parts.map(([kind, n]) => `${kind} ${n}`).join(', ');
  return actions.changeVersionUpserts > 0 ? `${text} (+${actions.changeVersionUpserts} exempt patch upsert)` : text;
}

export async function measureCost({ ctx, temporal, databaseUrl, encryptionKey }: Stack, tenantId: string) {
  // History: a real delivery through the running worker, published through the Temporal client
  // so there is a publish workflow to count too (an API publish has none).
  const published = await publishEvent(temporal, { tenantId, type: 'bench.event', data: { n: 1 } }, { taskQueue: TASK_QUEUE });
  const delivery = await ctx.db
    .selectFrom('deliveries')
    .select(['id', 'workflow_id'])
    .where('event_id', '=', published.eventId)
    .executeTakeFirstOrThrow();
  const handle = temporal.workflow.getHandle(delivery.workflow_id);
  await handle.result();
  const deliveryEvents = (await handle.fetchHistory()).events?.length ?? 0;
  const publishEvents = (await temporal.workflow.getHandle(`publish-${published.eventId}`).fetchHistory()).events?.length ?? 0;

  // Round trips: the same activities on a pg pool that counts every query it sends.
  const { db: countingDb, roundTrips } = countingDatabase(databaseUrl);
  const services = { ...ctx, db: countingDb, secretBox: new SecretBox(encryptionKey) };
  const activities = createActivities({
    db: services.db,
    secretBox: services.secretBox,
    useCases: activityUseCases(services),
    http: new WebhookHttpClient({ allowPrivateNetworks: true }),
    userAgent: 'hookrelay/bench',
    defaultTimeoutMs: 15_000,
    disableFailingEndpointAfterMs: 5 * 24 * 3_600_000,
  });
  const env = new MockActivityEnvironment();
  const samples = 50;
  let recordRoundTrips = 0;
  let attemptRoundTrips = 0;
  for (let i = 0; i < samples; i++) {
    // The API's publish: record (one transaction) + mark started; the workflow starts cost no query.
    const before = roundTrips();
    const recorded: RecordedEvent = await recordEvent(
      countingDb,
      { eventId: newId('evt'), tenantId, type: 'bench.event', data: { i } },
      { freshEventId: true },
    );
    await markWorkflowsStarted(
      countingDb,
      recorded.deliveries.map((delivery) => delivery.deliveryId),
    );
    const mid = roundTrips();
    await env.run(activities.attemptDelivery, {
      deliveryId: recorded.deliveries[0]!.deliveryId,
      attemptNumber: 1,
      trigger: 'scheduled' as const,
    });
    recordRoundTrips += mid - before;
    attemptRoundTrips += roundTrips() - mid;
  }
  await countingDb.destroy();
  return {
    deliveryHistoryEvents: deliveryEvents,
    publishHistoryEvents: publishEvents,
    dbRoundTripsPerAttempt: attemptRoundTrips / samples,
    dbRoundTripsPerPublish: recordRoundTrips / samples,
  };
}

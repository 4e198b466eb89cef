// (e) Cost: history events and database round trips per first-try delivery.
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { activityUseCases } from '../../src/services/activity-use-cases';
import { WebhookHttpClient } from '../../src/activities/webhook-http';
import { markWorkflowsStarted } from '../../src/db/delivery-starts.repository';
import { newId } from '../../src/domain/ids';
import { SecretBox } from '../../src/domain/secret-box';
import { recordEvent } from '../../src/services/publishing.service';
import { publishEvent } from '../../src/temporal/client';
import type { RecordedEvent } from '../../src/workflows/contracts';
import { countingDatabase } from './counting-db';
import { TASK_QUEUE, type Stack } from './stack';

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

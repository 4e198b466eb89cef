// The daily retention run: partitions made ahead, whole days of attempts past the deployment's
// retention dropped, then each tenant's older rows purged in small batches (a tenant may keep
// less than the deployment; the deployment's own cutoff also catches the part of a day the
// dropped partitions did not cover). Portal sessions that ended more than a grace period ago go too.
import type { Kysely } from 'kysely';
import { dropAttemptPartitionsBefore, ensureAttemptPartitions } from '../db/attempt-partitions.repository';
import { purgePortalSessionsEndedBefore } from '../db/portal-sessions.repository';
import { listTenantRetentions, purgeStopRequestsBefore, purgeTenantOlderThan } from '../db/retention.repository';
import type { Database } from '../db/schema';
import { DAY_MS, partitionWindow } from '../domain/attempt-partitions';
import { PORTAL_SESSION_GRACE_DAYS } from '../domain/portal-sessions';
import type { PurgeResult } from '../workflows/contracts';

/** Rows per purge statement: each batch is a short transaction that holds its row locks briefly. */
export const PURGE_BATCH_SIZE = 1000;

export async function purgeExpiredLog(
  db: Kysely<Database>,
  options: { retentionDays: number; batchSize: number; now: Date },
): Promise<PurgeResult> {
  const window = partitionWindow(options.now);
  const partitionsCreated = await ensureAttemptPartitions(db, window.from, window.to);
  const cutoff = new Date(options.now.getTime() - options.retentionDays * DAY_MS);
  const partitionsDropped = await dropAttemptPartitionsBefore(db, cutoff);
  const result = { attempts: 0, deliveries: 0, events: 0, partitionsCreated, partitionsDropped, tenantsWithShorterRetention: 0 };
  for (const tenant of await listTenantRetentions(db)) {
    const shorter = tenant.retention_days !== null && tenant.retention_days < options.retentionDays;
    if (shorter) result.tenantsWithShorterRetention++;
    const tenantCutoff = shorter ? new Date(options.now.getTime() - tenant.retention_days! * DAY_MS) : cutoff;
    const purged = await purgeTenantOlderThan(db, tenant.id, tenantCutoff, options.batchSize);
    result.attempts += purged.attempts;
    result.deliveries += purged.deliveries;
    result.events += purged.events;
  }
  await purgeStopRequestsBefore(db, cutoff);
  const sessionsEndedBefore = new Date(options.now.getTime() - PORTAL_SESSION_GRACE_DAYS * DAY_MS);
  const portalSessions = await purgePortalSessionsEndedBefore(db, sessionsEndedBefore, options.batchSize);
  return { ...result, portalSessions };
}

// Portal sessions are pruned by the retention run once they have ended (expired or revoked) for
// a grace period: these indexes let each batch find them without reading the live ones.
// Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('portal_sessions_expires_idx').on('portal_sessions').column('expires_at').execute();
  await db.schema
    .createIndex('portal_sessions_revoked_idx')
    .on('portal_sessions')
    .column('revoked_at')
    .where(sql.ref('revoked_at'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('portal_sessions_revoked_idx').execute();
  await db.schema.dropIndex('portal_sessions_expires_idx').execute();
}

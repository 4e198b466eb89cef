// Payload filters (issue 14): an endpoint's `filter` (jsonb, validated on write; null: every
// subscribed event). Frozen in time: no app imports.
import { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('endpoints').addColumn('filter', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('endpoints').dropColumn('filter').execute();
}

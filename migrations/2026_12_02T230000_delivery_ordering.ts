// Ordered delivery per endpoint (issue 12): an endpoint may ask for FIFO (`ordering`), and each
// delivery to it takes a position in its line at insert. The position comes from a counter on the
// endpoint's row, taken by a trigger in the inserting statement itself: every path that records a
// delivery (publish fan-out, resend, recover, test and operational events) gets one, and the row
// lock it takes makes positions follow commit order. Deliveries to an unordered endpoint keep a
// null position. Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('endpoints')
    .addColumn('ordering', 'jsonb')
    .addColumn('ordering_next_position', 'bigint', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('deliveries').addColumn('ordering_position', 'bigint').execute();
  await sql`
    create function deliveries_take_ordering_position() returns trigger language plpgsql as $$
    begin
      if new.ordering_position is null then
        update endpoints set ordering_next_position = ordering_next_position + 1
          where id = new.endpoint_id and ordering is not null
          returning ordering_next_position into new.ordering_position;
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger deliveries_ordering_position before insert on deliveries
    for each row execute function deliveries_take_ordering_position()`.execute(db);
  // The lines' open deliveries only: the head check and the hand-over read a few index entries.
  await db.schema
    .createIndex('deliveries_ordering_line_idx')
    .on('deliveries')
    .columns(['endpoint_id', 'ordering_position', 'id'])
    .where(sql<boolean>`ordering_position is not null and status in ('pending', 'retrying', 'waiting')`)
    .execute();
  await db.schema
    .createIndex('deliveries_ordering_resource_line_idx')
    .on('deliveries')
    .columns(['endpoint_id', 'resource_id', 'ordering_position', 'id'])
    .where(sql<boolean>`ordering_position is not null and status in ('pending', 'retrying', 'waiting')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_ordering_resource_line_idx').ifExists().execute();
  await db.schema.dropIndex('deliveries_ordering_line_idx').ifExists().execute();
  await sql`drop trigger if exists deliveries_ordering_position on deliveries`.execute(db);
  await sql`drop function if exists deliveries_take_ordering_position()`.execute(db);
  await db.schema.alterTable('deliveries').dropColumn('ordering_position').execute();
  await db.schema.alterTable('endpoints').dropColumn('ordering').dropColumn('ordering_next_position').execute();
}

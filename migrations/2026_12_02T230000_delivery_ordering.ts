// Ordered delivery per endpoint (issue 12): an endpoint may ask for FIFO (`ordering`), and each
// delivery to it takes a position in its line at insert. The position comes from a counter on the
// endpoint's row, taken by a trigger at the end of the inserting statement: every path that
// records a delivery (publish fan-out, resend, recover, test and operational events) gets one, and
// the row lock it takes makes positions follow commit order. Deliveries to an unordered endpoint
// keep a null position. Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('endpoints')
    .addColumn('ordering', 'jsonb')
    .addColumn('ordering_next_position', 'bigint', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('deliveries').addColumn('ordering_position', 'bigint').execute();
  // One statement-level trigger per insert: it reads the inserted rows once against the few
  // ordered endpoints (partial index), so a fan-out to unordered endpoints pays one cheap lookup.
  await db.schema.createIndex('endpoints_ordered_idx').on('endpoints').column('id').where(sql.ref('ordering'), 'is not', null).execute();
  // One loop turn per ordered endpoint of the insert (usually none or one): its counter moves on by
  // the number of its new deliveries, which take the positions in id (creation) order.
  await sql`
    create function deliveries_take_ordering_positions() returns trigger language plpgsql as $$
    declare
      line record;
      last_position bigint;
    begin
      for line in
        select i.endpoint_id, count(*) as n, array_agg(i.id order by i.id) as ids
        from inserted i
        where i.ordering_position is null
          and i.endpoint_id in (select e.id from endpoints e where e.ordering is not null)
        group by i.endpoint_id
      loop
        update endpoints set ordering_next_position = ordering_next_position + line.n
          where id = line.endpoint_id
          returning ordering_next_position into last_position;
        update deliveries d set ordering_position = last_position - line.n + u.ord
          from unnest(line.ids) with ordinality as u(id, ord)
          where d.id = u.id;
      end loop;
      return null;
    end $$`.execute(db);
  await sql`create trigger deliveries_ordering_positions after insert on deliveries
    referencing new table as inserted for each statement execute function deliveries_take_ordering_positions()`.execute(db);
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
  await sql`drop trigger if exists deliveries_ordering_positions on deliveries`.execute(db);
  await sql`drop function if exists deliveries_take_ordering_positions()`.execute(db);
  await db.schema.dropIndex('endpoints_ordered_idx').ifExists().execute();
  await db.schema.alterTable('deliveries').dropColumn('ordering_position').execute();
  await db.schema.alterTable('endpoints').dropColumn('ordering').dropColumn('ordering_next_position').execute();
}

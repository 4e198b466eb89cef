// Initial schema for the whole domain (SPEC §3). Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('metadata', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('key_prefix', 'text', (col) => col.notNull())
    .addColumn('scopes', sql`text[]`, (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_tenant_idx').on('api_keys').column('tenant_id').execute();

  await db.schema
    .createTable('event_types')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('group_name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('schema', 'jsonb')
    .addColumn('archived', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('endpoints')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('event_types', sql`text[]`, (col) => col.notNull())
    .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('disabled_reason', 'text')
    .addColumn('auth_type', 'text', (col) => col.notNull().defaultTo('none'))
    // JSON of the auth settings, sealed with AES-256-GCM (it holds passwords and tokens).
    .addColumn('auth_sealed', 'text')
    .addColumn('headers', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('retry_policy', 'jsonb')
    .addColumn('timeout_ms', 'integer')
    .addColumn('rate_limit_per_second', 'integer')
    .addColumn('metadata', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    // Set when a delivery to this endpoint fails for good, cleared on any success:
    // drives "all deliveries failed for N days" auto-disable.
    .addColumn('failing_since', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('endpoints_tenant_created_idx')
    .on('endpoints')
    .columns(['tenant_id', 'created_at desc', 'id desc'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('endpoint_secrets')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('endpoint_id', 'text', (col) => col.notNull().references('endpoints.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // null: the current secret; otherwise a rotated-out secret still signing until then.
    .addColumn('expires_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('endpoint_secrets_endpoint_idx').on('endpoint_secrets').column('endpoint_id').execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('data', 'jsonb', (col) => col.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('operation', 'text')
    .addColumn('previous', 'jsonb')
    .addColumn('triggered_by', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('events_tenant_created_idx').on('events').columns(['tenant_id', 'created_at desc', 'id desc']).execute();
  await db.schema
    .createIndex('events_tenant_type_created_idx')
    .on('events')
    .columns(['tenant_id', 'type', 'created_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('events_tenant_resource_created_idx')
    .on('events')
    .columns(['tenant_id', 'resource_id', 'created_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('events_tenant_idempotency_idx')
    .on('events')
    .columns(['tenant_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('endpoint_id', 'text', (col) => col.notNull().references('endpoints.id').onDelete('cascade'))
    // Copied from the event so every log filter is one index scan.
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('attempt_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('last_response_status', 'integer')
    .addColumn('last_error_kind', 'text')
    .addColumn('status_reason', 'text')
    .addColumn('retry_of_id', 'text', (col) => col.references('deliveries.id').onDelete('set null'))
    .addColumn('workflow_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  for (const column of ['endpoint_id', 'status', 'event_type', 'resource_id'] as const) {
    await db.schema
      .createIndex(`deliveries_tenant_${column}_created_idx`)
      .on('deliveries')
      .columns(['tenant_id', column, 'created_at desc', 'id desc'])
      .execute();
  }
  await db.schema
    .createIndex('deliveries_tenant_created_idx')
    .on('deliveries')
    .columns(['tenant_id', 'created_at desc', 'id desc'])
    .execute();
  await db.schema.createIndex('deliveries_event_idx').on('deliveries').column('event_id').execute();

  await db.schema
    .createTable('attempts')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('delivery_id', 'text', (col) => col.notNull().references('deliveries.id').onDelete('cascade'))
    .addColumn('number', 'integer', (col) => col.notNull())
    .addColumn('trigger', 'text', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('request_url', 'text', (col) => col.notNull())
    .addColumn('request_headers', 'jsonb', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'jsonb')
    .addColumn('response_body', 'text')
    .addColumn('error_kind', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // One row per attempt number: a retried activity that already recorded its attempt does not record it twice.
  await db.schema.createIndex('attempts_delivery_number_idx').on('attempts').columns(['delivery_id', 'number']).unique().execute();
  await db.schema.createIndex('attempts_created_idx').on('attempts').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['attempts', 'deliveries', 'events', 'endpoint_secrets', 'endpoints', 'event_types', 'api_keys', 'tenants']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

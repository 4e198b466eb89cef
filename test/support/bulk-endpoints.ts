// Seeds many subscribed endpoints at once (fan-out tests and `npm run bench:fanout`): one
// statement for the endpoints and one for their signing secrets, ids passed as arrays. Creating
// 20,000 through the API would take minutes and measure the API, not the fan-out.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { newId } from '../../src/domain/ids';
import type { SecretBox } from '../../src/domain/secret-box';
import { generateSigningSecret } from '../../src/domain/signature';

export interface BulkEndpointsOptions {
  tenantId: string;
  eventType: string;
  count: number;
  /** The URL of the i-th endpoint (0-based). */
  url: (index: number) => string;
  /** Seals the one signing secret every endpoint shares (deliveries need one to sign). */
  secretBox: SecretBox;
  secret?: string;
}

/** Inserts `count` enabled endpoints subscribed to `eventType`; returns their ids in index order. */
export async function insertSubscribedEndpoints(db: Kysely<Database>, options: BulkEndpointsOptions): Promise<string[]> {
  const ids = Array.from({ length: options.count }, () => newId('ep'));
  const urls = ids.map((_, index) => options.url(index));
  const sealed = options.secretBox.seal(options.secret ?? generateSigningSecret());
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into endpoints (id, tenant_id, name, url, event_types, enabled)
      select seeded.id, ${options.tenantId}, 'endpoint ' || seeded.n, seeded.url, array[${options.eventType}::text], true
      from unnest(${ids}::text[], ${urls}::text[]) with ordinality as seeded(id, url, n)`.execute(trx);
    await sql`insert into endpoint_secrets (endpoint_id, secret_sealed) select unnest(${ids}::text[]), ${sealed}`.execute(trx);
  });
  return ids;
}

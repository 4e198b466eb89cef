// Queries of the re-seal command: every column holding sealed secrets, read in id order in
// batches of the values not yet sealed by the current key, and written back only if unchanged.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { StoredHeaders } from '../domain/endpoint-headers';
import type { Database } from './schema';

/** LIKE pattern of a value sealed by `keyId` (ids may contain "_", a LIKE wildcard). */
const sealedByPattern = (keyId: string) => `v2.${keyId.replace(/[\\%_]/g, (c) => '\\' + c)}.%`;

export async function signingSecretsNotSealedBy(db: Kysely<Database>, keyId: string, afterId: string, limit: number) {
  return db
    .selectFrom('endpoint_secrets')
    .select(['id', 'secret_sealed as sealed'])
    .where(sql<boolean>`id > ${afterId}::bigint`)
    .where('secret_sealed', 'not like', sealedByPattern(keyId))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** false when the value changed since it was read (a rotation meanwhile): left as the writer left it. */
export async function replaceSigningSecret(trx: Transaction<Database>, id: string, from: string, to: string): Promise<boolean> {
  const result = await trx
    .updateTable('endpoint_secrets')
    .set({ secret_sealed: to })
    .where(sql<boolean>`id = ${id}::bigint`)
    .where('secret_sealed', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Soft-deleted endpoints included: their rows keep sealed credentials too. */
export async function endpointAuthNotSealedBy(db: Kysely<Database>, keyId: string, afterId: string, limit: number) {
  return db
    .selectFrom('endpoints')
    .select(['id', 'auth_sealed as sealed'])
    .where('id', '>', afterId)
    .where('auth_sealed', 'is not', null)
    .where('auth_sealed', 'not like', sealedByPattern(keyId))
    .orderBy('id')
    .limit(limit)
    .execute() as Promise<Array<{ id: string; sealed: string }>>;
}

export async function replaceEndpointAuth(trx: Transaction<Database>, id: string, from: string, to: string): Promise<boolean> {
  const result = await trx
    .updateTable('endpoints')
    .set({ auth_sealed: to })
    .where('id', '=', id)
    .where('auth_sealed', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Endpoints with at least one secret custom header (the caller checks which need re-sealing). */
export async function endpointsWithSecretHeaders(db: Kysely<Database>, afterId: string, limit: number) {
  return db
    .selectFrom('endpoints')
    .select(['id', 'headers'])
    .where('id', '>', afterId)
    .where(sql<boolean>`jsonb_path_exists(headers, '$.* ? (@.type() == "object")')`)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function replaceEndpointHeaders(
  trx: Transaction<Database>,
  id: string,
  from: StoredHeaders,
  to: StoredHeaders,
): Promise<boolean> {
  const result = await trx
    .updateTable('endpoints')
    .set({ headers: JSON.stringify(to) })
    .where('id', '=', id)
    .where(sql<boolean>`headers = ${JSON.stringify(from)}::jsonb`)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

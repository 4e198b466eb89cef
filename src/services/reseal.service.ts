// Re-seals every stored secret with the current (newest) encryption key, so older keys can be
// retired. Resumable: each batch commits on its own, and a run only reads values not yet sealed
// by the current key, so an interrupted run is finished by running it again.
import type { Kysely, Transaction } from 'kysely';
import {
  endpointAuthNotSealedBy,
  endpointsWithSecretHeaders,
  replaceEndpointAuth,
  replaceEndpointHeaders,
  replaceSigningSecret,
  signingSecretsNotSealedBy,
} from '../db/sealed-secrets.repository';
import type { Database } from '../db/schema';
import { resealCustomHeaders } from '../domain/endpoint-headers';
import { SecretKeyUnavailableError } from '../domain/errors';
import type { SecretBox } from '../domain/secret-box';

export const RESEAL_TABLES = ['endpoint_secrets.secret_sealed', 'endpoints.auth_sealed', 'endpoints.headers'] as const;
export type ResealTable = (typeof RESEAL_TABLES)[number];

export interface TableReport {
  /** Values now sealed by the current key. */
  resealed: number;
  /** Values no configured key opens, by the key id they name: left as they are. */
  skipped: Record<string, number>;
  /** Values changed by someone else between read and write (e.g. a rotation): left to that writer. */
  changedMeanwhile: number;
}

export interface ResealReport {
  keyId: string;
  tables: Record<ResealTable, TableReport>;
  /** False when stopped (signal) before every table was done: run again to finish. */
  complete: boolean;
}

export interface ResealOptions {
  batchSize?: number;
  /** Checked between batches; everything committed so far stays. */
  signal?: AbortSignal;
  /** After each committed batch (progress output). */
  onBatch?: (table: ResealTable, report: TableReport) => void;
  /** A value no configured key opens (the key id it names). */
  onSkipped?: (table: ResealTable, rowId: string, error: SecretKeyUnavailableError) => void;
}

interface Batch<Row> {
  read(afterId: string, limit: number): Promise<Row[]>;
  id(row: Row): string;
  /** The new value, or null when nothing changes; throws SecretKeyUnavailableError to skip. */
  reseal(row: Row): unknown;
  write(trx: Transaction<Database>, row: Row, next: unknown): Promise<boolean>;
}

export async function resealSecrets(db: Kysely<Database>, box: SecretBox, options: ResealOptions = {}): Promise<ResealReport> {
  const batchSize = options.batchSize ?? 500;
  const keyId = box.currentKeyId;
  const empty = (): TableReport => ({ resealed: 0, skipped: {}, changedMeanwhile: 0 });
  const report: ResealReport = {
    keyId,
    tables: { 'endpoint_secrets.secret_sealed': empty(), 'endpoints.auth_sealed': empty(), 'endpoints.headers': empty() },
    complete: false,
  };

  const run = async <Row>(table: ResealTable, batch: Batch<Row>): Promise<boolean> => {
    const tableReport = report.tables[table];
    let afterId = table === 'endpoint_secrets.secret_sealed' ? '0' : '';
    for (;;) {
      if (options.signal?.aborted) return false;
      const rows = await batch.read(afterId, batchSize);
      if (rows.length === 0) return true;
      afterId = batch.id(rows[rows.length - 1]!);
      const changes: Array<{ row: Row; next: unknown }> = [];
      for (const row of rows) {
        try {
          const next = batch.reseal(row);
          if (next !== null) changes.push({ row, next });
        } catch (error) {
          if (!(error instanceof SecretKeyUnavailableError)) throw error;
          tableReport.skipped[error.keyId] = (tableReport.skipped[error.keyId] ?? 0) + 1;
          options.onSkipped?.(table, batch.id(row), error);
        }
      }
      await db.transaction().execute(async (trx) => {
        for (const { row, next } of changes) {
          if (await batch.write(trx, row, next)) tableReport.resealed++;
          else tableReport.changedMeanwhile++;
        }
      });
      options.onBatch?.(table, tableReport);
    }
  };

  type SealedRow = { id: string; sealed: string };
  const sealedColumn = {
    reseal: (row: SealedRow) => box.seal(box.open(row.sealed)),
    id: (row: SealedRow) => row.id,
  };
  const done =
    (await run<SealedRow>('endpoint_secrets.secret_sealed', {
      ...sealedColumn,
      read: (afterId, limit) => signingSecretsNotSealedBy(db, keyId, afterId, limit),
      write: (trx, row, next) => replaceSigningSecret(trx, row.id, row.sealed, next as string),
    })) &&
    (await run<SealedRow>('endpoints.auth_sealed', {
      ...sealedColumn,
      read: (afterId, limit) => endpointAuthNotSealedBy(db, keyId, afterId, limit),
      write: (trx, row, next) => replaceEndpointAuth(trx, row.id, row.sealed, next as string),
    })) &&
    (await run('endpoints.headers', {
      read: (afterId, limit) => endpointsWithSecretHeaders(db, afterId, limit),
      id: (row) => row.id,
      reseal: (row) => resealCustomHeaders(row.headers, box),
      write: (trx, row, next) => replaceEndpointHeaders(trx, row.id, row.headers, next as typeof row.headers),
    }));
  report.complete = done;
  return report;
}

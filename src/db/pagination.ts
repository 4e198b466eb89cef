// Keyset pagination, newest first, over (created_at, id): stable while rows are inserted,
// because a cursor names a position, not an offset.
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';

export interface PageCursor {
  createdAt: Date;
  id: string;
}

// Ids are plain tokens (prefix_ulid): NUL bytes and other text never reach a query through a cursor.
const cursorPayload = z.strictObject({ t: z.iso.datetime(), id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) });

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt.toISOString(), id: cursor.id })).toString('base64url');
}

/** Returns null when the text is not a cursor this API issued. */
export function decodeCursor(text: string): PageCursor | null {
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data.t), id: parsed.data.id } : null;
  } catch {
    return null;
  }
}

/**
 * Rows after the cursor in (created_at desc, id desc) order. A row comparison rather than
 * `a < x or (a = x and b < y)`, so PostgreSQL uses it as an index bound: a deep page costs the
 * same as the first.
 */
export function afterCursor(cursor: PageCursor): RawBuilder<boolean> {
  return sql<boolean>`(created_at, id) < (${cursor.createdAt}, ${cursor.id})`;
}

/**
 * True when every row after the cursor is already before `until`. The `until` bound is then left
 * out of the query: PostgreSQL can start an index scan from only one upper bound on created_at,
 * and with both it picks `until` and walks every row between it and the cursor.
 */
export function cursorImpliesUntil(cursor: PageCursor | undefined, until: Date): boolean {
  return cursor !== undefined && cursor.createdAt.getTime() < until.getTime();
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Given `limit + 1` rows, returns at most `limit` and the cursor to the rest. */
export function toPage<T extends { created_at: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null };
}

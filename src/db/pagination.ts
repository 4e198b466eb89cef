// Keyset pagination, newest first, over (created_at, id): stable while rows are inserted,
// because a cursor names a position, not an offset.
import { sql, type RawBuilder } from 'kysely';

export interface PageCursor {
  createdAt: Date;
  id: string;
}

/**
 * A cursor is `<created_at in epoch milliseconds>.<id>`: a shape a regular expression states
 * exactly (the OpenAPI document carries CURSOR_PATTERN), so every string that fits it is a position
 * this API can resume from, and nothing else is. Ids are plain tokens (prefix_ulid): NUL bytes
 * and other text never reach a query through a cursor.
 */
export const CURSOR_PATTERN = /^\d{1,15}\.[A-Za-z0-9_-]{1,100}$/;

export function encodeCursor(cursor: PageCursor): string {
  return `${cursor.createdAt.getTime()}.${cursor.id}`;
}

/** Returns null when the text is not of the cursor's shape. */
export function decodeCursor(text: string): PageCursor | null {
  if (!CURSOR_PATTERN.test(text)) return null;
  const dot = text.indexOf('.');
  return { createdAt: new Date(Number(text.slice(0, dot))), id: text.slice(dot + 1) };
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

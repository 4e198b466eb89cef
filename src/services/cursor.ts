// The page a list request asks for (`limit`, `cursor`), read for the repositories' keyset pagination.
import { decodeCursor, type PageCursor } from '../db/pagination';
import { InvalidInputError } from '../domain/errors';

/** The `cursor` query parameter, decoded; a cursor this API did not issue is a 400. */
export function readCursor(text: string | undefined): PageCursor | undefined {
  if (text === undefined) return undefined;
  const cursor = decodeCursor(text);
  if (!cursor) throw new InvalidInputError('Invalid cursor', [{ path: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  return cursor;
}

/** A page of a list: at most `limit` rows after `cursor` (api/schemas' paginationQuery satisfies it). */
export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

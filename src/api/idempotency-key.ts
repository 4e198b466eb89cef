// The API's idempotency convention: a key in the `Idempotency-Key` header or the body's
// `idempotencyKey` field (the same if both), 1 to 255 characters; the service keeps it 24 h.
import type { Request } from 'express';
import { InvalidInputError } from '../domain/errors';

export function idempotencyKeyOf(req: Request, bodyKey: string | undefined): string | undefined {
  const headerKey = req.get('idempotency-key');
  if (headerKey !== undefined && bodyKey !== undefined && headerKey !== bodyKey) {
    throw new InvalidInputError('Idempotency key given twice', [
      { path: 'headers.idempotency-key', message: 'differs from body.idempotencyKey' },
    ]);
  }
  if (headerKey !== undefined && (headerKey.length < 1 || headerKey.length > 255)) {
    throw new InvalidInputError('Invalid idempotency key', [{ path: 'headers.idempotency-key', message: 'must be 1 to 255 characters' }]);
  }
  return bodyKey ?? headerKey;
}

// Cursors: what the API issues round-trips exactly; anything else is refused.
import { cursorImpliesUntil, decodeCursor, encodeCursor, toPage } from '../../src/db/pagination';
import { readCursor } from '../../src/services/cursor';
import { InvalidInputError } from '../../src/domain/errors';

describe('cursor pagination', () => {
  const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 'dlv_01abc' };

  it('round-trips a cursor it issued', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(readCursor(encodeCursor(position))).toEqual(position);
    expect(readCursor(undefined)).toBeUndefined();
  });

  it.each([
    '',
    'garbage',
    Buffer.from('{"t":"yesterday","id":"x"}').toString('base64url'),
    Buffer.from('{"t":"2026-01-01T00:00:00Z","id":"x","extra":1}').toString('base64url'),
    Buffer.from('[1]').toString('base64url'),
  ])('refuses %j', (text) => {
    expect(decodeCursor(text)).toBeNull();
    expect(() => readCursor(text)).toThrow(InvalidInputError);
  });

  it('returns the cursor of the last row only when more rows exist', () => {
    const rows = [3, 2, 1].map((n) => ({ id: `r${n}`, created_at: new Date(n * 1000) }));
    const page = toPage(rows, 2);
    expect(page.data.map((r) => r.id)).toEqual(['r3', 'r2']);
    expect(decodeCursor(page.nextCursor!)).toEqual({ createdAt: new Date(2000), id: 'r2' });
    expect(toPage(rows, 3).nextCursor).toBeNull();
  });

  it('drops the until bound only when the cursor is already before it', () => {
    expect(cursorImpliesUntil(undefined, new Date(5000))).toBe(false);
    expect(cursorImpliesUntil({ createdAt: new Date(4999), id: 'x' }, new Date(5000))).toBe(true);
    expect(cursorImpliesUntil({ createdAt: new Date(5000), id: 'x' }, new Date(5000))).toBe(false);
  });
});

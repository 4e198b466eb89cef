import { describeDatabaseError, isPermanentDatabaseError } from '../../src/db/database-errors';

const pgError = (code: string, message = 'refused') => Object.assign(new Error(message), { code });

describe('isPermanentDatabaseError', () => {
  it.each(['22P05', '22021', '22003', '23514', '23503', '42703', '54000'])('%s (a refused value or a bug) is permanent', (code) => {
    expect(isPermanentDatabaseError(pgError(code))).toBe(true);
  });
  it.each(['08006', '57P01', '57P03', '53300', '40001', '40P01'])('%s (the database unavailable or busy) is transient', (code) => {
    expect(isPermanentDatabaseError(pgError(code))).toBe(false);
  });
  it('treats network errors as transient', () => {
    expect(isPermanentDatabaseError(pgError('ECONNREFUSED'))).toBe(false);
    expect(isPermanentDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(false);
  });
  it('treats an error serialising the input as permanent', () => {
    expect(isPermanentDatabaseError(new TypeError('Do not know how to serialize a BigInt'))).toBe(true);
  });
});

describe('describeDatabaseError', () => {
  it('names the SQLSTATE', () => {
    expect(describeDatabaseError(pgError('22P05', 'unsupported Unicode escape sequence'))).toBe(
      'SQLSTATE 22P05: unsupported Unicode escape sequence',
    );
    expect(describeDatabaseError(new Error('Connection terminated'))).toBe('Connection terminated');
  });
});

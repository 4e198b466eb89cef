// Which database errors are permanent (the same statement will fail again, whatever the wait)
// and which are our transient faults (connection lost, database restarting) worth retrying.

/** SQLSTATE classes that depend on the values sent, not on the database's health. */
const PERMANENT_SQLSTATE_CLASSES = new Set([
  '22', // data exception: NUL in text or jsonb (22P05, 22021), value out of range, …
  '23', // integrity constraint violation: check, foreign key (the delivery was purged), …
  '42', // syntax error or access rule violation (a bug: retrying cannot fix it)
  '54', // program limit exceeded (a row or value too large)
]);

export function isPermanentDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  // Thrown before anything reached the database (serialising a value): the same input fails again.
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError;
}

/** "SQLSTATE 22P05: unsupported Unicode escape sequence" or the error's message. */
export function describeDatabaseError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? `SQLSTATE ${code}: ${text}` : text;
}

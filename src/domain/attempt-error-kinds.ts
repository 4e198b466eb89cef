// The vocabulary of a failed attempt: the error kinds the attempt log records (activities/webhook-http.ts
// classifies them) and the response status classes the delivery log filters by.

export const ATTEMPT_ERROR_KINDS = [
  'timeout',
  'dns',
  'connection',
  'tls',
  'ssrf_blocked',
  /** The response's status line and headers exceed the header limit. */
  'too_large',
  /** Not HTTP: a malformed status line or header, a bad chunked encoding. */
  'invalid_response',
  'invalid_url',
  /** The POST happened but its details could not be stored (set by the recording, never by the HTTP client). */
  'record_failed',
  'unknown',
] as const;

export type AttemptErrorKind = (typeof ATTEMPT_ERROR_KINDS)[number];

/** Final answers only: undici consumes 1xx informational responses itself. */
export const RESPONSE_STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

export type ResponseStatusClass = (typeof RESPONSE_STATUS_CLASSES)[number];

/** The statuses of a class, both ends inclusive: `5xx` is 500–599. */
export function statusClassRange(statusClass: ResponseStatusClass): { min: number; max: number } {
  const hundreds = Number(statusClass[0]) * 100;
  return { min: hundreds, max: hundreds + 99 };
}

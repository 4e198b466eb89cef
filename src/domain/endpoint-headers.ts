// Custom headers an endpoint may add: valid names, and none that would override what
// hookrelay itself must control (framing, signing, identity). A value may be secret: it is
// then sealed at rest (`{ "sealed": "v2.…" }` in endpoints.headers) and shown as "[redacted]".
import { z } from 'zod';
import { InvalidInputError } from './errors';

/** What answers and the attempt log show instead of a credential or secret header value. */
export const REDACTED = '[redacted]';

/**
 * A value HTTP can carry (RFC 9110 field-value, as Node checks it): no CR, LF, NUL or other
 * control characters, nothing beyond U+00FF. Anything else would be header injection, or a
 * delivery that fails on every attempt.
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
export const HEADER_VALUE_MESSAGE = 'must not contain CR, LF, NUL or other control characters (nor characters beyond U+00FF)';

export const headerValueSchema = (maxLength: number) => z.string().max(maxLength).regex(HEADER_VALUE, HEADER_VALUE_MESSAGE);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
  'authorization',
  'cookie',
]);
const RESERVED_PREFIXES = ['webhook-', 'proxy-', 'sec-', 'x-forwarded-'];

export function reservedHeaderReason(name: string): string | null {
  const lower = name.toLowerCase();
  if (!TOKEN.test(name)) return 'is not a valid HTTP header name';
  if (RESERVED.has(lower)) return 'is set by hookrelay and cannot be overridden';
  if (RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) return 'is reserved and cannot be overridden';
  return null;
}

/** Either case of each letter, for a regular expression without flags (JSON Schema has none). */
function anyCase(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
}

/**
 * reservedHeaderReason as one regular expression, for the OpenAPI document: a token that is none
 * of the reserved names and starts with none of the reserved prefixes (`authorization` allowed
 * where the endpoint's auth header names it).
 */
export function headerNamePattern(options: { allowAuthorization: boolean }): string {
  const names = [...RESERVED].filter((name) => !(options.allowAuthorization && name === 'authorization')).map(anyCase);
  const prefixes = RESERVED_PREFIXES.map(anyCase);
  return `^(?!(?:${names.join('|')})$)(?!(?:${prefixes.join('|')}))${TOKEN.source.slice(1)}`;
}

/** `"x-api-key": { "value": "…", "secret": true }`: sealed at rest, redacted in answers and the attempt log. */
const secretHeaderInput = z.strictObject({ value: headerValueSchema(8192), secret: z.boolean() });

export const customHeadersSchema = z
  .record(z.string().max(256), z.union([headerValueSchema(8192), secretHeaderInput]))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 custom headers' });
    for (const name of names) {
      const reason = reservedHeaderReason(name);
      if (reason) ctx.addIssue({ code: 'custom', path: [name], message: `header "${name}" ${reason}` });
    }
  })
  .meta({ propertyNames: { maxLength: 256, pattern: headerNamePattern({ allowAuthorization: false }) }, maxProperties: 50 });

export type CustomHeadersInput = z.infer<typeof customHeadersSchema>;

/** endpoints.headers as stored: plain values as strings, secret ones sealed. */
export type StoredHeaderValue = string | { sealed: string };
export type StoredHeaders = Record<string, StoredHeaderValue>;

/** A secret header as answers show it. */
export interface RedactedSecretHeader {
  value: typeof REDACTED;
  secret: true;
}

const isSealed = (value: StoredHeaderValue): value is { sealed: string } => typeof value === 'object' && value !== null;

/**
 * The stored form of `input`. A secret header sent back as "[redacted]" (as answers show it)
 * keeps the value already stored under that name; with none stored it is refused.
 */
export function sealCustomHeaders(
  input: CustomHeadersInput,
  seal: (plaintext: string) => string,
  current: StoredHeaders = {},
): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === 'string' || !value.secret) {
      stored[name] = typeof value === 'string' ? value : value.value;
    } else if (value.value === REDACTED) {
      const kept = Object.entries(current).find(([currentName, v]) => currentName.toLowerCase() === name.toLowerCase() && isSealed(v))?.[1];
      if (!kept) {
        throw new InvalidInputError('Redacted header value sent back', [
          { path: `body.headers.${name}`, message: 'send the real value: no secret value is stored under this name' },
        ]);
      }
      stored[name] = kept;
    } else stored[name] = { sealed: seal(value.value) };
  }
  return stored;
}

/** The headers to send: secret values opened. */
export function openCustomHeaders(stored: StoredHeaders, box: { open(sealed: string): string }): Record<string, string> {
  return Object.fromEntries(Object.entries(stored).map(([name, value]) => [name, isSealed(value) ? box.open(value.sealed) : value]));
}

/** Lower-case names of the secret headers (redacted wherever headers are shown). */
export function secretHeaderNames(stored: StoredHeaders): string[] {
  return Object.entries(stored)
    .filter(([, value]) => isSealed(value))
    .map(([name]) => name.toLowerCase());
}

/** The headers as answers show them: plain values as they are, secret ones redacted. */
export function redactCustomHeaders(stored: StoredHeaders): Record<string, string | RedactedSecretHeader> {
  return Object.fromEntries(
    Object.entries(stored).map(([name, value]) => [name, isSealed(value) ? { value: REDACTED, secret: true as const } : value]),
  );
}

/** Re-seals every secret value not sealed by the current key; null when nothing changes (reseal). */
export function resealCustomHeaders(
  stored: StoredHeaders,
  box: { open(sealed: string): string; seal(plaintext: string): string; isCurrent(sealed: string): boolean },
): StoredHeaders | null {
  let changed = false;
  const next: StoredHeaders = {};
  for (const [name, value] of Object.entries(stored)) {
    if (isSealed(value) && !box.isCurrent(value.sealed)) {
      next[name] = { sealed: box.seal(box.open(value.sealed)) };
      changed = true;
    } else next[name] = value;
  }
  return changed ? next : null;
}

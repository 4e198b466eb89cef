// How hookrelay authenticates to a receiver, and the headers that follow from it.
import { z } from 'zod';
import {
  headerNamePattern,
  headerValueSchema,
  REDACTED,
  reservedHeaderReason,
  secretHeaderNames,
  type StoredHeaders,
} from './endpoint-headers';

export { REDACTED } from './endpoint-headers';

/**
 * The auth header's name passes the custom headers' rules (no host, content-length, webhook-*, …),
 * except `authorization` itself: a scheme of the receiver's own (`Authorization: Token …`).
 */
const authHeaderName = z
  .string()
  .min(1)
  .max(256)
  .superRefine((name, ctx) => {
    if (name.toLowerCase() === 'authorization') return;
    const reason = reservedHeaderReason(name);
    if (reason) ctx.addIssue({ code: 'custom', message: `header "${name}" ${reason}` });
  })
  .meta({ pattern: headerNamePattern({ allowAuthorization: true }) });

/** CR, LF, NUL or a control character in a credential would break (or inject into) the request. */
const credential = (min: number, max: number) => headerValueSchema(max).min(min);
/** Basic credentials travel base64-encoded (UTF-8), so any text but control characters is fine. */
const basicCredential = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !hasControlCharacter(value), 'must not contain CR, LF, NUL or other control characters');

/** C0 controls but tab, and DEL, as a character class body for the OpenAPI document. */
const CONTROL_CHARACTERS = '\\u0000-\\u0008\\u000a-\\u001f\\u007f';

/** C0 controls but tab, and DEL. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

export const endpointAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('basic'),
    username: basicCredential(1, 1024)
      .regex(/^[^:]*$/, 'must not contain ":"')
      .meta({ pattern: `^[^:${CONTROL_CHARACTERS}]*$` }),
    password: basicCredential(0, 1024).meta({ pattern: `^[^${CONTROL_CHARACTERS}]*$` }),
  }),
  z.strictObject({ type: z.literal('bearer'), token: credential(1, 4096) }),
  z.strictObject({ type: z.literal('header'), name: authHeaderName, value: credential(0, 8192) }),
]);

export type EndpointAuth = z.infer<typeof endpointAuthSchema>;

export function authHeaders(auth: EndpointAuth): Record<string, string> {
  switch (auth.type) {
    case 'none':
      return {};
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value };
  }
}

/** The auth settings as an API response shows them: secrets replaced. */
export function redactAuth(auth: EndpointAuth): Record<string, string> {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: auth.username, password: REDACTED };
    case 'bearer':
      return { type: 'bearer', token: REDACTED };
    case 'header':
      return { type: 'header', name: auth.name, value: REDACTED };
  }
}

/** Header names whose values never leave the process unredacted (attempt log, logs): auth and secret custom headers. */
export function sensitiveHeaderNames(auth: EndpointAuth, customHeaders: StoredHeaders = {}): string[] {
  const names = ['authorization', ...secretHeaderNames(customHeaders)];
  if (auth.type === 'header') names.push(auth.name.toLowerCase());
  return names;
}

export function redactHeaders(headers: Record<string, string>, sensitive: string[]): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) redacted[name] = sensitive.includes(name.toLowerCase()) ? REDACTED : value;
  return redacted;
}

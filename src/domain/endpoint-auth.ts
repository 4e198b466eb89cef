// How hookrelay authenticates to a receiver, and the headers that follow from it.
import { z } from 'zod';

const headerName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid HTTP header name');

export const endpointAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('basic'),
    username: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[^:]*$/, 'must not contain ":"'),
    password: z.string().max(1024),
  }),
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(1).max(4096) }),
  z.strictObject({ type: z.literal('header'), name: headerName, value: z.string().max(8192) }),
]);

export type EndpointAuth = z.infer<typeof endpointAuthSchema>;

export const REDACTED = '[redacted]';

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

/** Header names whose values never leave the process unredacted (attempt log, logs). */
export function sensitiveHeaderNames(auth: EndpointAuth): string[] {
  const names = ['authorization'];
  if (auth.type === 'header') names.push(auth.name.toLowerCase());
  return names;
}

export function redactHeaders(headers: Record<string, string>, sensitive: string[]): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) redacted[name] = sensitive.includes(name.toLowerCase()) ? REDACTED : value;
  return redacted;
}

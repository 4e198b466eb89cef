// Custom headers an endpoint may add: valid names, and none that would override what
// hookrelay itself must control (framing, signing, identity).
import { z } from 'zod';

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

export const customHeadersSchema = z
  .record(
    z.string().max(256),
    z
      .string()
      .max(8192)
      .regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL'),
  )
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 custom headers' });
    for (const name of names) {
      const reason = reservedHeaderReason(name);
      if (reason) ctx.addIssue({ code: 'custom', path: [name], message: `header "${name}" ${reason}` });
    }
  });

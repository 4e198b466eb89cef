// Standard Webhooks signing: `v1,<base64 HMAC-SHA256>` over `id.timestamp.body`, one entry per
// valid secret (several during a rotation's grace period), via the official library.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';

export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

export function isSigningSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const key = Buffer.from(value.slice(SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64 && key.toString('base64') === value.slice(SECRET_PREFIX.length);
}

export interface SignatureInput {
  messageId: string;
  timestamp: Date;
  body: string;
  /** Current secret first, then any rotated-out secrets still in their grace period. */
  secrets: string[];
}

export function signatureHeader({ messageId, timestamp, body, secrets }: SignatureInput): string {
  if (secrets.length === 0) throw new Error('at least one signing secret is required');
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}

export function webhookHeaders(input: SignatureInput): Record<string, string> {
  return {
    'webhook-id': input.messageId,
    'webhook-timestamp': String(Math.floor(input.timestamp.getTime() / 1000)),
    'webhook-signature': signatureHeader(input),
  };
}

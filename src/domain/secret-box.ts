// AES-256-GCM sealing of secrets at rest (signing secrets, credentials, secret headers), with
// key rotation: every sealed value names the key that sealed it, the newest key seals, all open.
// Formats: v2.<key id>.<iv b64>.<tag b64>.<ciphertext b64>; legacy v1.<iv>.<tag>.<ciphertext>
// (before key ids) is opened by whichever configured key authenticates it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretKeyUnavailableError } from './errors';

export interface EncryptionKey {
  /** Short name written into each sealed value (not secret), e.g. "2026-12". */
  id: string;
  /** 32 bytes, base64-encoded. */
  key: string;
}

/** The id HOOKRELAY_ENCRYPTION_KEY (a single key without a name) has. */
export const DEFAULT_KEY_ID = 'default';
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** What v1 values (sealed before key ids existed) are reported as when no key opens them. */
export const LEGACY_KEY_ID = 'legacy (v1, no key id)';

/** The key id a sealed value names, or LEGACY_KEY_ID for v1; null when it is not a sealed value. */
export function sealedKeyId(sealed: string): string | null {
  const parts = sealed.split('.');
  if (parts[0] === 'v2' && parts.length === 5 && KEY_ID_PATTERN.test(parts[1]!)) return parts[1]!;
  if (parts[0] === 'v1' && parts.length === 4) return LEGACY_KEY_ID;
  return null;
}

export class SecretBox {
  private readonly keys: Array<{ id: string; key: Buffer }>;

  /** `keys`: newest first; a bare base64 string is one key with the id "default". */
  constructor(keys: string | EncryptionKey[]) {
    const list = typeof keys === 'string' ? [{ id: DEFAULT_KEY_ID, key: keys }] : keys;
    if (list.length === 0) throw new Error('at least one encryption key is needed');
    this.keys = list.map(({ id, key }) => {
      if (!KEY_ID_PATTERN.test(id)) throw new Error(`encryption key id "${id}" must be 1-32 letters, digits, "-" or "_"`);
      const bytes = Buffer.from(key, 'base64');
      if (bytes.length !== 32) throw new Error(`encryption key "${id}" must be 32 bytes`);
      return { id, key: bytes };
    });
    if (new Set(this.keys.map((k) => k.id)).size !== this.keys.length) throw new Error('encryption key ids must be unique');
  }

  /** A fresh random key (tests, benchmarks and `npm start`'s development key; never a deployed process). */
  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  /** The id of the key that seals. */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  seal(plaintext: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v2', id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
  }

  /** True when `sealed` was sealed by the current key (re-sealing would change nothing). */
  isCurrent(sealed: string): boolean {
    return sealedKeyId(sealed) === this.currentKeyId;
  }

  /** Throws SecretKeyUnavailableError when no configured key can open the value. */
  open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      const entry = this.keys.find((k) => k.id === keyId);
      if (!entry) throw new SecretKeyUnavailableError(keyId, 'not-configured');
      const opened = decrypt(entry.key, iv, tag, ciphertext);
      if (opened === null) throw new SecretKeyUnavailableError(keyId, 'does-not-open');
      return opened;
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, ciphertext] = parts as [string, string, string, string];
      for (const { key } of this.keys) {
        const opened = decrypt(key, iv, tag, ciphertext);
        if (opened !== null) return opened;
      }
      throw new SecretKeyUnavailableError(LEGACY_KEY_ID, 'not-configured');
    }
    throw new Error('not a sealed secret');
  }
}

/** null when the key does not authenticate the value (GCM tag mismatch). */
function decrypt(key: Buffer, iv: string, tag: string, ciphertext: string): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

// Sealing at rest with key ids: the newest key seals, every configured key opens, and a value
// whose key is gone is a named error that says which key.
import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretKeyUnavailableError } from '../../src/domain/errors';
import { LEGACY_KEY_ID, SecretBox, sealedKeyId } from '../../src/domain/secret-box';

const keyA = SecretBox.generateKey();
const keyB = SecretBox.generateKey();

/** A value in the format hookrelay wrote before key ids (v1.<iv>.<tag>.<ciphertext>). */
function legacySeal(base64Key: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
}

function unavailable(fn: () => unknown): SecretKeyUnavailableError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretKeyUnavailableError) return error;
    throw error;
  }
  throw new Error('expected SecretKeyUnavailableError');
}

describe('SecretBox', () => {
  it('seals with the newest key and names it in the value', () => {
    const box = new SecretBox([
      { id: 'b', key: keyB },
      { id: 'a', key: keyA },
    ]);
    const sealed = box.seal('whsec_secret');
    expect(sealed).toMatch(/^v2\.b\./);
    expect(sealedKeyId(sealed)).toBe('b');
    expect(sealed).not.toContain('whsec_secret');
    expect(box.open(sealed)).toBe('whsec_secret');
    expect(box.isCurrent(sealed)).toBe(true);
  });

  it('a bare key is the key "default"', () => {
    const box = new SecretBox(keyA);
    expect(box.currentKeyId).toBe('default');
    expect(box.seal('x')).toMatch(/^v2\.default\./);
  });

  it('opens values sealed by an older configured key', () => {
    const old = new SecretBox([{ id: 'a', key: keyA }]).seal('token-1');
    const rotated = new SecretBox([
      { id: 'b', key: keyB },
      { id: 'a', key: keyA },
    ]);
    expect(rotated.open(old)).toBe('token-1');
    expect(rotated.isCurrent(old)).toBe(false);
  });

  it('opens legacy v1 values with whichever configured key sealed them', () => {
    const legacy = legacySeal(keyA, 'from before key ids');
    expect(sealedKeyId(legacy)).toBe(LEGACY_KEY_ID);
    expect(new SecretBox(keyA).open(legacy)).toBe('from before key ids');
    expect(
      new SecretBox([
        { id: 'b', key: keyB },
        { id: 'old', key: keyA },
      ]).open(legacy),
    ).toBe('from before key ids');
    expect(new SecretBox(keyA).isCurrent(legacy)).toBe(false);
  });

  it('names the key id when the key is no longer configured', () => {
    const sealed = new SecretBox([{ id: 'retired', key: keyA }]).seal('s');
    const error = unavailable(() => new SecretBox([{ id: 'b', key: keyB }]).open(sealed));
    expect(error).toMatchObject({ keyId: 'retired', reason: 'not-configured' });
    expect(error.message).toContain('"retired"');
    expect(unavailable(() => new SecretBox(keyB).open(legacySeal(keyA, 's')))).toMatchObject({ keyId: LEGACY_KEY_ID });
  });

  it('says so when a key id now names different key material', () => {
    const sealed = new SecretBox([{ id: 'k', key: keyA }]).seal('s');
    expect(unavailable(() => new SecretBox([{ id: 'k', key: keyB }]).open(sealed))).toMatchObject({ keyId: 'k', reason: 'does-not-open' });
  });

  it('refuses bad keys and ids, and garbage values', () => {
    expect(() => new SecretBox([])).toThrow(/at least one/);
    expect(() => new SecretBox('c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => new SecretBox([{ id: 'has.dot', key: keyA }])).toThrow(/id/);
    expect(
      () =>
        new SecretBox([
          { id: 'a', key: keyA },
          { id: 'a', key: keyB },
        ]),
    ).toThrow(/unique/);
    expect(() => new SecretBox(keyA).open('plain text')).toThrow('not a sealed secret');
    expect(sealedKeyId('plain text')).toBeNull();
  });
});

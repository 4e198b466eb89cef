// Pure parts of the API key lifecycle: the key shape refused before any lookup, several admin
// keys, expiry, the client address a failed authentication is counted against, and the
// configuration variables that set them.
import { parseConfig, ConfigError } from '../../src/config';
import { adminKeySet, generateAdminKey, generateApiKey, isAdminKey, isWellFormedTenantKey, keyExpiry } from '../../src/domain/api-keys';
import { clientThrottleKey } from '../../src/domain/client-address';

describe('tenant key shape', () => {
  it('accepts every generated key and keeps its first 10 characters as the prefix', () => {
    for (let i = 0; i < 200; i++) {
      const { key, prefix } = generateApiKey();
      expect(isWellFormedTenantKey(key)).toBe(true);
      expect(prefix).toBe(key.slice(0, 10));
    }
  });

  it('refuses other prefixes, lengths and characters', () => {
    const { key } = generateApiKey();
    for (const bad of [
      '',
      'hr_',
      key.slice(0, -1),
      `${key}a`,
      `HR_${key.slice(3)}`,
      `${key.slice(0, -1)}=`,
      `${key.slice(0, -1)}/`,
      ` ${key}`,
      generateAdminKey(),
    ]) {
      expect({ bad, ok: isWellFormedTenantKey(bad) }).toEqual({ bad, ok: false });
    }
  });
});

describe('admin keys', () => {
  it('matches any configured admin key and nothing else', () => {
    const keys = ['first-admin-key-0000', 'second-admin-key-000'];
    expect(isAdminKey('first-admin-key-0000', keys)).toBe(true);
    expect(isAdminKey('second-admin-key-000', keys)).toBe(true);
    expect(isAdminKey('third-admin-key-0000', keys)).toBe(false);
    expect(isAdminKey('first-admin-key-0000', [])).toBe(false);
  });

  it('joins HOOKRELAY_ADMIN_KEY and HOOKRELAY_ADMIN_KEYS without repeats', () => {
    expect(adminKeySet('a'.repeat(16), ['b'.repeat(16), 'a'.repeat(16)])).toEqual(['a'.repeat(16), 'b'.repeat(16)]);
    expect(adminKeySet(undefined, undefined)).toEqual([]);
  });

  it('parses HOOKRELAY_ADMIN_KEYS as a comma-separated list, refusing a list with a short key', () => {
    expect(parseConfig({ HOOKRELAY_ADMIN_KEYS: ' one-admin-key-00000 ,two-admin-key-00000,' }).HOOKRELAY_ADMIN_KEYS).toEqual([
      'one-admin-key-00000',
      'two-admin-key-00000',
    ]);
    expect(parseConfig({}).HOOKRELAY_ADMIN_KEYS).toEqual([]);
    let error: unknown;
    try {
      parseConfig({ HOOKRELAY_ADMIN_KEYS: 'long-enough-admin-key,short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.join('\n')).toMatch(
      /^HOOKRELAY_ADMIN_KEYS: must be comma-separated keys of at least 16 characters/,
    );
  });
});

describe('key expiry', () => {
  const now = new Date('2026-12-02T12:00:00.000Z');
  it('is the given time, now plus the given seconds, or never', () => {
    expect(keyExpiry({ expiresAt: '2026-12-03T00:00:00+01:00' }, now)).toEqual(new Date('2026-12-02T23:00:00.000Z'));
    expect(keyExpiry({ expiresInSeconds: 90 }, now)).toEqual(new Date('2026-12-02T12:01:30.000Z'));
    expect(keyExpiry({}, now)).toBeNull();
  });
});

describe('client address of a failed authentication', () => {
  it('is the IPv4 address, also when IPv4-mapped, and the /64 of an IPv6 address', () => {
    expect(clientThrottleKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientThrottleKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientThrottleKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientThrottleKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientThrottleKey('2001:db8:1:3::1')).not.toBe(clientThrottleKey('2001:db8:1:2::1'));
    expect(clientThrottleKey('unknown')).toBe('unknown');
  });
});

describe('throttle and proxy settings', () => {
  it('defaults to 20 failures a minute, and 0 turns the throttle off', () => {
    expect(parseConfig({}).HOOKRELAY_AUTH_FAILURES_PER_MINUTE).toBe(20);
    expect(parseConfig({ HOOKRELAY_AUTH_FAILURES_PER_MINUTE: '0' }).HOOKRELAY_AUTH_FAILURES_PER_MINUTE).toBe(0);
    expect(() => parseConfig({ HOOKRELAY_AUTH_FAILURES_PER_MINUTE: '-1' })).toThrow(ConfigError);
  });

  it('takes HOOKRELAY_TRUST_PROXY as hops or addresses and ranges, and trusts no proxy by default', () => {
    expect(parseConfig({}).HOOKRELAY_TRUST_PROXY).toBeUndefined();
    expect(parseConfig({ HOOKRELAY_TRUST_PROXY: '1' }).HOOKRELAY_TRUST_PROXY).toBe(1);
    expect(parseConfig({ HOOKRELAY_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.1' }).HOOKRELAY_TRUST_PROXY).toBe(
      'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.1',
    );
    for (const bad of ['true', 'everyone', '10.0.0.0/33', '10.0.0.0/8,,']) {
      expect(() => parseConfig({ HOOKRELAY_TRUST_PROXY: bad })).toThrow(ConfigError);
    }
  });
});

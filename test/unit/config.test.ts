import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertEncryptionKeyConfigured,
  ConfigError,
  DEVELOPMENT_DEFAULTS,
  isSecretVariable,
  parseConfig,
  withExtraCaCertificates,
} from '../../src/config';
import { createTestAuthority } from '../support/test-certificates';

const keyA = Buffer.alloc(32, 1).toString('base64');
const keyB = Buffer.alloc(32, 2).toString('base64');

/** The text a configuration error prints for `env` (what `loadConfigOrExit` writes to stderr). */
function errorText(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('applies defaults', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.TEMPORAL_TASK_QUEUE).toBe('hookrelay');
  });

  it.each(['development', 'test', 'production', undefined])(
    'is https-only and refuses private networks by default (NODE_ENV=%s)',
    (nodeEnv) => {
      const config = parseConfig(nodeEnv ? { NODE_ENV: nodeEnv } : {});
      expect(config.HOOKRELAY_ALLOW_HTTP).toBe(false);
      expect(config.HOOKRELAY_ALLOW_PRIVATE_NETWORKS).toBe(false);
    },
  );

  it('turns http and private networks on only when told to', () => {
    expect(parseConfig({ HOOKRELAY_ALLOW_HTTP: 'true' })).toMatchObject({
      HOOKRELAY_ALLOW_HTTP: true,
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: false,
    });
    expect(parseConfig({ HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'yes' })).toMatchObject({
      HOOKRELAY_ALLOW_HTTP: false,
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: true,
    });
    // What `npm start` passes as defaults, under whatever the environment sets.
    expect(parseConfig({ ...DEVELOPMENT_DEFAULTS })).toMatchObject({ HOOKRELAY_ALLOW_HTTP: true, HOOKRELAY_ALLOW_PRIVATE_NETWORKS: true });
    expect(parseConfig({ ...DEVELOPMENT_DEFAULTS, HOOKRELAY_ALLOW_HTTP: 'false' }).HOOKRELAY_ALLOW_HTTP).toBe(false);
  });

  it('refuses to run a deployed process without an encryption key, and invents none', () => {
    const config = parseConfig({ NODE_ENV: 'production' });
    expect(config.encryptionKeys).toEqual([]);
    expect(() => assertEncryptionKeyConfigured(config)).toThrow(ConfigError);
    expect(() => assertEncryptionKeyConfigured(config)).toThrow(/HOOKRELAY_ENCRYPTION_KEY: required.*openssl rand -base64 32/);
    expect(() => assertEncryptionKeyConfigured(parseConfig({ HOOKRELAY_ENCRYPTION_KEY: keyA }))).not.toThrow();
  });

  it('takes one key as "default", or several with ids, newest first', () => {
    expect(parseConfig({ HOOKRELAY_ENCRYPTION_KEY: keyA }).encryptionKeys).toEqual([{ id: 'default', key: keyA }]);
    expect(parseConfig({ HOOKRELAY_ENCRYPTION_KEYS: `k2:${keyB}, default:${keyA}` }).encryptionKeys).toEqual([
      { id: 'k2', key: keyB },
      { id: 'default', key: keyA },
    ]);
    expect(() => parseConfig({ HOOKRELAY_ENCRYPTION_KEY: keyA, HOOKRELAY_ENCRYPTION_KEYS: `k2:${keyB}` })).toThrow(/set one of them/);
    expect(errorText({ HOOKRELAY_ENCRYPTION_KEYS: `k1:${keyA},k1:${keyB}` })).toMatch(/key id "k1" appears twice/);
    expect(errorText({ HOOKRELAY_ENCRYPTION_KEYS: `k1:${keyA},k2:short` })).toMatch(/key "k2" must be 32 bytes/);
    expect(errorText({ HOOKRELAY_ENCRYPTION_KEYS: keyA })).toMatch(/entry 1 must be "id:base64key"/);
  });

  describe('never echoes a secret in a configuration error', () => {
    const secretValue = 'Sup3r-Secret-Value-0123456789/+=';
    it.each([
      ['HOOKRELAY_ADMIN_KEY', 'short-s3cret'],
      ['HOOKRELAY_ENCRYPTION_KEY', secretValue],
      ['HOOKRELAY_ENCRYPTION_KEYS', `k1:${secretValue}`],
      ['HOOKRELAY_ENCRYPTION_KEYS', `${secretValue}`],
    ])('%s', (name, value) => {
      const text = errorText({ [name]: value });
      expect(text).toContain(name);
      expect(text).toMatch(/value hidden/);
      for (const piece of [value, value.slice(0, 8), secretValue.slice(0, 8), 'short-s3']) expect(text).not.toContain(piece);
    });

    it('the password in DATABASE_URL', () => {
      const text = errorText({ DATABASE_URL: 'mysql://app:pa55w0rd-XYZ@db.internal:3306/x' });
      expect(text).toMatch(/DATABASE_URL: must be a URL/);
      expect(text).toContain('db.internal');
      expect(text).not.toContain('pa55w0rd');
      // Unparseable, but may still hold a password: nothing of it is shown.
      const broken = errorText({ DATABASE_URL: 'postgres://app:pa55w0rd-XYZ@[bad' });
      expect(broken).not.toContain('pa55w0rd');
    });

    it('any *_KEY, *PASSWORD, *TOKEN or *SECRET variable', () => {
      for (const name of [
        'TEMPORAL_API_KEY',
        'HOOKRELAY_ADMIN_KEY',
        'HOOKRELAY_ENCRYPTION_KEYS',
        'PGPASSWORD',
        'SOME_TOKEN',
        'A_SECRET',
        'X_PASSWORD_FILE',
      ]) {
        expect(isSecretVariable(name)).toBe(true);
      }
      for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_TLS_KEY_PATH', 'HOOKRELAY_ALLOW_HTTP'])
        expect(isSecretVariable(name)).toBe(false);
    });

    it('while still showing ordinary values', () => {
      expect(errorText({ PORT: 'eighty' })).toMatch(/PORT: .*got "eighty"/);
    });
  });

  it('names the variable and the problem for a bad value', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/PORT: .*got "eighty"/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a URL \(postgres: or postgresql:\)/);
    expect(() => parseConfig({ TEMPORAL_ADDRESS: 'localhost' })).toThrow(/TEMPORAL_ADDRESS: must be host:port/);
    expect(() => parseConfig({ HOOKRELAY_ALLOW_HTTP: 'maybe' })).toThrow(/HOOKRELAY_ALLOW_HTTP: must be true or false/);
    expect(() => parseConfig({ HOOKRELAY_ENCRYPTION_KEY: 'short' })).toThrow(/HOOKRELAY_ENCRYPTION_KEY: must be 32 bytes/);
  });

  it("refuses hostile values of this round's variables (replays, tracing, the portal's public URL)", () => {
    for (const value of ['0', '-5', '2.5', '1e9', 'ten']) {
      expect(() => parseConfig({ HOOKRELAY_REPLAY_DEFAULT_RATE_PER_SECOND: value })).toThrow(/HOOKRELAY_REPLAY_DEFAULT_RATE_PER_SECOND: /);
      expect(() => parseConfig({ HOOKRELAY_REPLAY_MAX_IN_FLIGHT_PER_ENDPOINT: value })).toThrow(
        /HOOKRELAY_REPLAY_MAX_IN_FLIGHT_PER_ENDPOINT: /,
      );
    }
    expect(() => parseConfig({ HOOKRELAY_TRACEPARENT_TO_RECEIVERS: 'maybe' })).toThrow(
      /HOOKRELAY_TRACEPARENT_TO_RECEIVERS: must be true or false/,
    );
    for (const url of ['collector:4318', 'ftp://127.0.0.1/x', 'javascript:alert(1)']) {
      expect(() => parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: url })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: /);
      expect(() => parseConfig({ PUBLIC_URL: url })).toThrow(/PUBLIC_URL: /);
    }
    expect(parseConfig({ HOOKRELAY_REPLAY_DEFAULT_RATE_PER_SECOND: '25' }).HOOKRELAY_REPLAY_DEFAULT_RATE_PER_SECOND).toBe(25);
  });

  describe('HOOKRELAY_EXTRA_CA_CERTS_FILE', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hookrelay-config-ca-'));
    const file = (name: string, text: string) => {
      const path = join(folder, name);
      writeFileSync(path, text);
      return path;
    };
    const loaded = (path: string) => withExtraCaCertificates(parseConfig({ HOOKRELAY_EXTRA_CA_CERTS_FILE: path }));

    it('loads every certificate of the file for the worker to trust, and nothing when unset or empty', () => {
      const [first, second] = [createTestAuthority('CA one').certPem, createTestAuthority('CA two').certPem];
      const config = loaded(file('two.pem', `# a private CA bundle\n${first}\n${second}`));
      expect(config.extraCaCertificates).toBe(`${first.trim()}\n${second.trim()}`);
      expect(withExtraCaCertificates(parseConfig({})).extraCaCertificates).toBeUndefined();
      expect(withExtraCaCertificates(parseConfig({ HOOKRELAY_EXTRA_CA_CERTS_FILE: '  ' })).extraCaCertificates).toBeUndefined();
    });

    it('refuses a missing file, a file without a certificate and a damaged certificate, naming the variable', () => {
      expect(() => loaded(join(folder, 'absent.pem'))).toThrow(
        /^Invalid configuration:\n {2}- HOOKRELAY_EXTRA_CA_CERTS_FILE: cannot read .*absent\.pem.* \(ENOENT\)/,
      );
      expect(() => loaded(folder)).toThrow(/HOOKRELAY_EXTRA_CA_CERTS_FILE: cannot read .* \(EISDIR\)/);
      expect(() => loaded(file('key.pem', '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n'))).toThrow(
        /HOOKRELAY_EXTRA_CA_CERTS_FILE: .*key\.pem" holds no PEM certificate/,
      );
      const damaged = createTestAuthority().certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
      expect(() => loaded(file('damaged.pem', damaged))).toThrow(
        /HOOKRELAY_EXTRA_CA_CERTS_FILE: certificate 1 in .* is not a valid X\.509 certificate/,
      );
    });
  });

  it('reports every bad variable at once', () => {
    try {
      parseConfig({ PORT: '-1', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).issues.map((issue) => issue.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });
});

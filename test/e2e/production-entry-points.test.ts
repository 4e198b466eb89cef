// The production entry points run as real processes (as `npm run api` / `npm run worker` /
// `npm run reseal` do, from source): without an encryption key they refuse to start with a
// clear message and exit 78, invent no key, and a bad secret in the configuration is never echoed.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnEntry } from '../support/processes';

// Nothing listens here: a process that got as far as connecting would fail differently (or hang).
const unreachable = {
  DATABASE_URL: 'postgres://hookrelay:db-Passw0rd-SECRET@127.0.0.1:1/hookrelay',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
};

describe('production entry points', () => {
  it.each(['src/server.ts', 'src/worker.ts', 'src/reseal.ts'])(
    '%s refuses to start without HOOKRELAY_ENCRYPTION_KEY (exit 78) and creates no key of its own',
    async (entry) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'hookrelay-nokey-'));
      const spawned = spawnEntry(entry, {
        ...unreachable,
        HOOKRELAY_DATA_DIR: dataDir,
        HOOKRELAY_ADMIN_KEY: 'admin-key-0123456789-SECRET',
      });
      const { code } = await spawned.exited;
      expect({ code, output: spawned.output() }).toEqual({ code: 78, output: expect.stringMatching(/HOOKRELAY_ENCRYPTION_KEY: required/) });
      expect(spawned.output()).toMatch(/openssl rand -base64 32/);
      expect(spawned.output()).not.toMatch(/db-Passw0rd|admin-key-0123456789/);
      expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
    },
    60_000,
  );

  it('names a bad secret variable without echoing its value (exit 78)', async () => {
    const spawned = spawnEntry('src/server.ts', {
      ...unreachable,
      HOOKRELAY_ENCRYPTION_KEY: 'not-base64-but-a-SECRET-value',
      TEMPORAL_API_KEY: '',
      HOOKRELAY_ADMIN_KEY: 'short-SECRET',
    });
    const { code } = await spawned.exited;
    expect(code).toBe(78);
    const output = spawned.output();
    expect(output).toMatch(/HOOKRELAY_ENCRYPTION_KEY: must be 32 bytes/);
    expect(output).toMatch(/HOOKRELAY_ADMIN_KEY: must be at least 16 characters/);
    expect(output).not.toMatch(/SECRET|db-Passw0rd/);
  }, 60_000);
});

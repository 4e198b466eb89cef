// Encryption key rotation against real PostgreSQL: secrets sealed with key A are re-sealed with
// key B by `npm run reseal` (here: src/reseal.ts as a process, and the service it runs), an
// interrupted run resumes, a second run has nothing left to do, and with only B configured
// every signing secret, credential and secret header still opens.
import { createCipheriv, randomBytes } from 'node:crypto';
import { openCustomHeaders } from '../../src/domain/endpoint-headers';
import { SecretBox } from '../../src/domain/secret-box';
import { resealSecrets, type ResealReport } from '../../src/services/reseal.service';
import { getEndpoint, getEndpointSecrets } from '../../src/services/endpoints.service';
import type { ServiceContext } from '../../src/services/context';
import { createKey, createTenant, ensureEventType } from '../support/api';
import { spawnEntry } from '../support/processes';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

/** A value in the format hookrelay wrote before key ids (v1.<iv>.<tag>.<ciphertext>). */
function legacySeal(base64Key: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
}

const total = (report: ResealReport) => Object.values(report.tables).reduce((sum, table) => sum + table.resealed, 0);

describe('re-sealing stored secrets with a new key', () => {
  let hookrelay: TestHookrelay;
  let keyA: string;
  const keyB = SecretBox.generateKey();
  const endpointIds: string[] = [];
  let tenantId: string;

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    keyA = hookrelay.config.HOOKRELAY_ENCRYPTION_KEY!; // the key "default"
    tenantId = await createTenant(hookrelay, 'Rotating');
    await ensureEventType(hookrelay, 'order.placed');
    const key = await createKey(hookrelay, tenantId, ['endpoints:read', 'endpoints:write']);
    for (let i = 0; i < 3; i++) {
      const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
        key,
        body: {
          name: `e${i}`,
          url: 'https://example.com/hook',
          eventTypes: ['order.placed'],
          auth: { type: 'bearer', token: `token-${i}` },
          headers: { 'x-partner-key': { value: `partner-${i}`, secret: true }, 'x-plain': 'p' },
        },
      });
      expect(res.status).toBe(201);
      endpointIds.push(res.body.id);
    }
    // A rotated-out secret still signing, and one value from before key ids.
    expect(
      (await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointIds[0]}/secret/rotate`, { key, body: {} })).status,
    ).toBe(200);
    const current = await hookrelay.db
      .selectFrom('endpoint_secrets')
      .select('id')
      .where('endpoint_id', '=', endpointIds[1]!)
      .executeTakeFirstOrThrow();
    await hookrelay.db
      .updateTable('endpoint_secrets')
      .set({ secret_sealed: legacySeal(keyA, 'whsec_' + Buffer.alloc(24, 9).toString('base64')) })
      .where('id', '=', current.id)
      .execute();
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  const sealedValues = async () => [
    ...(await hookrelay.db.selectFrom('endpoint_secrets').select('secret_sealed').execute()).map((r) => r.secret_sealed),
    ...(await hookrelay.db.selectFrom('endpoints').select('auth_sealed').execute()).map((r) => r.auth_sealed!),
    ...(await hookrelay.db.selectFrom('endpoints').select('headers').execute()).map(
      (r) => (r.headers['x-partner-key'] as { sealed: string }).sealed,
    ),
  ];

  it('re-seals everything with the newest key, resumably, and afterwards the newest key alone opens it all', async () => {
    const ctxA: ServiceContext = hookrelay.ctx;
    const before = await Promise.all(
      endpointIds.map(async (id) => ({
        secrets: await getEndpointSecrets(ctxA, tenantId, id),
        auth: (await getEndpoint(ctxA, tenantId, id)).auth,
      })),
    );
    expect(before[1]!.secrets.secret).toBe('whsec_' + Buffer.alloc(24, 9).toString('base64')); // the v1 value opens
    expect((await sealedValues()).filter((v) => v.startsWith('v2.b.'))).toEqual([]);

    // Interrupted after its first batch: that batch stays committed.
    const bThenA = new SecretBox([
      { id: 'b', key: keyB },
      { id: 'default', key: keyA },
    ]);
    const stop = new AbortController();
    const interrupted = await resealSecrets(hookrelay.db, bThenA, { batchSize: 1, signal: stop.signal, onBatch: () => stop.abort() });
    expect(interrupted.complete).toBe(false);
    expect(total(interrupted)).toBe(1);
    expect((await sealedValues()).filter((v) => v.startsWith('v2.b.'))).toHaveLength(1);

    // `npm run reseal` with B newest, A still configured, finishes the rest and says what it did.
    const run = spawnEntry('src/reseal.ts', {
      DATABASE_URL: hookrelay.config.DATABASE_URL!,
      HOOKRELAY_ENCRYPTION_KEYS: `b:${keyB},default:${keyA}`,
      LOG_LEVEL: 'warn',
    });
    const { code } = await run.exited;
    expect({ code, output: run.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('Done: every stored secret is sealed with "b"'),
    });
    const report = JSON.parse(
      run
        .output()
        .split('\n')
        .find((line) => line.startsWith('{"keyId"'))!,
    ) as ResealReport;
    expect(report).toEqual({
      keyId: 'b',
      complete: true,
      tables: {
        'endpoint_secrets.secret_sealed': { resealed: 3, skipped: {}, changedMeanwhile: 0 }, // 4 rows, 1 done before
        'endpoints.auth_sealed': { resealed: 3, skipped: {}, changedMeanwhile: 0 },
        'endpoints.headers': { resealed: 3, skipped: {}, changedMeanwhile: 0 },
      },
    });
    expect(run.output()).toMatch(/endpoint_secrets\.secret_sealed\s+resealed 3, skipped 0/);
    const values = await sealedValues();
    expect(values).toHaveLength(10);
    expect(values.every((v) => v.startsWith('v2.b.'))).toBe(true);

    // Nothing left: a re-run changes nothing.
    const again = await resealSecrets(hookrelay.db, bThenA);
    expect({ complete: again.complete, resealed: total(again) }).toEqual({ complete: true, resealed: 0 });

    // Key A retired: B alone opens every secret, unchanged.
    const ctxB: ServiceContext = { ...ctxA, secretBox: new SecretBox([{ id: 'b', key: keyB }]) };
    for (const [i, id] of endpointIds.entries()) {
      expect(await getEndpointSecrets(ctxB, tenantId, id)).toEqual(before[i]!.secrets);
      expect((await getEndpoint(ctxB, tenantId, id)).auth).toEqual({ type: 'bearer', token: `token-${i}` });
      const row = await hookrelay.db.selectFrom('endpoints').select('headers').where('id', '=', id).executeTakeFirstOrThrow();
      expect(openCustomHeaders(row.headers, ctxB.secretBox)).toEqual({ 'x-partner-key': `partner-${i}`, 'x-plain': 'p' });
    }
  }, 90_000);

  it('skips, counts and names a value no configured key opens, and leaves it as it is', async () => {
    const lost = new SecretBox([{ id: 'lost', key: SecretBox.generateKey() }]).seal('whsec_' + Buffer.alloc(24, 3).toString('base64'));
    await hookrelay.db
      .insertInto('endpoint_secrets')
      .values({ endpoint_id: endpointIds[2]!, secret_sealed: lost, expires_at: new Date(Date.now() + 3600_000) })
      .execute();
    const skippedLog: string[] = [];
    const report = await resealSecrets(hookrelay.db, new SecretBox([{ id: 'b', key: keyB }]), {
      onSkipped: (_table, _rowId, error) => skippedLog.push(error.keyId),
    });
    expect(report.tables['endpoint_secrets.secret_sealed']).toEqual({ resealed: 0, skipped: { lost: 1 }, changedMeanwhile: 0 });
    expect(report.complete).toBe(true);
    expect(skippedLog).toEqual(['lost']);
    expect(await hookrelay.db.selectFrom('endpoint_secrets').select('id').where('secret_sealed', '=', lost).execute()).toHaveLength(1);
  });
});

// The key lifecycle across real API processes (src/server.ts, configured by the environment
// alone) on one database: a key revoked through one process is refused by the other on the very
// next request, every admin key in HOOKRELAY_ADMIN_KEYS works, and failed authentications are
// throttled as HOOKRELAY_AUTH_FAILURES_PER_MINUTE says.
import { startApiProcess, newDeployment, type ApiProcess } from '../support/processes';
import { createTestDatabase, testStack, type TestDatabase } from '../support/stack';

describe('API keys across API processes', () => {
  let database: TestDatabase;
  let first: ApiProcess;
  let second: ApiProcess;
  const nextAdminKey = 'next-admin-key-for-rotation-0001';

  beforeAll(async () => {
    database = await createTestDatabase();
    const stack = testStack();
    const deployment = newDeployment({
      databaseUrl: database.url,
      temporalAddress: stack.temporalAddress,
      workflowBundlePath: stack.workflowBundlePath,
      extraEnv: { HOOKRELAY_ADMIN_KEYS: nextAdminKey, HOOKRELAY_AUTH_FAILURES_PER_MINUTE: '3' },
    });
    // One after the other: each picks a free port, and two at once could pick the same.
    first = await startApiProcess(deployment);
    second = await startApiProcess(deployment);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([first?.stop(), second?.stop()]);
    await database?.destroy();
  });

  it('refuses a key on one process right after it was revoked through the other', async () => {
    const tenant = await first.request('POST', '/v1/tenants', { body: { name: 'Two processes' } });
    expect(tenant.status).toBe(201);
    const tenantId = tenant.body.id as string;
    const issued = await first.request('POST', `/v1/tenants/${tenantId}/api-keys`, { body: { scopes: ['endpoints:read'] } });
    expect(issued.status).toBe(201);
    const { id, key } = issued.body as { id: string; key: string };

    for (let i = 0; i < 3; i++) expect((await second.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key })).status).toBe(200);
    expect((await first.request('DELETE', `/v1/tenants/${tenantId}/api-keys/${id}`)).status).toBe(204);
    const refused = await second.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key });
    expect(refused).toMatchObject({ status: 401, body: { detail: 'The API key has been revoked' } });
    expect((await first.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key })).status).toBe(401);

    const listed = await second.request('GET', `/v1/tenants/${tenantId}/api-keys`, { key: nextAdminKey });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ id, revokedAt: expect.any(String), lastUsedAt: expect.any(String) })]);
  });

  it('accepts HOOKRELAY_ADMIN_KEY and every key of HOOKRELAY_ADMIN_KEYS', async () => {
    for (const api of [first, second]) {
      expect((await api.request('GET', '/v1/tenants')).status).toBe(200);
      expect((await api.request('GET', '/v1/tenants', { key: nextAdminKey })).status).toBe(200);
      expect((await api.request('GET', '/v1/tenants', { key: 'not-an-admin-key-at-all-0000' })).status).toBe(401);
    }
  });

  it('throttles failed authentications from one address with 429 and Retry-After', async () => {
    // The tests above spent some of this process's allowance of 3 failures a minute: a few more
    // bad keys answer 401 and then every one answers 429.
    const statuses: number[] = [];
    let retryAfter = '';
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${second.url}/v1/event-types`, { headers: { authorization: `Bearer hr_${String(i).padStart(32, 'x')}` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after') ?? '';
    }
    expect(statuses.join(',')).toMatch(/^(401,){0,3}429(,429)*$/);
    expect(statuses.slice(-2)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  });
});

// The per-key API rate limit: a key over its allowance gets 429 problems with Retry-After, other
// keys are unaffected, and the allowance comes back after the wait.
import { createKey, createTenant, expectProblem } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('API rate limit per key', () => {
  let hookrelay: TestHookrelay;

  beforeAll(async () => {
    hookrelay = await startTestHookrelay({ HOOKRELAY_API_RATE_LIMIT_PER_SECOND: '5', HOOKRELAY_API_RATE_LIMIT_BURST: '5' });
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  async function burst(key: string, path: string, count: number) {
    return Promise.all(Array.from({ length: count }, () => hookrelay.request('GET', path, { key })));
  }

  it('answers 429 with Retry-After once a tenant key spends its rate and burst, leaving other keys alone', async () => {
    const tenantId = await createTenant(hookrelay, 'Chatty');
    const [chatty, quiet] = [
      await createKey(hookrelay, tenantId, ['endpoints:read']),
      await createKey(hookrelay, tenantId, ['endpoints:read']),
    ];
    const answers = await burst(chatty, `/v1/tenants/${tenantId}/endpoints`, 20);
    const statuses = answers.map((res) => res.status);
    // 5 per second plus 5 of burst: at least 10 pass, the rest are refused.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(10);
    const refused = answers.filter((res) => res.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const res of refused) {
      expectProblem(res, 429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(10);
    }
    expect((await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key: quiet })).status).toBe(200);
  });

  it('limits the admin key the same way, and lets it through again after Retry-After', async () => {
    const answers = await burst(hookrelay.adminKey, '/v1/event-types', 20);
    const refused = answers.find((res) => res.status === 429);
    expect(refused).toBeDefined();
    const wait = Number(refused!.headers.get('retry-after'));
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    expect((await hookrelay.request('GET', '/v1/event-types')).status).toBe(200);
  }, 30_000);

  it('does not count health checks or the OpenAPI document', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => hookrelay.request('GET', '/healthz', { key: null })));
    expect(answers.every((res) => res.status === 200)).toBe(true);
  });
});

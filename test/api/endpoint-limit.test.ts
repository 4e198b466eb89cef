// The endpoints-per-tenant limit (HOOKRELAY_MAX_ENDPOINTS_PER_TENANT): past it a create is a 409
// problem that changes nothing, concurrent creates at the limit cannot both pass, and deleted
// endpoints free their place.
import { createTenant, ensureEventType, expectProblem } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

const LIMIT = 3;

describe('endpoints per tenant limit', () => {
  let hookrelay: TestHookrelay;

  const create = (tenantId: string, name = 'billing') =>
    hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name, url: 'https://example.com/hook', eventTypes: ['invoice.activated'] },
    });
  const liveEndpoints = async (tenantId: string) =>
    (await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints?limit=100`)).body.data as Array<{ id: string; name: string }>;

  beforeAll(async () => {
    hookrelay = await startTestHookrelay({ HOOKRELAY_MAX_ENDPOINTS_PER_TENANT: String(LIMIT) });
    await ensureEventType(hookrelay, 'invoice.activated');
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  it('refuses the endpoint past the limit with a 409 endpoint-limit-reached problem and creates nothing', async () => {
    const tenantId = await createTenant(hookrelay);
    for (let n = 1; n <= LIMIT; n++) expect((await create(tenantId, `endpoint ${n}`)).status).toBe(201);

    const refused = await create(tenantId, 'one too many');
    expectProblem(refused, 409);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/\/endpoint-limit-reached$/),
      title: 'Endpoint limit reached',
      limit: LIMIT,
      detail: expect.stringContaining(`${LIMIT} endpoints`),
    });
    const names = (await liveEndpoints(tenantId)).map((endpoint) => endpoint.name);
    expect(names).toHaveLength(LIMIT);
    expect(names).not.toContain('one too many');
  });

  it('counts each tenant on its own', async () => {
    const [full, other] = await Promise.all([createTenant(hookrelay, 'Full'), createTenant(hookrelay, 'Other')]);
    for (let n = 1; n <= LIMIT; n++) expect((await create(full)).status).toBe(201);
    expect((await create(full)).status).toBe(409);
    expect((await create(other)).status).toBe(201);
  });

  it('a deleted endpoint frees its place', async () => {
    const tenantId = await createTenant(hookrelay);
    const ids: string[] = [];
    for (let n = 1; n <= LIMIT; n++) ids.push((await create(tenantId)).body.id);
    expect((await create(tenantId)).status).toBe(409);
    expect((await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/endpoints/${ids[0]}`)).status).toBe(204);
    expect((await create(tenantId, 'replacement')).status).toBe(201);
    expect((await create(tenantId)).status).toBe(409);
  });

  it('of 20 concurrent creates on an empty tenant exactly the limit pass, the rest are 409', async () => {
    const tenantId = await createTenant(hookrelay);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => create(tenantId, `racer ${n}`)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 409)).toHaveLength(20 - LIMIT);
    expect(await liveEndpoints(tenantId)).toHaveLength(LIMIT);
  });
});

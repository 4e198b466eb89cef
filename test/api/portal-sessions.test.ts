// Portal sessions over HTTP: the options a link takes and refuses, the one-time exchange, list
// and revoke, expiry, the page's per-session frame-ancestors, and that nothing a link carries
// becomes an API key. (What a session's credential may do on every route: portal-access.test.ts.)
import { sql } from 'kysely';
import { createKey, createTenant, ensureEventType, expectProblem } from '../support/api';
import { createPortalSession, exchangeLink, openPortalSession } from '../support/portal';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('portal sessions', () => {
  let hookrelay: TestHookrelay;
  let tenantId: string;
  let otherTenantId: string;
  let endpointId: string;

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    tenantId = await createTenant(hookrelay, 'Portal owner');
    otherTenantId = await createTenant(hookrelay, 'Someone else');
    await ensureEventType(hookrelay, 'portal.invoice.paid');
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'Billing', url: 'http://127.0.0.1:9/hook', eventTypes: ['portal.invoice.paid'] },
    });
    endpointId = endpoint.body.id;
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  const create = (body: unknown, key?: string) => hookrelay.request('POST', `/v1/tenants/${tenantId}/portal-sessions`, { body, key });

  it('answers a one-time link with the options, expiring in an hour by default, shown once', async () => {
    const before = Date.now();
    const res = await create({
      readOnly: true,
      endpointIds: [endpointId],
      eventTypes: ['portal.invoice.paid'],
      allowedOrigins: ['https://app.example.com', 'http://127.0.0.1:8080/'],
      branding: { displayName: 'Acme Webhooks', accentColor: '#0a7d5a', logoUrl: 'data:image/png;base64,iVBORw0KGgo=' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^ps_/),
      tenantId,
      status: 'unused',
      readOnly: true,
      endpointIds: [endpointId],
      eventTypes: ['portal.invoice.paid'],
      allowedOrigins: ['https://app.example.com', 'http://127.0.0.1:8080'],
      branding: { displayName: 'Acme Webhooks', accentColor: '#0a7d5a' },
      createdBy: 'admin',
      exchangedAt: null,
      revokedAt: null,
    });
    expect(res.body.url).toMatch(new RegExp(`^${hookrelay.apiUrl}/portal/${res.body.id}#hrpl_[A-Za-z0-9_-]{32}$`));
    const lifetime = Date.parse(res.body.expiresAt) - before;
    expect(lifetime).toBeGreaterThan(3595_000);
    expect(lifetime).toBeLessThan(3605_000);
    const listed = await hookrelay.request('GET', `/v1/tenants/${tenantId}/portal-sessions`);
    const row = listed.body.data.find((session: { id: string }) => session.id === res.body.id);
    expect(row).toBeDefined();
    expect(row.url).toBeUndefined();
  });

  it.each([
    ['an expiry under 5 minutes', { expiresInSeconds: 299 }, 'body.expiresInSeconds'],
    ['an expiry over 7 days', { expiresInSeconds: 604801 }, 'body.expiresInSeconds'],
    ['an origin with a path', { allowedOrigins: ['https://app.example.com/embed'] }, 'body.allowedOrigins.0'],
    ['a wildcard origin', { allowedOrigins: ['https://*.example.com'] }, 'body.allowedOrigins.0'],
    ['a non-web origin', { allowedOrigins: ['javascript:alert(1)'] }, 'body.allowedOrigins.0'],
    ['a logo from another origin', { branding: { logoUrl: 'https://cdn.example.com/logo.png' } }, 'body.branding.logoUrl'],
    ['a colour that is not #rrggbb', { branding: { accentColor: 'red; background: url(x)' } }, 'body.branding.accentColor'],
    ['an unknown field', { admin: true }, 'body'],
    ['an endpoint id of another tenant', { endpointIds: ['ep_00000000000000000000000000'] }, 'body.endpointIds'],
    ['an unknown event type', { eventTypes: ['no.such.type'] }, 'body.eventTypes'],
  ])('refuses %s with 400 and makes nothing', async (_what, body, path) => {
    const count = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from portal_sessions`.execute(hookrelay.db)).rows[0]!.n);
    const before = await count();
    const res = await create(body);
    expectProblem(res, 400);
    expect((res.body.errors ?? []).map((e: { path: string }) => e.path).join(' ')).toContain(path);
    expect(await count()).toBe(before);
  });

  it('lets a tenant key with portal:sessions make links for its own tenant only', async () => {
    const portalKey = await createKey(hookrelay, tenantId, ['portal:sessions']);
    const writer = await createKey(hookrelay, tenantId, ['endpoints:write']);
    const made = await create({}, portalKey);
    expect(made.status).toBe(201);
    expect(made.body.createdBy).toMatch(/^key_/);
    expectProblem(await create({}, writer), 403);
    expectProblem(await hookrelay.request('POST', `/v1/tenants/${otherTenantId}/portal-sessions`, { body: {}, key: portalKey }), 404);
  });

  it('exchanges the link once; a second opening is refused and grants nothing', async () => {
    const created = await createPortalSession(hookrelay, tenantId);
    expectProblem(await exchangeLink(hookrelay, created.id, 'hrpl_' + 'x'.repeat(32)), 404);
    const first = await exchangeLink(hookrelay, created.id, created.linkToken);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toMatchObject({ sessionToken: expect.stringMatching(/^hrps_/), session: { id: created.id, status: 'active' } });
    const second = await exchangeLink(hookrelay, created.id, created.linkToken);
    expectProblem(second, 410);
    expect(second.body.type).toMatch(/portal-link-used$/);
    expect(second.body.sessionToken).toBeUndefined();
    // Concurrent openings of a fresh link: exactly one wins.
    const fresh = await createPortalSession(hookrelay, tenantId);
    const racing = await Promise.all([1, 2, 3, 4].map(() => exchangeLink(hookrelay, fresh.id, fresh.linkToken)));
    expect(racing.map((res) => res.status).sort()).toEqual([200, 410, 410, 410]);
  });

  it('stores only hashes of the link and session tokens', async () => {
    const opened = await openPortalSession(hookrelay, tenantId);
    const row = await sql<Record<string, unknown>>`select * from portal_sessions where id = ${opened.id}`.execute(hookrelay.db);
    const stored = JSON.stringify(row.rows[0]);
    expect(stored).not.toContain(opened.linkToken);
    expect(stored).not.toContain(opened.sessionToken);
    expect(row.rows[0]).toMatchObject({ link_token_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('turns nothing the link carries into an API key', async () => {
    const opened = await openPortalSession(hookrelay, tenantId);
    // The link token is no credential at all; the session token is a portal credential, no more.
    expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key: opened.linkToken }), 401);
    const asSession = (method: string, path: string, body?: unknown) => hookrelay.request(method, path, { key: opened.sessionToken, body });
    expectProblem(await asSession('POST', `/v1/tenants/${tenantId}/api-keys`, { scopes: ['endpoints:read'] }), 403);
    expectProblem(await asSession('GET', `/v1/tenants/${tenantId}/api-keys`), 403);
    expectProblem(await asSession('POST', `/v1/tenants/${tenantId}/portal-sessions`, {}), 403);
    expectProblem(await asSession('POST', `/v1/tenants/${tenantId}/events`, { type: 'portal.invoice.paid', data: {} }), 403);
    expect((await asSession('GET', '/v1/portal-session')).body).toMatchObject({ id: opened.id, tenantId });
    // An API key is not a portal session.
    expectProblem(await hookrelay.request('GET', '/v1/portal-session'), 403);
  });

  it('revokes a session: its credential and its unopened link are refused from then on', async () => {
    const opened = await openPortalSession(hookrelay, tenantId);
    expect((await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key: opened.sessionToken })).status).toBe(200);
    const revoked = await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/portal-sessions/${opened.id}`);
    expect(revoked.status).toBe(204);
    expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key: opened.sessionToken }), 401);
    const unopened = await createPortalSession(hookrelay, tenantId);
    await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/portal-sessions/${unopened.id}`);
    const res = await exchangeLink(hookrelay, unopened.id, unopened.linkToken);
    expectProblem(res, 410);
    expect(res.body.type).toMatch(/portal-link-revoked$/);
    const listed = await hookrelay.request('GET', `/v1/tenants/${tenantId}/portal-sessions?limit=100`);
    expect(listed.body.data.find((s: { id: string }) => s.id === opened.id).status).toBe('revoked');
    expectProblem(await hookrelay.request('DELETE', `/v1/tenants/${otherTenantId}/portal-sessions/${opened.id}`), 404);
  });

  it('refuses an expired link and ends the session it opened', async () => {
    const opened = await openPortalSession(hookrelay, tenantId);
    const unopened = await createPortalSession(hookrelay, tenantId);
    await hookrelay.db
      .updateTable('portal_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', 'in', [opened.id, unopened.id])
      .execute();
    const res = await exchangeLink(hookrelay, unopened.id, unopened.linkToken);
    expectProblem(res, 410);
    expect(res.body.type).toMatch(/portal-link-expired$/);
    expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key: opened.sessionToken }), 401);
  });

  it("serves the portal page framed only by the session's origins, and by nobody for an unknown session", async () => {
    const created = await createPortalSession(hookrelay, tenantId, { allowedOrigins: ['https://app.example.com'] });
    const page = await fetch(`${hookrelay.apiUrl}/portal/${created.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toContain('frame-ancestors https://app.example.com');
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    const unframed = await createPortalSession(hookrelay, tenantId);
    expect((await fetch(`${hookrelay.apiUrl}/portal/${unframed.id}`)).headers.get('content-security-policy')).toContain(
      "frame-ancestors 'none'",
    );
    for (const id of ['ps_00000000000000000000000000', 'not-a-session']) {
      const unknown = await fetch(`${hookrelay.apiUrl}/portal/${id}`);
      expect(unknown.status).toBe(200); // the page says the link is not valid
      expect(unknown.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });
});

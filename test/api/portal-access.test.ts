// What a portal session's credential may do, over every /v1 route of the OpenAPI document, the
// way the scopes and tenant-isolation tests do it: for each kind of session (full, read-only,
// limited to some endpoints, limited to some event types) and each route, a resource it may see
// passes the access check, one its limits hide is a 404, another tenant's is refused, and a
// route its options do not allow is a 403. Lists show only what the session may see.
import { createKey, createTenant, ensureEventType } from '../support/api';
import { openPortalSession, type OpenedPortalSession } from '../support/portal';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

/** What each route needs of a portal session; 'never': refused to every session. */
type Need = 'never' | 'read' | 'secrets' | 'write' | 'create' | 'self' | 'tenant-wide read' | 'tenant-wide write';

const PORTAL_ACCESS: Record<string, Need> = {
  'POST /v1/tenants': 'never',
  'GET /v1/tenants': 'never',
  'GET /v1/tenants/{tenantId}': 'read',
  'PATCH /v1/tenants/{tenantId}': 'never',
  'POST /v1/tenants/{tenantId}/api-keys': 'never',
  'GET /v1/tenants/{tenantId}/api-keys': 'never',
  'DELETE /v1/tenants/{tenantId}/api-keys/{id}': 'never',
  'POST /v1/tenants/{tenantId}/portal-sessions': 'never',
  'GET /v1/tenants/{tenantId}/portal-sessions': 'never',
  'DELETE /v1/tenants/{tenantId}/portal-sessions/{id}': 'never',
  'GET /v1/portal-session': 'self',
  'POST /v1/event-types': 'never',
  'GET /v1/event-types': 'read',
  'PATCH /v1/event-types/{name}': 'never',
  'POST /v1/tenants/{tenantId}/endpoints': 'create',
  'GET /v1/tenants/{tenantId}/endpoints': 'read',
  'GET /v1/tenants/{tenantId}/endpoints/{id}': 'read',
  'PATCH /v1/tenants/{tenantId}/endpoints/{id}': 'write',
  'DELETE /v1/tenants/{tenantId}/endpoints/{id}': 'write',
  'GET /v1/tenants/{tenantId}/endpoints/{id}/stats': 'read',
  'GET /v1/tenants/{tenantId}/endpoints/{id}/secret': 'secrets',
  'POST /v1/tenants/{tenantId}/endpoints/{id}/secret/rotate': 'write',
  'POST /v1/tenants/{tenantId}/endpoints/{id}/enable': 'write',
  'POST /v1/tenants/{tenantId}/endpoints/{id}/disable': 'write',
  'POST /v1/tenants/{tenantId}/endpoints/{id}/test': 'write',
  // Without an event in the body it reads the tenant's newest event: sessions without limits only.
  'POST /v1/tenants/{tenantId}/endpoints/{id}/filter/test': 'tenant-wide read',
  'POST /v1/tenants/{tenantId}/endpoints/{id}/recover': 'write',
  'POST /v1/tenants/{tenantId}/events': 'never',
  'POST /v1/tenants/{tenantId}/events/batch': 'never',
  'GET /v1/tenants/{tenantId}/events': 'read',
  'GET /v1/tenants/{tenantId}/events/{id}': 'read',
  'POST /v1/tenants/{tenantId}/replays': 'tenant-wide write',
  'GET /v1/tenants/{tenantId}/replays': 'tenant-wide read',
  'GET /v1/tenants/{tenantId}/replays/{id}': 'tenant-wide read',
  'POST /v1/tenants/{tenantId}/replays/{id}/cancel': 'tenant-wide write',
  'GET /v1/tenants/{tenantId}/deliveries': 'read',
  'GET /v1/tenants/{tenantId}/deliveries/{id}': 'read',
  'POST /v1/tenants/{tenantId}/deliveries/{id}/resend': 'write',
  'POST /v1/tenants/{tenantId}/deliveries/{id}/cancel': 'write',
};

type SessionKind = 'full' | 'readOnly' | 'someEndpoints' | 'someEventTypes';

interface Resources {
  tenantId: string;
  endpoint: string;
  delivery: string;
  event: string;
}

const PLACEHOLDERS: Record<string, string> = {
  'api-keys': 'key_00000000000000000000000000',
  'portal-sessions': 'ps_00000000000000000000000000',
  replays: 'rpl_00000000000000000000000000',
};

describe('what a portal session may do, on every route', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let documented: Array<{ route: string; method: string; path: string }>;
  const sessions = {} as Record<SessionKind, OpenedPortalSession>;
  // Of the portal's tenant: seen by every session / hidden from the limited ones; and another tenant's.
  let visible: Resources;
  let hidden: Resources;
  let foreign: Resources;
  let starEndpoint: string;

  async function createEndpoint(tenantId: string, name: string, eventTypes: string[]) {
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name, url: receiver.url, eventTypes, enabled: true },
    });
    expect(endpoint.status).toBe(201);
    return endpoint.body.id as string;
  }

  async function deliveryOf(tenantId: string, endpointId: string, eventId: string): Promise<string> {
    return waitFor(async () => {
      const page = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?endpointId=${endpointId}&limit=100`);
      return page.body.data.find((d: { eventId: string }) => d.eventId === eventId)?.id as string | undefined;
    });
  }

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    await ensureEventType(hookrelay, 'portal.seen', { group: 'Portal' });
    await ensureEventType(hookrelay, 'portal.hidden', { group: 'Portal' });
    const tenantId = await createTenant(hookrelay, 'Portal tenant');
    const otherTenantId = await createTenant(hookrelay, 'Other tenant');
    const publish = async (tenant: string, type: string) => {
      const key = await createKey(hookrelay, tenant, ['events:publish']);
      const res = await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, { key, body: { type, data: {} } });
      expect(res.status).toBe(202);
      return res.body.id as string;
    };
    const seenEndpoint = await createEndpoint(tenantId, 'Seen', ['portal.seen']);
    const hiddenEndpoint = await createEndpoint(tenantId, 'Hidden', ['portal.hidden']);
    starEndpoint = await createEndpoint(tenantId, 'Everything', ['*']);
    const foreignEndpoint = await createEndpoint(otherTenantId, 'Foreign', ['*']);
    const seenEvent = await publish(tenantId, 'portal.seen');
    const hiddenEvent = await publish(tenantId, 'portal.hidden');
    const foreignEvent = await publish(otherTenantId, 'portal.seen');
    visible = { tenantId, endpoint: seenEndpoint, event: seenEvent, delivery: await deliveryOf(tenantId, seenEndpoint, seenEvent) };
    hidden = { tenantId, endpoint: hiddenEndpoint, event: hiddenEvent, delivery: await deliveryOf(tenantId, hiddenEndpoint, hiddenEvent) };
    foreign = {
      tenantId: otherTenantId,
      endpoint: foreignEndpoint,
      event: foreignEvent,
      delivery: await deliveryOf(otherTenantId, foreignEndpoint, foreignEvent),
    };
    sessions.full = await openPortalSession(hookrelay, tenantId);
    sessions.readOnly = await openPortalSession(hookrelay, tenantId, { readOnly: true });
    sessions.someEndpoints = await openPortalSession(hookrelay, tenantId, { endpointIds: [seenEndpoint] });
    sessions.someEventTypes = await openPortalSession(hookrelay, tenantId, { eventTypes: ['portal.seen'] });
    const doc = (await hookrelay.request('GET', '/openapi.json', { key: null })).body;
    documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => ({ route: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path })),
      );
  }, 120_000);
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  const mayDo = (kind: SessionKind, need: Need): boolean => {
    if (need === 'never') return false;
    if (need === 'read' || need === 'self') return true;
    // Replays span the tenant: only for sessions without limits.
    if (need === 'tenant-wide read') return kind === 'full' || kind === 'readOnly';
    if (need === 'tenant-wide write') return kind === 'full';
    if (kind === 'readOnly') return false;
    return need !== 'create' || kind !== 'someEndpoints';
  };

  function urlFor(path: string, resources: Resources): string {
    return path
      .replace('{tenantId}', resources.tenantId)
      .replace('{name}', 'portal.seen')
      .replace(/\/(endpoints|deliveries|events|api-keys|portal-sessions|replays)\/\{id\}/, (_match, collection: string) => {
        const id =
          collection === 'endpoints'
            ? resources.endpoint
            : collection === 'deliveries'
              ? resources.delivery
              : collection === 'events'
                ? resources.event
                : PLACEHOLDERS[collection]!;
        return `/${collection}/${id}`;
      });
  }

  /** A valid body where the route requires one, so that its answer is about access, not input. */
  const bodyFor = (url: string) => (url.endsWith('/recover') ? { since: new Date(Date.now() - 3600_000).toISOString() } : {});
  const send = (session: OpenedPortalSession, method: string, url: string) =>
    hookrelay.request(method, url, {
      key: session.sessionToken,
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: bodyFor(url) }),
    });

  it('covers exactly the documented /v1 routes', () => {
    expect(documented.map((d) => d.route).sort()).toEqual(Object.keys(PORTAL_ACCESS).sort());
  });

  it.each<SessionKind>(['full', 'readOnly', 'someEndpoints', 'someEventTypes'])(
    'holds a %s session to its options on every route',
    async (kind) => {
      const session = sessions[kind];
      const limited = kind === 'someEndpoints' || kind === 'someEventTypes';
      const outcomes: unknown[] = [];
      // Deleting the visible endpoint would empty the rest of the run: DELETE …/endpoints/{id} runs on its own below.
      for (const { route, method, path } of documented.filter((d) => d.route !== 'DELETE /v1/tenants/{tenantId}/endpoints/{id}')) {
        const need = PORTAL_ACCESS[route]!;
        const allowed = mayDo(kind, need);
        const seen = await send(session, method, urlFor(path, visible));
        const passed = ![401, 403, 404].includes(seen.status);
        outcomes.push({ route, target: 'visible', outcome: passed ? 'passes' : seen.status });
        if (path.includes('{tenantId}')) {
          const other = await send(session, method, urlFor(path, foreign));
          outcomes.push({ route, target: 'other tenant', outcome: [403, 404].includes(other.status) ? 'refused' : other.status });
          const mixed = { ...foreign, tenantId: visible.tenantId };
          if (/\{id\}/.test(path) && !/api-keys|portal-sessions|replays/.test(path)) {
            const typed = await send(session, method, urlFor(path, mixed));
            outcomes.push({ route, target: "other tenant's id", outcome: allowed ? typed.status : [403, 404].includes(typed.status) });
          }
          if (limited && /\{id\}/.test(path) && !/api-keys|portal-sessions|replays/.test(path)) {
            const hid = await send(session, method, urlFor(path, hidden));
            outcomes.push({ route, target: 'hidden', outcome: allowed ? hid.status : [403, 404].includes(hid.status) });
          }
        }
        // A made-up id (no such replay, key or session) gets past the checks to a 404.
        const placeholder = /(api-keys|portal-sessions|replays)\/\{id\}/.test(path);
        const expected: unknown[] = [{ route, target: 'visible', outcome: allowed ? (placeholder ? 404 : 'passes') : 403 }];
        if (path.includes('{tenantId}')) {
          expected.push({ route, target: 'other tenant', outcome: 'refused' });
          if (/\{id\}/.test(path) && !/api-keys|portal-sessions|replays/.test(path)) {
            expected.push({ route, target: "other tenant's id", outcome: allowed ? 404 : true });
            if (limited) expected.push({ route, target: 'hidden', outcome: allowed ? 404 : true });
          }
        }
        expect(outcomes.slice(-expected.length)).toEqual(expected);
      }
    },
    120_000,
  );

  it('deletes only an endpoint the session may see', async () => {
    for (const kind of ['full', 'someEventTypes', 'someEndpoints', 'readOnly'] as const) {
      const doomed = await hookrelay.request('POST', `/v1/tenants/${visible.tenantId}/endpoints`, {
        body: { name: `Doomed ${kind}`, url: receiver.url, eventTypes: ['portal.seen'] },
      });
      const session =
        kind === 'someEndpoints' ? await openPortalSession(hookrelay, visible.tenantId, { endpointIds: [doomed.body.id] }) : sessions[kind];
      const del = (tenantId: string, id: string) =>
        hookrelay.request('DELETE', `/v1/tenants/${tenantId}/endpoints/${id}`, { key: session.sessionToken });
      expect([kind, (await del(foreign.tenantId, foreign.endpoint)).status]).toEqual([kind, 404]);
      expect([kind, (await del(visible.tenantId, foreign.endpoint)).status]).toEqual([kind, kind === 'readOnly' ? 403 : 404]);
      if (kind !== 'full' && kind !== 'readOnly') {
        expect([kind, (await del(visible.tenantId, hidden.endpoint)).status]).toEqual([kind, 404]);
      }
      expect([kind, (await del(visible.tenantId, doomed.body.id)).status]).toEqual([kind, kind === 'readOnly' ? 403 : 204]);
    }
    expect((await hookrelay.request('GET', `/v1/tenants/${foreign.tenantId}/endpoints/${foreign.endpoint}`)).status).toBe(200);
    expect((await hookrelay.request('GET', `/v1/tenants/${hidden.tenantId}/endpoints/${hidden.endpoint}`)).status).toBe(200);
  });

  it('lists only what each session may see', async () => {
    const ids = async (session: OpenedPortalSession, path: string) =>
      (await hookrelay.request('GET', path, { key: session.sessionToken })).body.data.map(
        (item: { id?: string; name?: string }) => item.id ?? item.name,
      );
    const t = visible.tenantId;
    for (const kind of ['full', 'readOnly'] as const) {
      expect(await ids(sessions[kind], `/v1/tenants/${t}/endpoints`)).toEqual(
        expect.arrayContaining([visible.endpoint, hidden.endpoint, starEndpoint]),
      );
      expect(await ids(sessions[kind], `/v1/tenants/${t}/events`)).toEqual(expect.arrayContaining([visible.event, hidden.event]));
    }
    for (const kind of ['someEndpoints', 'someEventTypes'] as const) {
      const endpoints = await ids(sessions[kind], `/v1/tenants/${t}/endpoints?limit=100`);
      expect([kind, endpoints.includes(visible.endpoint), endpoints.includes(hidden.endpoint), endpoints.includes(starEndpoint)]).toEqual([
        kind,
        true,
        false,
        false,
      ]);
      const deliveries = await ids(sessions[kind], `/v1/tenants/${t}/deliveries?limit=100`);
      expect([kind, deliveries.includes(visible.delivery), deliveries.includes(hidden.delivery)]).toEqual([kind, true, false]);
      const filtered = await ids(sessions[kind], `/v1/tenants/${t}/deliveries?endpointId=${hidden.endpoint}`);
      expect([kind, filtered]).toEqual([kind, []]);
      const events = await ids(sessions[kind], `/v1/tenants/${t}/events?limit=100`);
      expect([kind, events.includes(visible.event), events.includes(hidden.event)]).toEqual([kind, true, false]);
    }
    const catalog = await hookrelay.request('GET', '/v1/event-types', { key: sessions.someEventTypes.sessionToken });
    expect(catalog.body.data.map((t: { name: string }) => t.name)).toEqual(['portal.seen']);
    // A session limited to event types subscribes within them, never to "*".
    const outside = await hookrelay.request('POST', `/v1/tenants/${t}/endpoints`, {
      key: sessions.someEventTypes.sessionToken,
      body: { name: 'Sneaky', url: receiver.url, eventTypes: ['*'] },
    });
    expect(outside.status).toBe(403);
    const patch = await hookrelay.request('PATCH', `/v1/tenants/${t}/endpoints/${visible.endpoint}`, {
      key: sessions.someEventTypes.sessionToken,
      body: { eventTypes: ['portal.hidden'] },
    });
    expect(patch.status).toBe(403);
  });
});

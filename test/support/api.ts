// Helpers for the HTTP API tests: tenants and scoped keys made through the API itself, problem
// assertions, rows seeded straight into the database for list tests, and page walking.
import { insertAttemptRows } from './attempt-rows';
import type { ApiKeyScope } from '../../src/domain/api-keys';
import { newId } from '../../src/domain/ids';
import type { TestHookrelay } from './stack';

export async function createTenant(hookrelay: TestHookrelay, name = 'Acme'): Promise<string> {
  const res = await hookrelay.request('POST', '/v1/tenants', { body: { name } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

export async function createKey(hookrelay: TestHookrelay, tenantId: string, scopes: ApiKeyScope[]): Promise<string> {
  const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/api-keys`, { body: { scopes } });
  expect(res.status).toBe(201);
  return res.body.key as string;
}

export async function ensureEventType(hookrelay: TestHookrelay, name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await hookrelay.request('POST', '/v1/event-types', { body: { name, ...extra } });
  expect([201, 409]).toContain(res.status);
}

type Response = Awaited<ReturnType<TestHookrelay['request']>>;

/** Asserts an RFC 9457 problem with this status, and (when given) field errors at these paths. */
export function expectProblem(res: Response, status: number, paths?: string[]): void {
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
  if (paths) {
    const reported = (res.body.errors ?? []).map((error: { path: string }) => error.path);
    for (const path of paths) expect(reported).toContain(path);
  }
}

/** Follows nextCursor until the end, returning every id in order. */
export async function collectPages(
  hookrelay: TestHookrelay,
  path: string,
  options: { key?: string; limit: number },
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = `${path}${separator}limit=${options.limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await hookrelay.request('GET', url, { key: options.key });
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(options.limit);
    ids.push(...res.body.data.map((item: { id: string }) => item.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

export interface SeedDelivery {
  endpointId: string;
  eventType: string;
  status?: 'pending' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';
  resourceId?: string | null;
  createdAt?: Date;
  /** The last attempt's answer and error kind, as the attempt step records them. */
  lastResponseStatus?: number | null;
  lastErrorKind?: string | null;
}

/** Inserts an event and one delivery for it directly (no workflow): the log as a list sees it. */
export async function seedDelivery(
  hookrelay: TestHookrelay,
  tenantId: string,
  seed: SeedDelivery,
): Promise<{ eventId: string; deliveryId: string }> {
  const eventId = newId('evt');
  const deliveryId = newId('dlv');
  const createdAt = seed.createdAt ?? new Date();
  await hookrelay.db
    .insertInto('events')
    .values({
      id: eventId,
      tenant_id: tenantId,
      type: seed.eventType,
      data: JSON.stringify({}),
      resource_id: seed.resourceId ?? null,
      occurred_at: createdAt,
      created_at: createdAt,
    })
    .execute();
  await hookrelay.db
    .insertInto('deliveries')
    .values({
      id: deliveryId,
      tenant_id: tenantId,
      event_id: eventId,
      endpoint_id: seed.endpointId,
      event_type: seed.eventType,
      resource_id: seed.resourceId ?? null,
      status: seed.status ?? 'succeeded',
      last_response_status: seed.lastResponseStatus ?? null,
      last_error_kind: seed.lastErrorKind ?? null,
      workflow_id: `delivery-${deliveryId}`,
      created_at: createdAt,
    })
    .execute();
  return { eventId, deliveryId };
}

export interface SeedAttempt {
  startedAt: Date;
  durationMs: number;
  status?: number | null;
  errorKind?: string | null;
  number?: number;
}

/** Inserts attempts of one delivery directly, as the attempt step records them (endpoint statistics read these). */
export async function seedAttempts(
  hookrelay: TestHookrelay,
  delivery: { deliveryId: string; endpointId: string },
  attempts: SeedAttempt[],
): Promise<void> {
  await insertAttemptRows(
    hookrelay.db,
    attempts.map((attempt, index) => ({
      delivery_id: delivery.deliveryId,
      endpoint_id: delivery.endpointId,
      number: attempt.number ?? index + 1,
      trigger: 'scheduled' as const,
      started_at: attempt.startedAt,
      duration_ms: attempt.durationMs,
      request_url: 'https://example.com/hook',
      request_headers: JSON.stringify({}),
      response_status: attempt.status ?? null,
      response_headers: attempt.status ? JSON.stringify({}) : null,
      error_kind: attempt.errorKind ?? null,
      error_message: attempt.errorKind ? `seeded ${attempt.errorKind}` : null,
    })),
  );
}

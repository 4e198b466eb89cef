// Creating the things a delivery needs through the real services, as the API does.
import type { CreateEndpointBody } from '../../src/api/schemas';
import type { ServiceContext } from '../../src/services/context';
import { createEndpoint } from '../../src/services/endpoints.service';
import { createEventType } from '../../src/services/event-types.service';
import { createTenant } from '../../src/services/tenants.service';
import { findEventType } from '../../src/db/event-types.repository';

export async function createTenantWithEndpoint(ctx: ServiceContext, endpoint: Partial<CreateEndpointBody> & { url: string }) {
  const tenant = await createTenant(ctx, { name: 'Acme' });
  const type = endpoint.eventTypes?.[0] ?? 'invoice.activated';
  await ensureEventType(ctx, type);
  const created = await createEndpoint(ctx, tenant.id, { name: 'receiver', eventTypes: [type], enabled: true, ...endpoint });
  return { tenantId: tenant.id, endpointId: created.row.id, eventType: type };
}

export async function ensureEventType(ctx: ServiceContext, name: string): Promise<void> {
  if (name === '*' || (await findEventType(ctx.db, name))) return;
  await createEventType(ctx, { name, group: name.split('.')[0] });
}

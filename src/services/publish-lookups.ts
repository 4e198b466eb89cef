// The reads a publish makes before it records anything: does the tenant exist, is the type in the
// catalog, which endpoints subscribe to it. A single publish reads them once; a batch shares one
// memo across its events (one transaction, so what it read stays what it uses), which makes a
// batch of 100 events of one type cost three lookups instead of three hundred.
import type { Kysely } from 'kysely';
import { findSubscribedEndpoints } from '../db/endpoints.repository';
import { findEventType } from '../db/event-types.repository';
import type { Database, EventTypeRow } from '../db/schema';
import { findTenantById } from '../db/tenants.repository';

export type SubscribedEndpoint = Awaited<ReturnType<typeof findSubscribedEndpoints>>[number];

export interface PublishLookups {
  tenantExists(db: Kysely<Database>, tenantId: string): Promise<boolean>;
  eventType(db: Kysely<Database>, name: string): Promise<EventTypeRow | undefined>;
  subscribedEndpoints(db: Kysely<Database>, tenantId: string, eventType: string): Promise<SubscribedEndpoint[]>;
}

export const directLookups: PublishLookups = {
  tenantExists: async (db, tenantId) => (await findTenantById(db, tenantId)) !== undefined,
  eventType: findEventType,
  subscribedEndpoints: findSubscribedEndpoints,
};

/** Lookups that read each answer once; for the events of one batch, inside its transaction. */
export function memoizedLookups(): PublishLookups {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let answer = memo.get(key) as Promise<T> | undefined;
    if (!answer) memo.set(key, (answer = read()));
    return answer;
  };
  return {
    tenantExists: (db, tenantId) => once(`tenant\0${tenantId}`, () => directLookups.tenantExists(db, tenantId)),
    eventType: (db, name) => once(`type\0${name}`, () => directLookups.eventType(db, name)),
    subscribedEndpoints: (db, tenantId, eventType) =>
      once(`subscribed\0${tenantId}\0${eventType}`, () => directLookups.subscribedEndpoints(db, tenantId, eventType)),
  };
}

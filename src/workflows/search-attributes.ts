// Custom search attributes operators filter deliveries by in the Temporal UI (SPEC §6).
// Plain data, safe to import from workflow code.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const tenantIdKey = defineSearchAttributeKey('HookrelayTenantId', SearchAttributeType.KEYWORD);
export const endpointIdKey = defineSearchAttributeKey('HookrelayEndpointId', SearchAttributeType.KEYWORD);
export const eventTypeKey = defineSearchAttributeKey('HookrelayEventType', SearchAttributeType.KEYWORD);
export const deliveryStatusKey = defineSearchAttributeKey('HookrelayDeliveryStatus', SearchAttributeType.KEYWORD);

/** name → Temporal type name, as `temporal operator search-attribute create` and start-dev take them. */
export const searchAttributeDefinitions: ReadonlyArray<{ name: string; type: 'Keyword' }> = [
  tenantIdKey,
  endpointIdKey,
  eventTypeKey,
  deliveryStatusKey,
].map((key) => ({ name: key.name, type: 'Keyword' as const }));

// Registers hookrelay's search attributes on a namespace through the operator API: what
// `temporal operator search-attribute create` does (the dev server gets them as start flags).
// Used where no CLI is at hand, e.g. the time-skipping test server.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { searchAttributeDefinitions } from '../workflows/search-attributes';

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        searchAttributeDefinitions.map((sa) => [sa.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
  } catch (error) {
    // ALREADY_EXISTS (6): registered before, which is the state we want.
    if ((error as { code?: number }).code !== 6) throw error;
  }
}

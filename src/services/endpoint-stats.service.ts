// Endpoint health: statistics of one endpoint's attempts over a window, in buckets.
import { findEndpoint } from '../db/endpoints.repository';
import { queryEndpointStats } from '../db/endpoint-stats.repository';
import { resolveStatsWindow, toStatsSeries, type EndpointStatsSeries, type StatsWindowRequest } from '../domain/endpoint-stats';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { ServiceContext } from './context';

/** `since`/`until` are ISO-8601 (api/schemas' endpointStatsQuery satisfies it). */
export interface EndpointStatsInput {
  since?: string | undefined;
  until?: string | undefined;
  bucket?: StatsWindowRequest['bucket'];
}

export async function getEndpointStats(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  input: EndpointStatsInput,
  now = new Date(),
): Promise<EndpointStatsSeries> {
  const resolved = resolveStatsWindow(
    {
      since: input.since ? new Date(input.since) : undefined,
      until: input.until ? new Date(input.until) : undefined,
      bucket: input.bucket,
    },
    now,
  );
  if (!resolved.ok) {
    throw new InvalidInputError(
      'The request query is invalid',
      resolved.errors.map((error) => ({ path: `query.${error.field}`, message: error.message })),
    );
  }
  // Another tenant's endpoint, like a deleted one, does not exist here (404).
  if (!(await findEndpoint(ctx.db, tenantId, endpointId))) throw new NotFoundError('endpoint', endpointId);
  return toStatsSeries(resolved.window, await queryEndpointStats(ctx.db, endpointId, resolved.window));
}

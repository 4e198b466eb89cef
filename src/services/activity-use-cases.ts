// The use cases the worker's activities hand work to, bound to this process's context. The worker
// injects them (temporal/create-worker.ts), so activities never import a service.
import type { PublishEventInput } from '../workflows/contracts';
import type { ServiceContext } from './context';
import { recordEventsAndStartDeliveries } from './batch-publishing.service';
import { disableEndpoint } from './endpoint-control.service';
import { recordEventAndStartDeliveries, type PublishOptions } from './publishing.service';
import { runReplayStep } from './replay-steps.service';

export function activityUseCases(ctx: ServiceContext) {
  return {
    recordEventAndStartDeliveries: (input: PublishEventInput, options: PublishOptions) =>
      recordEventAndStartDeliveries(ctx, input, options),
    recordEventsAndStartDeliveries: (inputs: PublishEventInput[], options: PublishOptions) =>
      recordEventsAndStartDeliveries(ctx, inputs, options),
    disableEndpoint: (tenantId: string, endpointId: string, reason: string, options: { exceptDeliveryId: string }) =>
      disableEndpoint(ctx, tenantId, endpointId, reason, options),
    runReplayStep: (replayId: string) => runReplayStep(ctx, replayId),
  };
}

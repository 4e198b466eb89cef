// The package's public surface for services that publish without HTTP.
export {
  connectTemporalClient,
  publishBatchWorkflowId,
  publishEvent,
  publishEvents,
  publishWorkflowId,
  tracingClientInterceptors,
  type PublishRequest,
} from './temporal/client';
export type { PublishEventInput, PublishEventResult, DeliveryState } from './workflows/contracts';
export { resendSignal, cancelSignal, stateQuery } from './workflows/messages';

// Workflow entry for the worker bundle: deterministic code only.
export { deliveryWorkflow, deliveryWorkflowV2 } from './delivery.workflow';
export { endpointStatsRollupWorkflow } from './endpoint-stats-rollup.workflow';
export { publishEventWorkflow } from './publish.workflow';
export { publishEventsWorkflow } from './publish-batch.workflow';
export { replayWorkflow } from './replay.workflow';
export { retentionWorkflow } from './retention.workflow';

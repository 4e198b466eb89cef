// What tracing adds to a worker (only when it is on; off, the worker is exactly as without it):
// the OpenTelemetry interceptors of @temporalio/interceptors-opentelemetry for workflows (spans
// of RunWorkflow, StartActivity, …, exported through a sink with the process's spans) and for
// activities (each attempt activity's span, the parent of its POST's span).
import { existsSync } from 'node:fs';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What the worker needs of the process's tracing (src/tracing.ts). */
export interface WorkerTracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
}

/** The workflow interceptors' module: bundled with the workflows when tracing is on. */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** Beside a prebuilt bundle, the same workflows with the tracing interceptors (scripts/bundle-workflows.ts). */
export function tracedBundlePath(bundlePath: string): string {
  return bundlePath.replace(/\.js$/, '') + '.traced.js';
}

export const tracingActivityInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** Where the worker's workflows come from: a prebuilt bundle, or bundled at start-up (with the tracing interceptors when on). */
export function workflowSource(
  bundlePath: string | undefined,
  tracing: WorkerTracing | undefined,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> & { workflowModules: string[] } {
  const workflowsPath = require.resolve('../workflows');
  if (!tracing) {
    return bundlePath ? { workflowBundle: { codePath: bundlePath }, workflowModules: [] } : { workflowsPath, workflowModules: [] };
  }
  const traced = bundlePath && tracedBundlePath(bundlePath);
  if (traced && existsSync(traced)) return { workflowBundle: { codePath: traced }, workflowModules: [] };
  return { workflowsPath, workflowModules: [TRACING_WORKFLOW_INTERCEPTORS] };
}

/** The sink through which the workflow interceptors export their spans. */
export function tracingSinks(tracing: WorkerTracing | undefined): Pick<WorkerOptions, 'sinks'> {
  return tracing ? { sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } } : {};
}

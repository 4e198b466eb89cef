// Build step: bundles src/workflows once into dist/workflow-bundle.js (and workflow-bundle.traced.js,
// with the tracing interceptors), so production workers
// start without webpack (HOOKRELAY_WORKFLOW_BUNDLE points at it).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_INTERCEPTORS, tracedBundlePath } from '../src/temporal/worker-tracing';

async function main(): Promise<void> {
  const workflowsPath = require.resolve('../src/workflows');
  const out = path.resolve(__dirname, '..', 'workflow-bundle.js');
  // The same workflows with the OpenTelemetry interceptors, for workers with tracing on.
  for (const [file, workflowInterceptorModules] of [
    [out, []],
    [tracedBundlePath(out), [TRACING_WORKFLOW_INTERCEPTORS]],
  ] as const) {
    const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [...workflowInterceptorModules] });
    writeFileSync(file, code);
    console.log(`Wrote ${file} (${(code.length / 1024).toFixed(0)} KiB)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

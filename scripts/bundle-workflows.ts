// Build step: bundles src/workflows once into dist/workflow-bundle.js, so production workers
// start without webpack (HOOKRELAY_WORKFLOW_BUNDLE points at it).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows') });
  const out = path.resolve(__dirname, '..', 'workflow-bundle.js');
  writeFileSync(out, code);
  console.log(`Wrote ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

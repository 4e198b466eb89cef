// (a) The ceiling: a no-op workflow and activity on the same server and worker settings, run in
// a closed loop; what Temporal alone sustains on this machine.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CONCURRENCY, SHORT } from './flags';
import { billableActions } from './billable-actions';
import { closedLoop } from './load';
import { measured } from './measured';
import { spawnChild, type Stack } from './stack';

export async function measureCeiling({ env, temporal }: Stack) {
  const noop = await spawnChild(path.join(__dirname, 'noop-worker.ts'), env, /noop worker running/);
  const result = await measured('(a) ceiling', [noop.child.pid!], () =>
    closedLoop(SHORT, CONCURRENCY, async () => {
      await temporal.workflow.execute('noopWorkflow', { taskQueue: 'bench-noop', workflowId: `noop-${randomUUID()}` });
    }),
  );
  // Its bill, for comparison with a delivery's: one more run, counted from its history.
  const workflowId = `noop-${randomUUID()}`;
  await temporal.workflow.execute('noopWorkflow', { taskQueue: 'bench-noop', workflowId });
  const history = (await temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  await noop.stop();
  return { ...result, billableActionsPerWorkflow: billableActions(history).total, historyEvents: history.length };
}

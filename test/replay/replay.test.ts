// Determinism guard: every recorded history (test/replay/histories/*.pb) must replay against
// the current workflow code. A change that would break running deliveries fails here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { testStack } from '../support/stack';

const DIR = path.join(__dirname, 'histories');
const files = readdirSync(DIR).filter((file) => file.endsWith('.pb'));
const readHistory = (file: string) => ({
  workflowId: file,
  history: temporal.api.history.v1.History.decode(readFileSync(path.join(DIR, file))),
});

describe('recorded workflow histories replay against the current code', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('replays every one without nondeterminism', async () => {
    const histories = files.map(readHistory);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: testStack().workflowBundlePath } }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  // The guard's own negative test: a bundle with the two usual mistakes (incompatible/workflows.ts)
  // must fail the histories those mistakes break, with Temporal's nondeterminism error.
  it('fails on an incompatible change', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./incompatible/workflows'), logger: silent });
    const broken = ['delivery-v2-gone.pb', 'delivery-steps-first-try-success.pb'];
    const errors = new Map<string, string>();
    for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, broken.map(readHistory))) {
      errors.set(result.workflowId, result.error?.name ?? 'none');
    }
    expect(Object.fromEntries(errors)).toEqual(Object.fromEntries(broken.map((file) => [file, 'DeterminismViolationError'])));
  });
});

const silent = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

// Determinism guard: every recorded history (test/replay/histories/*.pb) must replay against
// the current workflow code. A change that would break running deliveries fails here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testStack } from '../support/stack';

const DIR = path.join(__dirname, 'histories');
const files = readdirSync(DIR).filter((file) => file.endsWith('.pb'));

describe('recorded workflow histories replay against the current code', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('replays every one without nondeterminism', async () => {
    const histories = files.map((file) => ({
      workflowId: file,
      history: temporal.api.history.v1.History.decode(readFileSync(path.join(DIR, file))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: testStack().workflowBundlePath } }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});

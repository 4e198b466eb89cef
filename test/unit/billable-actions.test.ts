// The bench's count of Temporal Cloud billable actions, on recorded real histories.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { billableActions } from '../../scripts/bench/billable-actions';

const history = (file: string) =>
  temporal.api.history.v1.History.decode(readFileSync(path.join(__dirname, '../replay/histories', file))).events;

describe('billable actions of a history', () => {
  it('a first-try delivery: the start, its local activity task and the status upsert (the patch upsert is exempt)', () => {
    expect(billableActions(history('delivery-steps-first-try-success.pb'))).toMatchObject({
      total: 3,
      workflowStarted: 1,
      localActivityTasks: 1,
      searchAttributeUpserts: 1,
      changeVersionUpserts: 1,
      timers: 0,
    });
  });

  it('a three-attempt delivery: one local activity action per workflow task, two retry timers, two status upserts', () => {
    expect(billableActions(history('delivery-three-attempts.pb'))).toMatchObject({
      total: 8,
      localActivityTasks: 3,
      timers: 2,
      searchAttributeUpserts: 2,
    });
  });

  it('a batch publish: one start and one local activity task, whatever the number of events', () => {
    expect(billableActions(history('publish-batch-three-events.pb')).total).toBe(2);
  });

  it('a resend: the signal counts', () => {
    expect(billableActions(history('delivery-resend.pb')).signals).toBe(1);
  });

  it('an activity retried three times: three attempts', () => {
    const EventType = temporal.api.enums.v1.EventType;
    const events = [
      { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
      { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED },
      { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 3 } },
      { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED },
      { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED },
    ];
    expect(billableActions(events)).toMatchObject({ total: 5, activityAttempts: 3, workflowTaskHeartbeats: 1 });
  });
});

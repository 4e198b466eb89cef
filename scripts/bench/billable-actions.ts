// Temporal Cloud billable actions of one workflow execution, counted from its history by the
// published rules (docs.temporal.io/cloud/actions): a workflow start, each timer, each signal
// received, each search-attribute upsert (not those at start, not TemporalChangeVersion), each
// activity attempt, and the local activities of one workflow task as one action (plus one per
// workflow-task heartbeat a long local activity needs). Queries and activity heartbeats do not
// show in a history; the bench sends none.
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** The patch marker's own upsert: exempt from billing. */
const CHANGE_VERSION_ATTRIBUTE = 'TemporalChangeVersion';
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

export interface BillableActions {
  total: number;
  workflowStarted: number;
  localActivityTasks: number;
  workflowTaskHeartbeats: number;
  activityAttempts: number;
  timers: number;
  signals: number;
  searchAttributeUpserts: number;
  childWorkflows: number;
  /** Exempt, listed because each is still a visibility write the server makes. */
  changeVersionUpserts: number;
}

export function billableActions(events: HistoryEvent[]): BillableActions {
  const counts: Omit<BillableActions, 'total'> = {
    workflowStarted: 0,
    localActivityTasks: 0,
    workflowTaskHeartbeats: 0,
    activityAttempts: 0,
    timers: 0,
    signals: 0,
    searchAttributeUpserts: 0,
    childWorkflows: 0,
    changeVersionUpserts: 0,
  };
  const localActivityTasks = new Set<string>();
  events.forEach((event, index) => {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        counts.workflowStarted++;
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        const marker = event.markerRecordedEventAttributes;
        if (marker?.markerName === LOCAL_ACTIVITY_MARKER) localActivityTasks.add(String(marker.workflowTaskCompletedEventId));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        // A completion with no command that asks for the next task at once is a heartbeat of a
        // local activity still running (the task's lease renewed): one more action each.
        if (events[index + 1]?.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) counts.workflowTaskHeartbeats++;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        // Each attempt is an action; the history keeps only the last attempt's started event.
        counts.activityAttempts += Math.max(1, event.activityTaskStartedEventAttributes?.attempt ?? 1);
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        counts.timers++;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        counts.signals++;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const names = Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (names.length > 0 && names.every((name) => name === CHANGE_VERSION_ATTRIBUTE)) counts.changeVersionUpserts++;
        else counts.searchAttributeUpserts++;
        break;
      }
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        // The intent and the child's execution: two actions.
        counts.childWorkflows += 2;
        break;
    }
  });
  counts.localActivityTasks = localActivityTasks.size;
  const total =
    counts.workflowStarted +
    counts.localActivityTasks +
    counts.workflowTaskHeartbeats +
    counts.activityAttempts +
    counts.timers +
    counts.signals +
    counts.searchAttributeUpserts +
    counts.childWorkflows;
  return { total, ...counts };
}

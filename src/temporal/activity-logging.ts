// One pino line per activity execution, carrying the workflow id and the delivery, event and
// tenant ids from the activity's input. Inputs carry ids only (payloads live in PostgreSQL), and
// only identifiers and outcome fields are copied, so no payload, secret or credential is logged.
import { performance } from 'node:perf_hooks';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import type { Logger } from 'pino';

const ID_FIELDS = ['deliveryId', 'eventId', 'tenantId', 'endpointId', 'attemptNumber', 'trigger'] as const;
const RESULT_FIELDS = ['outcome', 'status', 'errorKind', 'reason', 'eventId', 'deliveryCount', 'duplicate'] as const;

function pick(value: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    const item = record[field];
    if (item !== undefined && (typeof item !== 'object' || item === null)) picked[field] = item;
  }
  return picked;
}

export function activityLoggingInterceptor(logger: Logger): ActivityInterceptorsFactory {
  const activityLogger = logger.child({ component: 'activity' });
  return (ctx: Context) => ({ inbound: new ActivityLogging(ctx, activityLogger) });
}

class ActivityLogging implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly logger: Logger,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { info } = this.ctx;
    const fields = {
      activity: info.activityType,
      workflowId: info.workflowExecution?.workflowId,
      runId: info.workflowExecution?.runId,
      activityAttempt: info.attempt,
      ...pick(input.args[0], ID_FIELDS),
    };
    const started = performance.now();
    try {
      const result = await next(input);
      this.logger.info(
        { ...fields, durationMs: Math.round(performance.now() - started), result: pick(result, RESULT_FIELDS) },
        'activity completed',
      );
      return result;
    } catch (error) {
      const { name, message } = error as Error;
      this.logger.warn({ ...fields, durationMs: Math.round(performance.now() - started), err: { name, message } }, 'activity failed');
      throw error;
    }
  }
}

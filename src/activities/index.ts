// Activities: every side effect of publishing and delivering. Built by a factory so the worker
// injects the database, secret box, HTTP client, the endpoint gate and the use cases an activity
// hands work to (services/activity-use-cases.ts); activities import db and domain, never a service.
import { createAttemptActivities } from './attempt-delivery';
import { createDeliveryLifecycleActivities } from './delivery-lifecycle';
import type { ActivityDependencies } from './dependencies';
import { createEndpointGate } from './endpoint-gate';
import { createPublishActivities } from './publish';
import { createReplayActivities } from './replay';
import { DEFAULT_CIRCUIT_POLICY } from '../domain/endpoint-circuit';

export type { ActivityDependencies, ActivityUseCases } from './dependencies';

export function createActivities(deps: ActivityDependencies) {
  const circuitPolicy = deps.circuitPolicy === undefined ? DEFAULT_CIRCUIT_POLICY : deps.circuitPolicy;
  const gate =
    deps.gate ??
    createEndpointGate({
      db: deps.db,
      postSlots: deps.postSlots,
      defaultTimeoutMs: deps.defaultTimeoutMs,
      circuit: circuitPolicy && {
        http: deps.http,
        secretBox: deps.secretBox,
        userAgent: deps.userAgent,
        defaultTimeoutMs: deps.defaultTimeoutMs,
        disableFailingEndpointAfterMs: deps.disableFailingEndpointAfterMs,
        policy: circuitPolicy,
        metrics: deps.metrics,
        logger: deps.logger,
      },
    });
  return {
    ...createPublishActivities(deps),
    ...createAttemptActivities(deps, gate),
    ...createDeliveryLifecycleActivities(deps, gate),
    ...createReplayActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

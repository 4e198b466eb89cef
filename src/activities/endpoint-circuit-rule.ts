// The endpoint-wide circuit as a gate rule (issue 12 part 3): a healthy endpoint passes with no
// round trip (its state came with the delivery); behind a backing-off or open one, deliveries wait
// on staggered timers and ONE probe at a time goes (a lease on the endpoint row): the delivery
// itself, or a signed health check to healthCheckUrl. Rules of the state: domain/endpoint-circuit.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DeliveryForAttempt } from '../db/attempts.repository';
import {
  backOffHealthyEndpoint,
  circuitWaiters,
  countTimeout,
  releaseProbeLease,
  resetTimeouts,
  settleProbe,
  takeProbeLease,
} from '../db/endpoint-circuit.repository';
import type { Database } from '../db/schema';
import { attemptOutcome, type AttemptOutcome, type SentAttempt } from '../domain/attempt-outcome';
import type { Deferral } from '../domain/delivery-wait';
import {
  backingOffAfterTimeouts,
  endpointSignal,
  probeMayGo,
  RECOVERY_WAKE_BATCH,
  stepAfterProbe,
  stepWhileHealthy,
  TIMEOUTS_TO_BACK_OFF,
  waiterWakeAt,
  type CircuitChange,
  type CircuitPolicy,
  type CircuitView,
  type EndpointHealthState,
  type EndpointSignal,
} from '../domain/endpoint-circuit';
import { failingEndpointDisableReason } from '../domain/failing-endpoint';
import { healthCheckRequest } from '../domain/health-check-request';
import { newId } from '../domain/ids';
import type { SecretBox } from '../domain/secret-box';
import type { DeliveryMetrics } from '../metrics/metrics';
import { openEndpointCredentials } from './endpoint-credentials';
import type { GateRule } from './gate-rule';
import type { WebhookHttpClient } from './webhook-http';

/** The probe lease outlives the probe's own timeout by this much (a crashed holder frees it then). */
const PROBE_LEASE_MARGIN_MS = 10_000;

export interface EndpointCircuitDependencies {
  db: Kysely<Database>;
  http: WebhookHttpClient;
  secretBox: SecretBox;
  userAgent: string;
  defaultTimeoutMs: number;
  disableFailingEndpointAfterMs: number;
  policy: CircuitPolicy;
  metrics?: DeliveryMetrics | undefined;
  logger?: Logger | undefined;
}

/** What admit did for an attempt, for settle to finish: the delivery is the probe, or a health check already closed the circuit. */
type ProbeRole = 'delivery-probe' | 'checked';

export function endpointCircuitRule(deps: EndpointCircuitDependencies): GateRule {
  const { db, policy } = deps;
  const roles = new WeakMap<DeliveryForAttempt, ProbeRole>();

  async function moved(endpointId: string, from: EndpointHealthState | null, change: CircuitChange): Promise<string[]> {
    if (from === null) return [];
    if (from !== change.state) deps.metrics?.endpointHealthChanged?.(from, change.state);
    deps.logger?.info({ endpointId, from, to: change.state, reason: change.reason }, 'endpoint circuit changed');
    // Full rate at once: the longest waiters are woken now, the others come on their staggered timers.
    return change.state === 'healthy' ? circuitWaiters(db, endpointId, RECOVERY_WAKE_BATCH) : [];
  }

  async function healthCheck(delivery: DeliveryForAttempt, url: string, timeoutMs: number): Promise<EndpointSignal> {
    const request = healthCheckRequest({
      checkId: newId('hc'),
      endpointId: delivery.endpointId,
      ...openEndpointCredentials(delivery, deps.secretBox),
      userAgent: deps.userAgent,
      timestamp: new Date(),
    });
    const result = await deps.http.post({ url, headers: request.headers, body: request.body, timeoutMs });
    const status = result.kind === 'response' ? result.status : null;
    const errorKind = result.kind === 'error' ? result.errorKind : null;
    const signal = endpointSignal({ status, errorKind, complete: result.kind === 'response' }, null);
    deps.metrics?.healthCheckFinished?.(signal.kind === 'healthy' ? 'healthy' : 'unhealthy');
    return signal;
  }

  return {
    async admit(delivery, _input, now) {
      const view = circuitView(delivery);
      if (view.state === 'healthy') return null;
      const holder = delivery.deliveryId;
      const timeoutMs = delivery.timeoutMs ?? deps.defaultTimeoutMs;
      if (!probeMayGo(view, holder, now)) return waitBehind(delivery, view, now);
      const leaseUntil = new Date(now.getTime() + timeoutMs + PROBE_LEASE_MARGIN_MS);
      if (!(await takeProbeLease(db, delivery.endpointId, holder, now, leaseUntil))) {
        return waitBehind(delivery, { ...view, probeHolder: 'another delivery', probeUntil: leaseUntil }, now);
      }
      // Past the failing-for-days limit the probe is a real delivery, so its failure disables the endpoint.
      const endpoint = { enabled: delivery.endpointEnabled, failingSince: delivery.endpointFailingSince?.toISOString() ?? null };
      const pastGiveUp = failingEndpointDisableReason(endpoint, now, deps.disableFailingEndpointAfterMs) !== null;
      if (!delivery.healthCheckUrl || pastGiveUp) {
        roles.set(delivery, 'delivery-probe');
        return null;
      }
      const signal = await healthCheck(delivery, delivery.healthCheckUrl, timeoutMs);
      const decidedAt = new Date();
      const change = stepAfterProbe(signal, view, policy, decidedAt, 'health check');
      const from = await settleProbe(db, delivery.endpointId, holder, change, decidedAt);
      if (from !== null) {
        if (from !== change.state) deps.metrics?.endpointHealthChanged?.(from, change.state);
        deps.logger?.info({ endpointId: delivery.endpointId, from, to: change.state, reason: change.reason }, 'endpoint circuit changed');
      }
      if (change.state === 'healthy') {
        roles.set(delivery, 'checked');
        return null;
      }
      return waitBehind(
        delivery,
        { ...view, state: change.state, nextProbeAt: change.nextProbeAt, probeHolder: null, probeUntil: null },
        decidedAt,
        change.reason,
      );
    },

    async cancelAdmission(delivery) {
      if (roles.get(delivery) !== 'delivery-probe') return;
      roles.delete(delivery);
      await releaseProbeLease(db, delivery.endpointId, delivery.deliveryId);
    },

    async settle(delivery, sent, _outcome: AttemptOutcome) {
      const role = roles.get(delivery);
      roles.delete(delivery);
      const signal = signalOf(sent);
      const now = new Date();
      const view = circuitView(delivery);
      if (role === 'delivery-probe') {
        const change = stepAfterProbe(signal, view, policy, now, 'delivery');
        return moved(delivery.endpointId, await settleProbe(db, delivery.endpointId, delivery.deliveryId, change, now), change);
      }
      // Healthy when loaded (or closed by this attempt's health check): learn from the answer.
      const wake = role === 'checked' ? await circuitWaiters(db, delivery.endpointId, RECOVERY_WAKE_BATCH) : [];
      const healthyView = role === 'checked' ? { ...view, state: 'healthy' as const, timeoutStreak: 0 } : view;
      if (healthyView.state !== 'healthy') return wake;
      const step = stepWhileHealthy(signal, healthyView, policy, now);
      switch (step.step) {
        case 'back-off':
          if (await backOffHealthyEndpoint(db, delivery.endpointId, step.change, now))
            await moved(delivery.endpointId, 'healthy', step.change);
          return wake;
        case 'count-timeout': {
          const streak = await countTimeout(db, delivery.endpointId);
          if (streak < TIMEOUTS_TO_BACK_OFF) return wake;
          const change = backingOffAfterTimeouts(streak, signal, policy, now);
          if (await backOffHealthyEndpoint(db, delivery.endpointId, change, now)) await moved(delivery.endpointId, 'healthy', change);
          return wake;
        }
        case 'reset-timeouts':
          await resetTimeouts(db, delivery.endpointId);
          return wake;
        case 'none':
          return wake;
      }
    },
  };
}

function circuitView(delivery: DeliveryForAttempt): CircuitView {
  return {
    state: delivery.healthState,
    failedProbes: delivery.healthFailedProbes,
    timeoutStreak: delivery.healthTimeoutStreak,
    nextProbeAt: delivery.healthNextProbeAt,
    probeHolder: delivery.healthProbeHolder,
    probeUntil: delivery.healthProbeUntil,
  };
}

function signalOf(sent: SentAttempt): EndpointSignal {
  const outcome = attemptOutcome(sent, new Date(sent.startedAt));
  const retryAfterSeconds = outcome.outcome === 'failed' ? outcome.retryAfterSeconds : null;
  return endpointSignal(
    { status: sent.response?.status ?? null, errorKind: sent.error?.kind ?? null, complete: sent.error === null },
    retryAfterSeconds,
  );
}

/** Held back by the circuit: look again once the probe can have told, staggered per delivery. */
function waitBehind(delivery: DeliveryForAttempt, view: CircuitView, now: Date, reason?: string | null): Deferral {
  const probeInFlight = view.probeUntil !== null && view.probeUntil.getTime() > now.getTime();
  const decidedAt = probeInFlight ? view.probeUntil! : (view.nextProbeAt ?? now);
  const base = decidedAt.getTime() > now.getTime() ? decidedAt : now;
  const until = waiterWakeAt(base, delivery.deliveryId, base.getTime() - now.getTime());
  const why = reason ?? delivery.healthReason ?? 'the endpoint asked us to slow down';
  const next = probeInFlight ? 'a probe is in flight' : `next probe at ${(view.nextProbeAt ?? now).toISOString()}`;
  return {
    until: until.toISOString(),
    waitReason: view.state === 'open' ? 'endpoint_open' : 'endpoint_backing_off',
    reason: `endpoint ${view.state}: ${why}; ${next}`,
  };
}

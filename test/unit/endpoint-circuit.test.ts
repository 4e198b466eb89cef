import {
  backingOffAfterTimeouts,
  backoffMs,
  endpointSignal,
  probeMayGo,
  stableFraction,
  stepAfterProbe,
  stepWhileHealthy,
  waiterWakeAt,
  type CircuitView,
} from '../../src/domain/endpoint-circuit';
import { healthCheckRequest } from '../../src/domain/health-check-request';
import { generateSigningSecret } from '../../src/domain/signature';
import { Webhook } from 'standardwebhooks';

const policy = { baseBackoffMs: 5_000, maxBackoffMs: 600_000 };
const now = new Date('2026-12-02T22:00:00.000Z');
const healthy: CircuitView = {
  state: 'healthy',
  failedProbes: 0,
  timeoutStreak: 0,
  nextProbeAt: null,
  probeHolder: null,
  probeUntil: null,
};
const at = (ms: number) => new Date(now.getTime() + ms);

describe('endpointSignal', () => {
  it('reads 2xx as healthy, 429/503 as slow-down with the Retry-After, timeouts and refusals as unreachable', () => {
    expect(endpointSignal({ status: 204, errorKind: null, complete: true }, null)).toEqual({ kind: 'healthy' });
    expect(endpointSignal({ status: 200, errorKind: 'timeout', complete: false }, null)).toEqual({ kind: 'answered', status: 200 });
    expect(endpointSignal({ status: 503, errorKind: null, complete: true }, 2)).toEqual({
      kind: 'slow-down',
      status: 503,
      retryAfterMs: 2000,
    });
    expect(endpointSignal({ status: 429, errorKind: null, complete: true }, null)).toEqual({
      kind: 'slow-down',
      status: 429,
      retryAfterMs: null,
    });
    expect(endpointSignal({ status: 500, errorKind: null, complete: true }, null)).toEqual({ kind: 'answered', status: 500 });
    expect(endpointSignal({ status: null, errorKind: 'timeout', complete: false }, null)).toEqual({
      kind: 'unreachable',
      errorKind: 'timeout',
    });
    expect(endpointSignal({ status: null, errorKind: 'connection', complete: false }, null)).toEqual({
      kind: 'unreachable',
      errorKind: 'connection',
    });
    expect(endpointSignal({ status: null, errorKind: 'ssrf_blocked', complete: false }, null)).toEqual({ kind: 'neutral' });
  });
});

describe('backoffMs', () => {
  it('follows a Retry-After first (bounded to 1 s … 1 h), else 5 s, doubling per failed probe up to the cap', () => {
    expect(backoffMs(0, null, policy)).toBe(5_000);
    expect(backoffMs(0, 1_000, policy)).toBe(1_000);
    expect(backoffMs(0, 0, policy)).toBe(1_000);
    expect(backoffMs(0, 86_400_000, policy)).toBe(3_600_000);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, null, policy))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000,
    ]);
    // After a failed probe the wait never gets shorter than the doubling, even with a short Retry-After.
    expect(backoffMs(2, 1_000, policy)).toBe(20_000);
    expect(backoffMs(2, 60_000, policy)).toBe(60_000);
    expect(backoffMs(1000, null, policy)).toBe(600_000);
  });
});

describe('the circuit', () => {
  it('a healthy endpoint backs off on 429/503, counts timeouts, forgets them on any answer', () => {
    const slowDown = endpointSignal({ status: 503, errorKind: null, complete: true }, 3);
    expect(stepWhileHealthy(slowDown, healthy, policy, now)).toEqual({
      step: 'back-off',
      change: { state: 'backing-off', reason: 'answered 503 with Retry-After 3 s', nextProbeAt: at(3_000), failedProbes: 0 },
    });
    const timeout = endpointSignal({ status: null, errorKind: 'timeout', complete: false }, null);
    expect(stepWhileHealthy(timeout, healthy, policy, now)).toEqual({ step: 'count-timeout' });
    const ok = endpointSignal({ status: 200, errorKind: null, complete: true }, null);
    expect(stepWhileHealthy(ok, healthy, policy, now)).toEqual({ step: 'none' });
    expect(stepWhileHealthy(ok, { ...healthy, timeoutStreak: 2 }, policy, now)).toEqual({ step: 'reset-timeouts' });
    expect(stepWhileHealthy({ kind: 'answered', status: 500 }, { ...healthy, timeoutStreak: 1 }, policy, now)).toEqual({
      step: 'reset-timeouts',
    });
    expect(stepWhileHealthy({ kind: 'neutral' }, { ...healthy, timeoutStreak: 1 }, policy, now)).toEqual({ step: 'none' });
    expect(backingOffAfterTimeouts(3, timeout, policy, now)).toEqual({
      state: 'backing-off',
      reason: 'timed out (3 attempts in a row without an answer)',
      nextProbeAt: at(5_000),
      failedProbes: 0,
    });
  });

  it('a probe that gets 2xx closes it; a failed probe opens it for longer each time', () => {
    const backingOff: CircuitView = { ...healthy, state: 'backing-off', nextProbeAt: now };
    expect(stepAfterProbe({ kind: 'healthy' }, backingOff, policy, now, 'delivery')).toEqual({
      state: 'healthy',
      reason: null,
      nextProbeAt: null,
      failedProbes: 0,
    });
    const failed = stepAfterProbe({ kind: 'answered', status: 500 }, backingOff, policy, now, 'health check');
    expect(failed).toEqual({
      state: 'open',
      reason: 'health check probe 1 answered 500; next probe in 10 s',
      nextProbeAt: at(10_000),
      failedProbes: 1,
    });
    const again = stepAfterProbe(
      { kind: 'unreachable', errorKind: 'timeout' },
      { ...backingOff, state: 'open', failedProbes: 1 },
      policy,
      now,
      'delivery',
    );
    expect(again).toMatchObject({ state: 'open', nextProbeAt: at(20_000), failedProbes: 2 });
  });

  it('lets one probe go once its time has come and the lease is free, expired or already its own', () => {
    const open: CircuitView = { ...healthy, state: 'open', nextProbeAt: at(-1) };
    expect(probeMayGo(healthy, 'dlv_a', now)).toBe(false);
    expect(probeMayGo(open, 'dlv_a', now)).toBe(true);
    expect(probeMayGo({ ...open, nextProbeAt: at(1) }, 'dlv_a', now)).toBe(false);
    expect(probeMayGo({ ...open, probeHolder: 'dlv_b', probeUntil: at(1_000) }, 'dlv_a', now)).toBe(false);
    expect(probeMayGo({ ...open, probeHolder: 'dlv_b', probeUntil: at(-1) }, 'dlv_a', now)).toBe(true);
    expect(probeMayGo({ ...open, probeHolder: 'dlv_a', probeUntil: at(1_000) }, 'dlv_a', now)).toBe(true);
  });
});

describe('waiterWakeAt', () => {
  it('spreads 500 waiters evenly over the wait (1 s … 60 s), the same on every worker', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `dlv_${i.toString(36).padStart(8, '0')}`);
    const wakes = ids.map((id) => waiterWakeAt(now, id, 10_000).getTime() - now.getTime());
    expect(Math.min(...wakes)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...wakes)).toBeLessThan(10_000);
    // No second of the spread gets more than twice its fair share (50 per second).
    const perSecond = new Array(10).fill(0);
    for (const wake of wakes) perSecond[Math.floor(wake / 1000)]++;
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(100);
    expect(waiterWakeAt(now, 'dlv_x', 10_000)).toEqual(waiterWakeAt(now, 'dlv_x', 10_000));
    expect(waiterWakeAt(now, 'dlv_x', 10).getTime() - now.getTime()).toBeLessThan(1_000);
    expect(waiterWakeAt(now, 'dlv_x', 3_600_000).getTime() - now.getTime()).toBeLessThan(60_000);
    expect(stableFraction('a')).not.toBe(stableFraction('b'));
  });
});

describe('healthCheckRequest', () => {
  it('is a Standard Webhooks signed POST body naming the endpoint, with the endpoint auth and custom headers', () => {
    const secret = generateSigningSecret();
    const request = healthCheckRequest({
      checkId: 'hc_1',
      endpointId: 'ep_1',
      customHeaders: { 'x-team': 'a' },
      auth: { type: 'bearer', token: 't0k' },
      signingSecrets: [secret],
      userAgent: 'hookrelay/test',
      timestamp: now,
    });
    expect(JSON.parse(request.body)).toEqual({ type: 'hookrelay.health_check', endpointId: 'ep_1', timestamp: now.toISOString() });
    expect(request.headers).toMatchObject({
      'x-team': 'a',
      authorization: 'Bearer t0k',
      'webhook-id': 'hc_1',
      'content-type': 'application/json',
    });
    expect(request.headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(request.headers['webhook-signature']).toBe(new Webhook(secret).sign('hc_1', now, request.body));
  });
});

// hookrelay's Prometheus metrics (prom-client), one registry per process. Activities see only
// the DeliveryMetrics recorder; the API adds request metrics and the backlog collected on scrape.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import { countOpenDeliveriesByStatus } from '../db/delivery-backlog.repository';
import type { Database } from '../db/schema';
import type { FinishedDeliveryStatus } from '../domain/delivery-status';
import { WAIT_REASONS, type WaitReason } from '../domain/delivery-wait';
import { ENDPOINT_HEALTH_STATES, type EndpointHealthState } from '../domain/endpoint-circuit';
import { countEndpointsByHealth } from '../db/endpoint-circuit.repository';

export type DeliveryOutcome = FinishedDeliveryStatus;

/** What the delivery activities report; the only metrics surface they know. */
export interface DeliveryMetrics {
  /** One POST: its HTTP status (null when no answer came) or the error kind, and how long it took. */
  attemptFinished(attempt: { status: number | null; errorKind: string | null; durationMs: number }): void;
  /** A delivery reached a final status. */
  deliveryFinished(outcome: DeliveryOutcome): void;
  /**
   * A POST whose attempt could not be recorded in full: `refused` (the database refused a value;
   * recorded as `record_failed` without the receiver's details) or `unrecorded` (the database
   * stayed unavailable through every retry of the recording step; no attempt row).
   */
  attemptRecordFailed(reason: 'refused' | 'unrecorded'): void;
  /** An attempt held back by the endpoint gate before anything was sent (no attempt spent). */
  attemptDeferred(reason: WaitReason): void;
  /** Scrapes then read the worker's POSTs in flight (the tenant fair share's count). */
  watchPostsInFlight(read: () => number): void;
  /** The endpoint's circuit changed state (healthy / backing-off / open). */
  endpointHealthChanged?(from: EndpointHealthState, to: EndpointHealthState): void;
  /** A half-open probe sent to an endpoint's healthCheckUrl (not an attempt of any delivery). */
  healthCheckFinished?(result: 'healthy' | 'unhealthy'): void;
  /** Subscribed endpoints whose payload filter refused a published event (publish workflows run in the worker). */
  eventsFilteredOut?(count: number): void;
}

/** "2xx" … "5xx" for an answer, "error" when none came (the error kind is a separate label). */
export function statusClass(status: number | null): string {
  if (status === null) return 'error';
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

export class HookrelayMetrics implements DeliveryMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'outcome'>;
  private readonly attempts: Counter<'status_class' | 'error_kind'>;
  private readonly attemptDuration: Histogram<'status_class'>;
  private readonly attemptRecordFailures: Counter<'reason'>;
  private readonly attemptDeferrals: Counter<'reason'>;
  private postsInFlight: (() => number) | undefined;
  private readonly healthTransitions: Counter<'from' | 'to'>;
  private readonly healthChecks: Counter<'result'>;
  private readonly filteredOut: Counter;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private backlogSource: Kysely<Database> | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.deliveries = new Counter({
      name: 'hookrelay_deliveries_finished_total',
      help: 'Deliveries that reached a final status, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.attempts = new Counter({
      name: 'hookrelay_delivery_attempts_total',
      help: 'Delivery attempts (POSTs), by response status class (2xx…5xx) or "error" with its kind',
      labelNames: ['status_class', 'error_kind'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'hookrelay_delivery_attempt_duration_seconds',
      help: 'Duration of delivery attempts, from connect to the end of the response body',
      labelNames: ['status_class'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
      registers,
    });
    this.attemptRecordFailures = new Counter({
      name: 'hookrelay_attempt_record_failures_total',
      help: 'POSTs whose attempt could not be recorded in full: refused (recorded as record_failed) or unrecorded (no row)',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['refused', 'unrecorded']) this.attemptRecordFailures.inc({ reason }, 0);
    this.attemptDeferrals = new Counter({
      name: 'hookrelay_delivery_attempts_deferred_total',
      help: 'Attempts held back before anything was sent, by wait reason (rate_limit, concurrency_limit, endpoint_backing_off, endpoint_open, ordering, tenant_fair_share); no attempt is spent',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of WAIT_REASONS) this.attemptDeferrals.inc({ reason }, 0);
    const postsInFlight = () => this.postsInFlight;
    new Gauge({
      name: 'hookrelay_worker_posts_in_flight',
      help: 'POSTs this worker has in flight (each holds a workflow-task slot while it waits for the receiver)',
      registers,
      collect() {
        const read = postsInFlight();
        if (read) this.set(read());
      },
    });
    this.httpRequests = new Counter({
      name: 'hookrelay_http_requests_total',
      help: 'API requests, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'hookrelay_http_request_duration_seconds',
      help: 'API request duration, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    // Both labels always exist, so a dashboard sees 0 rather than no series.
    const backlogSource = () => this.backlogSource;
    new Gauge({
      name: 'hookrelay_deliveries_backlog',
      help: 'Open deliveries by status (pending: first attempt not finished; retrying: waiting for a retry timer), read from PostgreSQL on scrape',
      labelNames: ['status'],
      registers,
      async collect() {
        const db = backlogSource();
        if (!db) return;
        const counts = await countOpenDeliveriesByStatus(db);
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
      },
    });
    this.healthTransitions = new Counter({
      name: 'hookrelay_endpoint_health_transitions_total',
      help: "Changes of an endpoint's circuit state (healthy, backing-off, open), by from and to",
      labelNames: ['from', 'to'],
      registers,
    });
    this.healthChecks = new Counter({
      name: 'hookrelay_endpoint_health_checks_total',
      help: 'Half-open probes sent to an endpoint healthCheckUrl (not attempts of any delivery), by result (healthy: 2xx, unhealthy)',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['healthy', 'unhealthy']) this.healthChecks.inc({ result }, 0);
    new Gauge({
      name: 'hookrelay_endpoints_by_health',
      help: 'Live endpoints by circuit state (healthy, backing-off, open), read from PostgreSQL on scrape',
      labelNames: ['state'],
      registers,
      async collect() {
        const db = backlogSource();
        if (!db) return;
        const counts = await countEndpointsByHealth(db);
        for (const state of ENDPOINT_HEALTH_STATES) this.set({ state }, counts[state]);
      },
    });
    this.filteredOut = new Counter({
      name: 'hookrelay_events_filtered_out_total',
      help: "Published events not delivered to a subscribed endpoint because the endpoint's payload filter did not match (one per event and endpoint)",
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'hookrelay_' });
  }

  eventsFilteredOut(count: number): void {
    this.filteredOut.inc(count);
  }

  /** Scrapes then report the open deliveries of this database. */
  collectBacklogFrom(db: Kysely<Database>): void {
    this.backlogSource = db;
  }

  attemptFinished(attempt: { status: number | null; errorKind: string | null; durationMs: number }): void {
    const cls = statusClass(attempt.status);
    this.attempts.inc({ status_class: cls, error_kind: attempt.status === null ? (attempt.errorKind ?? 'unknown') : 'none' });
    this.attemptDuration.observe({ status_class: cls }, attempt.durationMs / 1000);
  }

  attemptRecordFailed(reason: 'refused' | 'unrecorded'): void {
    this.attemptRecordFailures.inc({ reason });
  }

  attemptDeferred(reason: WaitReason): void {
    this.attemptDeferrals.inc({ reason });
  }

  watchPostsInFlight(read: () => number): void {
    this.postsInFlight = read;
  }

  endpointHealthChanged(from: EndpointHealthState, to: EndpointHealthState): void {
    this.healthTransitions.inc({ from, to });
  }

  healthCheckFinished(result: 'healthy' | 'unhealthy'): void {
    this.healthChecks.inc({ result });
  }

  deliveryFinished(outcome: DeliveryOutcome): void {
    this.deliveries.inc({ outcome });
  }

  httpRequestFinished(request: { method: string; route: string; status: number; durationSeconds: number }): void {
    const labels = { method: request.method, route: request.route, status: String(request.status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, request.durationSeconds);
  }

  /** The text exposition format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

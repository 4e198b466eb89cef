// Kysely table interfaces for the whole database, with Selectable/Insertable/Updateable aliases.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AttemptTrigger, DeliveryStatus } from '../domain/delivery-status';
import type { WaitReason } from '../domain/delivery-wait';
import type { EndpointHealthState } from '../domain/endpoint-circuit';
import type { EndpointOrdering } from '../domain/delivery-ordering';
import type { StoredHeaders } from '../domain/endpoint-headers';
import type { ReplayCursor, ReplayFilter, ReplayMode, ReplayStatus } from '../domain/replay';
import type { TlsFailureReason } from '../domain/tls-failure';

export type { AttemptTrigger, DeliveryStatus };

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;
/** A JSON column with a database default: optional on insert. */
type JsonWithDefault<T> = ColumnType<T, string | T | undefined, string | T>;

export type JsonObject = { [key: string]: unknown };

export interface TenantTable {
  id: string;
  name: string;
  metadata: JsonWithDefault<JsonObject>;
  /** A retention shorter than the deployment's, in days; null: the deployment's. */
  retention_days: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ApiKeyTable {
  id: string;
  tenant_id: string | null;
  name: string | null;
  key_hash: string;
  key_prefix: string;
  scopes: string[];
  created_at: CreatedAt;
  /** Refreshed at most once a minute per key (see LAST_USED_RESOLUTION_SECONDS). */
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The key is refused from this time on; null: it never expires. */
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface EventTypeTable {
  name: string;
  description: Generated<string>;
  group_name: Generated<string>;
  schema: Json<JsonObject> | null;
  archived: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface EndpointTable {
  id: string;
  tenant_id: string;
  name: string;
  url: string;
  description: Generated<string>;
  event_types: string[];
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  auth_type: Generated<string>;
  auth_sealed: string | null;
  /** Custom headers; secret values sealed (see src/domain/endpoint-headers.ts). */
  headers: JsonWithDefault<StoredHeaders>;
  retry_policy: Json<JsonObject> | null;
  timeout_ms: number | null;
  rate_limit_per_second: number | null;
  /** In-flight POSTs allowed across all workers; null: no limit. */
  max_concurrent_requests: ColumnType<number | null, number | null | undefined, number | null>;
  /** Payload filter (domain/payload-filter.ts), validated on write; null: every subscribed event. */
  filter: ColumnType<JsonObject | null, string | null | undefined, string | null>;
  /** FIFO delivery (domain/delivery-ordering.ts); null: unordered. */
  ordering: ColumnType<EndpointOrdering | null, string | null | undefined, string | null>;
  /** The last position a delivery to this endpoint took (the insert trigger counts it up). */
  ordering_next_position: ColumnType<string, never, never>;
  metadata: JsonWithDefault<JsonObject>;
  failing_since: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** Half-open probes go here (a signed POST) instead of spending a real delivery. */
  health_check_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** The circuit (src/domain/endpoint-circuit.ts); written only when it changes. */
  health_state: ColumnType<EndpointHealthState, EndpointHealthState | undefined, EndpointHealthState>;
  health_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  health_reason: ColumnType<string | null, string | null | undefined, string | null>;
  health_next_probe_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Which delivery holds the probe lease, and until when (one probe at a time across workers). */
  health_probe_holder: ColumnType<string | null, string | null | undefined, string | null>;
  health_probe_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  health_failed_probes: Generated<number>;
  health_timeout_streak: Generated<number>;
}

export interface EndpointSecretTable {
  id: Generated<string>;
  endpoint_id: string;
  secret_sealed: string;
  created_at: CreatedAt;
  expires_at: Timestamp | null;
}

export interface EventTable {
  id: string;
  tenant_id: string;
  type: string;
  data: Json<JsonObject>;
  resource_id: string | null;
  operation: string | null;
  previous: Json<JsonObject> | null;
  triggered_by: string | null;
  idempotency_key: string | null;
  occurred_at: Timestamp;
  created_at: CreatedAt;
}

export interface DeliveryTable {
  id: string;
  tenant_id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  resource_id: string | null;
  status: Generated<DeliveryStatus>;
  attempt_count: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_response_status: number | null;
  last_error_kind: string | null;
  status_reason: string | null;
  /** Why a `waiting` delivery waits (domain/delivery-wait.ts); null otherwise. */
  wait_reason: ColumnType<WaitReason | null, WaitReason | null | undefined, WaitReason | null>;
  retry_of_id: string | null;
  /**
   * Its place in its FIFO line (bigint, as text), taken at insert by a trigger when the endpoint is
   * ordered (an explicit value, a resend's `position: "next"`, is kept); null: unordered.
   */
  ordering_position: ColumnType<string | null, string | null | undefined, never>;
  /** The recover request that created this resend (unique per retry_of_id); null otherwise. */
  recover_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** The replay that created this delivery (at most one per event and endpoint, recovers aside); null otherwise. */
  replay_id: ColumnType<string | null, string | null | undefined, string | null>;
  workflow_id: string;
  /**
   * When its workflow was started; null while recorded but not started (the sweeper starts it).
   * insertDeliveries writes null unless told otherwise; the database default (now) only serves
   * rows inserted by other means, which have no workflow to start.
   */
  workflow_started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  finished_at: Timestamp | null;
}

/** "Cancel the waiting deliveries of this endpoint": written with the change that asks for it. */
export interface DeliveryStopRequestTable {
  id: Generated<string>;
  endpoint_id: string;
  /** The delivery that asked (it ends by itself) and must not be cancelled. */
  except_delivery_id: string | null;
  reason: string;
  created_at: CreatedAt;
  completed_at: Timestamp | null;
}

export interface AttemptTable {
  id: Generated<string>;
  delivery_id: string;
  /** The delivery's endpoint, copied onto the attempt so endpoint statistics read one index range. */
  endpoint_id: string;
  number: number;
  trigger: AttemptTrigger;
  started_at: Timestamp;
  duration_ms: number;
  request_url: string;
  request_headers: Json<Record<string, string>>;
  response_status: number | null;
  response_headers: Json<Record<string, string>> | null;
  /** Before 2026-12 only: the body as text. Newer rows leave it null and use response_body_bytes. */
  response_body: string | null;
  /** The first 64 KiB of the response body, as received. */
  response_body_bytes: Buffer | null;
  response_body_truncated: Generated<boolean>;
  /** The body's full length in bytes: counted when read whole, else the declared content-length; null when unknown. */
  response_body_length: ColumnType<string | null, number | null | undefined, number | null>;
  error_kind: string | null;
  error_message: string | null;
  /** With error_kind `tls`: why (domain/tls-failure.ts); null otherwise. */
  tls_failure_reason: ColumnType<TlsFailureReason | null, TlsFailureReason | null | undefined, TlsFailureReason | null>;
  /**
   * Where the attempt's time went, whole ms (domain/attempt-timing.ts): null when the phase did not
   * happen, and on rows from before 2026-12-03 (not measured; request_body_bytes null marks them).
   */
  dns_ms: ColumnType<number | null, number | null | undefined, number | null>;
  connect_ms: ColumnType<number | null, number | null | undefined, number | null>;
  tls_ms: ColumnType<number | null, number | null | undefined, number | null>;
  ttfb_ms: ColumnType<number | null, number | null | undefined, number | null>;
  /** true: a kept-alive connection (no DNS, connect or TLS phase); false: a new one; null: none was made. */
  connection_reused: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** inet: the address connected to. */
  remote_address: ColumnType<string | null, string | null | undefined, string | null>;
  request_body_bytes: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
  /** The delivery's created_at: the partition key (one partition per UTC day; see db/attempt-partitions.repository). */
  delivery_created_at: ColumnType<Date, Date | string, never>;
}

/**
 * One endpoint's attempts started in one 5-minute slice (or whole hour), of deliveries created on
 * one UTC day; written only by the rollup job (db/endpoint-stats-rollups.repository.ts).
 */
export interface EndpointStatsRollupTable {
  endpoint_id: string;
  slice_seconds: number;
  slice_start: Date;
  delivery_day: Date;
  attempts: number;
  succeeded: number;
  status_2xx: number;
  status_3xx: number;
  status_4xx: number;
  status_5xx: number;
  status_other: number;
  error_kinds: Json<Record<string, number>>;
  /** The latency histogram (domain/endpoint-stats-rollup: bins), sparse: bins and their counts. */
  latency_bins: number[];
  latency_counts: number[];
  /** Attempts that are their delivery's first. */
  first_attempts: number;
  /** The others, by the 5-minute slice their delivery's previous attempt started in (earlier slices only). */
  previous_slices: Date[];
  previous_counts: number[];
  /** Successful attempts that are their delivery's first success; the others by the slice of the previous success. */
  first_successes: number;
  previous_success_slices: Date[];
  previous_success_counts: number[];
}

/** The one row saying which slices the rollups hold: every finished one in [rolled_from, rolled_until). */
export interface EndpointStatsRollupCoverageTable {
  singleton: Generated<boolean>;
  rolled_from: Date;
  rolled_until: Date;
  updated_at: UpdatedAt;
}

/** An attempt recorded after its slice may have been rolled up: the slice is read from the log until rolled again. */
export interface EndpointStatsLateAttemptTable {
  id: Generated<string>;
  endpoint_id: string;
  started_at: Date;
  recorded_at: CreatedAt;
}

/** The rate limiter's state for one limited endpoint (domain/rate-limit.ts). */
export interface EndpointRateLimitTable {
  endpoint_id: string;
  /** GCRA, epoch ms: when the next POST would be on schedule; admission allows the tolerance ahead of it. */
  theoretical_arrival_ms: number;
  /** Epoch ms: the end of the line of reserved slots; a refused delivery's slot starts here. */
  line_ends_ms: number;
}

/** One POST in flight to a concurrency-limited endpoint; it frees itself at expires_at. */
export interface EndpointConcurrencyLeaseTable {
  endpoint_id: string;
  delivery_id: string;
  expires_at: Timestamp;
}

/** A delivery waiting for a concurrency slot, woken oldest first by the POST that frees one. */
export interface EndpointConcurrencyWaiterTable {
  endpoint_id: string;
  delivery_id: string;
  workflow_id: string;
  since: ColumnType<Date, Date | string | undefined, Date | string>;
  woken_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** A replay job (domain/replay.ts): its filters, where its paging stands, and its state. */
export interface ReplayTable {
  id: string;
  tenant_id: string;
  mode: ReplayMode;
  filter: Json<ReplayFilter>;
  idempotency_key: string | null;
  status: ColumnType<ReplayStatus, ReplayStatus | undefined, ReplayStatus>;
  /** Matches counted when the job started (exact once planning_done). */
  matched: ColumnType<number, number | undefined, number>;
  cursor: ColumnType<ReplayCursor | null, string | null | undefined, string | null>;
  planning_done: ColumnType<boolean, boolean | undefined, boolean>;
  workflow_id: string;
  /** When its workflow was (last) started; null: the sweeper starts it. */
  workflow_started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  cancel_requested_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  status_reason: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** A portal session: its one-time link, then (once exchanged) the browser's session credential. */
export interface PortalSessionTable {
  id: string;
  tenant_id: string;
  link_token_hash: string;
  session_token_hash: ColumnType<string | null, string | null | undefined, string | null>;
  read_only: boolean;
  /** null: every endpoint of the tenant. */
  endpoint_ids: string[] | null;
  /** null: every event type. */
  event_types: string[] | null;
  allowed_origins: string[];
  branding: Json<PortalBrandingColumn>;
  /** "admin", or the id of the tenant key that made it. */
  created_by: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  exchanged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface PortalBrandingColumn {
  displayName?: string;
  logoUrl?: string;
  accentColor?: string;
}

export interface Database {
  tenants: TenantTable;
  api_keys: ApiKeyTable;
  event_types: EventTypeTable;
  endpoints: EndpointTable;
  endpoint_secrets: EndpointSecretTable;
  events: EventTable;
  deliveries: DeliveryTable;
  delivery_stop_requests: DeliveryStopRequestTable;
  attempts: AttemptTable;
  endpoint_rate_limits: EndpointRateLimitTable;
  endpoint_concurrency_leases: EndpointConcurrencyLeaseTable;
  endpoint_concurrency_waiters: EndpointConcurrencyWaiterTable;
  replays: ReplayTable;
  portal_sessions: PortalSessionTable;
  endpoint_stats_rollups: EndpointStatsRollupTable;
  endpoint_stats_rollup_coverage: EndpointStatsRollupCoverageTable;
  endpoint_stats_late_attempts: EndpointStatsLateAttemptTable;
}

export type TenantRow = Selectable<TenantTable>;
export type NewTenantRow = Insertable<TenantTable>;
export type TenantUpdate = Updateable<TenantTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type NewApiKeyRow = Insertable<ApiKeyTable>;
export type EventTypeRow = Selectable<EventTypeTable>;
export type NewEventTypeRow = Insertable<EventTypeTable>;
export type EventTypeUpdate = Updateable<EventTypeTable>;
export type EndpointRow = Selectable<EndpointTable>;
export type NewEndpointRow = Insertable<EndpointTable>;
export type EndpointUpdate = Updateable<EndpointTable>;
export type EndpointSecretRow = Selectable<EndpointSecretTable>;
export type EventRow = Selectable<EventTable>;
export type NewEventRow = Insertable<EventTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type NewDeliveryRow = Insertable<DeliveryTable>;
export type DeliveryUpdate = Updateable<DeliveryTable>;
export type DeliveryStopRequestRow = Selectable<DeliveryStopRequestTable>;
export type NewDeliveryStopRequestRow = Insertable<DeliveryStopRequestTable>;
export type AttemptRow = Selectable<AttemptTable>;
export type NewAttemptRow = Insertable<AttemptTable>;
export type ReplayRow = Selectable<ReplayTable>;
export type NewReplayRow = Insertable<ReplayTable>;
export type PortalSessionRow = Selectable<PortalSessionTable>;
export type NewPortalSessionRow = Insertable<PortalSessionTable>;

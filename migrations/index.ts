// The ordered list of migrations, imported statically so the migrator works the same
// under ts-node, jest and the compiled build. Add each new migration file here.
import type { Migration } from 'kysely';
import * as initialSchema from './2026_11_22T000000_initial_schema';
import * as operationalEventTypes from './2026_11_22T010000_operational_event_types';
import * as millisecondListTimestamps from './2026_11_22T050000_millisecond_list_timestamps';
import * as eventDeliveriesStarted from './2026_11_22T080000_event_deliveries_started';
import * as attemptResponseBytes from './2026_12_02T100000_attempt_response_bytes';
import * as transactionalOutbox from './2026_12_02T110000_transactional_outbox';
import * as apiKeyLifecycle from './2026_12_02T140000_api_key_lifecycle';
import * as deliveryWaits from './2026_12_02T200000_delivery_waits';
import * as endpointLimits from './2026_12_02T210000_endpoint_limits';
import * as endpointCircuit from './2026_12_02T220000_endpoint_circuit';
import * as deliveryOrdering from './2026_12_02T230000_delivery_ordering';
import * as portalSessions from './2026_12_03T010000_portal_sessions';
import * as attemptEndpointStats from './2026_12_03T020000_attempt_endpoint_stats';
import * as replays from './2026_12_03T030000_replays';
import * as endpointPayloadFilters from './2026_12_03T040000_endpoint_payload_filters';
import * as partitionedAttemptLog from './2026_12_03T050000_partitioned_attempt_log';
import * as attemptTiming from './2026_12_03T090000_attempt_timing';
import * as portalSessionPruning from './2026_12_03T091500_portal_session_pruning';
import * as endpointStatsRollups from './2026_12_03T093000_endpoint_stats_rollups';

export const migrations: Record<string, Migration> = {
  '2026_11_22T000000_initial_schema': initialSchema,
  '2026_11_22T010000_operational_event_types': operationalEventTypes,
  '2026_11_22T050000_millisecond_list_timestamps': millisecondListTimestamps,
  '2026_11_22T080000_event_deliveries_started': eventDeliveriesStarted,
  '2026_12_02T100000_attempt_response_bytes': attemptResponseBytes,
  '2026_12_02T110000_transactional_outbox': transactionalOutbox,
  '2026_12_02T140000_api_key_lifecycle': apiKeyLifecycle,
  '2026_12_02T200000_delivery_waits': deliveryWaits,
  '2026_12_02T210000_endpoint_limits': endpointLimits,
  '2026_12_02T220000_endpoint_circuit': endpointCircuit,
  '2026_12_02T230000_delivery_ordering': deliveryOrdering,
  '2026_12_03T010000_portal_sessions': portalSessions,
  '2026_12_03T020000_attempt_endpoint_stats': attemptEndpointStats,
  '2026_12_03T030000_replays': replays,
  '2026_12_03T040000_endpoint_payload_filters': endpointPayloadFilters,
  '2026_12_03T050000_partitioned_attempt_log': partitionedAttemptLog,
  '2026_12_03T090000_attempt_timing': attemptTiming,
  '2026_12_03T091500_portal_session_pruning': portalSessionPruning,
  '2026_12_03T093000_endpoint_stats_rollups': endpointStatsRollups,
};

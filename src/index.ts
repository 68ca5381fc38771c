// The public API of kafka-error-exporter: one export per line.
export type {
  BrokerEndpoint,
  CaptureFailureKind,
  CaptureRecorder,
  ErrorOrigin,
  OperationErrorEvent,
  OperationName,
  UndecodableReason,
} from './events.js';
export { OPERATION_NAMES } from './events.js';
export { METRICS, LABELS, THROTTLE_BUCKETS_SECONDS } from './sinks/names.js';
export type { MetricDefinition, LabelName, MetricKey } from './sinks/names.js';

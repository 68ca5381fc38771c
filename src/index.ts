// The public API of kafka-error-exporter: one export per line. API only: the OpenTelemetry SDK pipeline is
// `kafka-error-exporter/otel` (src/otel.ts).
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
export { ERROR_CATEGORIES } from './codes/types.js';
export type {
  Classification,
  Classifier,
  ErrorCategory,
  ErrorCodeEntry,
  RecoveryPattern,
  RegistryEntry,
  SinceSource,
} from './codes/types.js';
export {
  ERROR_CODES,
  lookupCode,
  lookupName,
  toErrorCodeJson,
  UNKNOWN_ERROR_NAME,
} from './codes/registry.js';
export { MIN_CODE, MAX_CODE } from './codes/registry.js';
export type { ErrorCodeJson } from './codes/registry.js';
export {
  createClassifier,
  validateOverrides,
  CLASSIFIER_DEFAULTS,
  OTHER_CODE_LABEL,
} from './codes/classify.js';
export type { ClassifierOptions } from './codes/classify.js';
export { METRICS, LABELS, THROTTLE_BUCKETS_SECONDS } from './metrics/names.js';
export type { MetricDefinition, LabelName, MetricKey } from './metrics/names.js';
export { LABEL_VALUES } from './metrics/names.js';
export { createRecorder } from './record/recorder.js';
export type { Recorder, RecorderOptions } from './record/recorder.js';
export type { ErrorSummaryEntry } from './record/error-summary.js';
export type {
  HistogramSnapshot,
  MetricSource,
  RecorderSink,
  ScalarFamily,
  SeriesLabels,
  ThrottleListener,
} from './record/metric-source.js';
export { createPrometheusSink } from './sinks/prometheus.js';
export type { PrometheusSink, PrometheusSinkOptions } from './sinks/prometheus.js';
export { createOpenTelemetrySink, METER_NAME } from './sinks/opentelemetry.js';
export type { OpenTelemetrySinkOptions } from './sinks/opentelemetry.js';
export { CARDINALITY_DEFAULTS, OVERFLOW_VALUE } from './metrics/cardinality.js';
export type { CardinalityLimits } from './metrics/cardinality.js';
export { negotiateFormat, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './sinks/exposition.js';
export type { ExpositionFormat, MetricsEndpoint, MetricsResponse } from './sinks/exposition.js';
export { instrument } from './exporter/instrument.js';
export type {
  InstrumentationHandle,
  InstrumentedKafkaConfig,
  InstrumentOptions,
} from './exporter/instrument.js';
export type { RecorderChoice } from './exporter/instrument-recorder.js';

// The recorder: classifies what capture reports and pre-aggregates it for the sinks to read at scrape time.
import { createClassifier } from '../codes/classify.js';
import { ERROR_CODES } from '../codes/registry.js';
import type { Classification, Classifier, ErrorCodeEntry } from '../codes/types.js';
import type {
  CaptureFailureKind,
  CaptureRecorder,
  OperationErrorEvent,
  UndecodableReason,
} from '../events.js';
import { OPERATION_NAMES } from '../events.js';
import { createLogger, createOnceLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import {
  CAPPED_LABELS,
  createValueCap,
  OVERFLOW_VALUE,
  resolveCardinalityLimits,
} from '../metrics/cardinality.js';
import type { CardinalityLimits } from '../metrics/cardinality.js';
import { METRICS } from '../metrics/names.js';
import { BUDGETED_FAMILIES, createSeriesBudget } from '../metrics/series-budget.js';
import { createAggregateSource } from './aggregate-source.js';
import { BUILD_INFO_LABELS } from './build-info.js';
import { CAPTURE_FAILURE_KINDS, createClosedCounter, UNDECODABLE_REASONS } from './closed-counter.js';
import { summarizeErrors } from './error-summary.js';
import type { ErrorSummaryEntry } from './error-summary.js';
import { createEndpointTable } from './endpoint-table.js';
import { labelValue } from './label-value.js';
import type { RecorderSink, SeriesLabels, ThrottleListener } from './metric-source.js';
import { createOperationErrors } from './operation-errors.js';
import { apiIndex, classificationLabels, ErrorGroup, orderedLabels, OverflowSeries } from './series.js';
import type { CounterCell, EndpointSlot } from './series.js';

/** Options of `createRecorder`. */
export interface RecorderOptions {
  /**
   * Classifies error codes, with the user's category overrides.
   * @default createClassifier({ logger }) (the registry, no overrides)
   */
  readonly classifier?: Classifier;
  /** The registry entries behind `kafka_error_code_info` and `errorSummary()`. @default ERROR_CODES */
  readonly codes?: readonly ErrorCodeEntry[];
  /** The sinks to record into. @default [] */
  readonly sinks?: readonly RecorderSink[];
  /** Label response errors with their topic (`messaging_destination_name`), capped. @default false */
  readonly topicLabel?: boolean;
  /** Cardinality caps and the series budget per family, merged over `CARDINALITY_DEFAULTS`. */
  readonly limits?: Partial<CardinalityLimits>;
  /** Where failures inside the hooks are logged, once per kind. @default createLogger() (JSON on stderr) */
  readonly logger?: Logger;
}

/** A `CaptureRecorder` that also summarises the errors seen so far (for the landing page). */
export interface Recorder extends CaptureRecorder {
  /** Errors seen so far by code, most frequent first: response errors and operation errors. */
  errorSummary(): ErrorSummaryEntry[];
}

const OPERATIONS: ReadonlySet<string> = new Set(OPERATION_NAMES);
// The `metric` values of `kafka_error_exporter_series_overflow_total`.
const RESPONSES = METRICS.responses.name;
const DURING_THROTTLE = METRICS.requestsDuringThrottle.name;
const THROTTLE_TIME = METRICS.throttleTime.name;
const RESPONSE_ERRORS = METRICS.responseErrors.name;
const OPERATION_ERRORS = METRICS.operationErrors.name;

/**
 * Creates the recorder capture hooks call. Every hook is O(1), allocates nothing in steady state and never
 * throws: a failure inside it is counted in `kafka_error_exporter_capture_failures_total{kind="record"}` and
 * logged once. Throws at construction on invalid limits, naming the bad value.
 */
export function createRecorder(options: RecorderOptions = {}): Recorder {
  const { codes = ERROR_CODES, topicLabel = false, logger = createLogger() } = options;
  const classifier = options.classifier ?? createClassifier({ logger });
  const limits = resolveCardinalityLimits(options.limits);
  const caps = {
    topic: createValueCap('messaging_destination_name', limits.topics),
    clientId: createValueCap('messaging_client_id', limits.clientIds),
    broker: createValueCap('server_address', limits.brokers),
    errorType: createValueCap('error_type', limits.clientErrorTypes),
  };
  const logOnce = createOnceLogger(logger);
  const captureFailures = createClosedCounter('kind', CAPTURE_FAILURE_KINDS);
  const undecodable = createClosedCounter('reason', UNDECODABLE_REASONS);
  const overflow = createClosedCounter('label', CAPPED_LABELS);
  const budget = createSeriesBudget(limits.seriesPerFamily);
  const folded = new OverflowSeries(topicLabel);
  const seriesOverflow = createClosedCounter(
    'metric',
    BUDGETED_FAMILIES.map((family) => METRICS[family].name),
  );
  const operationErrors = createOperationErrors(() => budget.admit('operationErrors'));
  const throttleListeners: ThrottleListener[] = [];

  const infoSeries: SeriesLabels[] = codes
    .filter((entry) => entry.code !== 0)
    .map((entry) =>
      orderedLabels(METRICS.errorCodeInfo.labels, {
        ...classificationLabels(classifier.classify(entry.code)),
        kafka_error_recovery: entry.recovery,
        kafka_error_description: entry.description,
      }),
    );

  const endpoints = createEndpointTable(caps);

  function countFolded(mask: number): void {
    for (let i = 0; i < CAPPED_LABELS.length; i++) if (mask & (1 << i)) overflow.inc(CAPPED_LABELS[i]!);
  }

  function failed(error: unknown): void {
    captureFailures.inc('record');
    logOnce('record', { err: error }, 'kafka-error-exporter: recording failed; metrics may be incomplete');
  }

  /** Counts a response error whose series the budget refused in the family's overflow series. */
  function foldError(slot: EndpointSlot): undefined {
    folded.errors.count++;
    seriesOverflow.inc(RESPONSE_ERRORS);
    if (slot.foldedMask !== 0) countFolded(slot.foldedMask);
    return undefined;
  }

  /**
   * The rare path: a code first seen on this slot and API, one whose label folds (not cached), or one whose
   * series the budget refused (counted here; `undefined` then, as for success codes).
   */
  function resolveGroup(slot: EndpointSlot, api: number, code: number, key: number, message?: string) {
    if (key >= 0 && slot.foldedErrors.has(key)) return foldError(slot);
    const c: Classification = classifier.classify(code, message);
    if (c.category === 'success') return undefined;
    const codeFolded = c.codeLabel !== String(code);
    if (codeFolded) overflow.inc('kafka_error_code');
    const labelKey = `${api}\0${c.codeLabel}\0${c.name}\0${c.category}\0${c.retriableLabel}`;
    let group = slot.errorsByLabels.get(labelKey);
    if (group === undefined) {
      // With topics on, a group is only a container: its per-topic cells take the budget (countTopic).
      if (!topicLabel && !budget.admit('responseErrors')) {
        if (!codeFolded && key >= 0) slot.foldedErrors.add(key);
        return foldError(slot);
      }
      group = new ErrorGroup(c, slot.errorBase(api, c), topicLabel, folded.errors);
      slot.errorsByLabels.set(labelKey, group);
    }
    if (!codeFolded && key >= 0) slot.errors.set(key, group);
    return group;
  }

  function countTopic(group: ErrorGroup, byTopic: Map<string, CounterCell>, topic: string): void {
    let cell = byTopic.get(topic);
    if (cell === undefined) {
      const admitted = topic === '' ? '' : caps.topic.admit(labelValue(topic));
      cell = byTopic.get(admitted);
      if (cell === undefined) {
        if (!budget.admit('responseErrors')) cell = folded.errors;
        else cell = admitted === '' ? group : group.topicCell(admitted);
        byTopic.set(admitted, cell);
      }
      // A folded topic is not remembered, so memory stays bounded by the cap; it is counted each time.
      if (admitted === OVERFLOW_VALUE && topic !== OVERFLOW_VALUE) overflow.inc('messaging_destination_name');
    }
    cell.count++;
    if (cell === folded.errors) seriesOverflow.inc(RESPONSE_ERRORS);
  }

  const source = createAggregateSource({
    endpoints,
    operationErrors,
    infoSeries,
    buildInfo: BUILD_INFO_LABELS,
    captureFailures,
    undecodableFrames: undecodable,
    labelOverflow: overflow,
    seriesOverflow,
    folded,
    throttleListeners,
  });

  const recorder: Recorder = {
    response(endpoint, apiKey) {
      try {
        const slot = endpoints.slotOf(endpoint);
        const api = apiIndex(apiKey);
        // A series exists once non-zero: a zero slot is a new label set, which the budget must admit.
        if (slot.responses[api]! > 0 || budget.admit('responses')) slot.responses[api]!++;
        else {
          folded.responses++;
          seriesOverflow.inc(RESPONSES);
        }
        if (slot.foldedMask !== 0) countFolded(slot.foldedMask);
      } catch (error) {
        failed(error);
      }
    },
    responseError(endpoint, apiKey, code, topic, errorMessage) {
      try {
        const slot = endpoints.slotOf(endpoint);
        const api = apiIndex(apiKey);
        // Kafka error codes are int16: those key a cached group; anything else takes the rare path.
        const key = (code << 16) >> 16 === code ? api * 65536 + (code & 0xffff) : -1;
        const group = slot.errors.get(key) ?? resolveGroup(slot, api, code, key, errorMessage);
        if (group === undefined) return;
        if (group.byTopic === undefined) group.count++;
        else countTopic(group, group.byTopic, topic === undefined ? '' : String(topic));
        if (slot.foldedMask !== 0) countFolded(slot.foldedMask);
      } catch (error) {
        failed(error);
      }
    },
    throttle(endpoint, apiKey, throttleTimeMs) {
      try {
        if (!(throttleTimeMs > 0 && throttleTimeMs < Infinity)) return;
        const slot = endpoints.slotOf(endpoint);
        const api = apiIndex(apiKey);
        const seconds = throttleTimeMs / 1000;
        let cell = slot.throttles[api];
        if (cell === undefined && budget.admit('throttleTime')) cell = slot.newThrottle(api);
        if (cell === undefined) {
          folded.throttle.observe(seconds);
          seriesOverflow.inc(THROTTLE_TIME);
        } else cell.observe(seconds);
        if (slot.foldedMask !== 0) countFolded(slot.foldedMask);
        if (throttleListeners.length > 0) {
          const labels = cell === undefined ? folded.labels : slot.labelsOf(api);
          for (const listener of throttleListeners) listener(labels, seconds);
        }
      } catch (error) {
        failed(error);
      }
    },
    requestDuringThrottle(endpoint, apiKey) {
      try {
        const slot = endpoints.slotOf(endpoint);
        const api = apiIndex(apiKey);
        const requests = slot.requestsDuringThrottle;
        if (requests[api]! > 0 || budget.admit('requestsDuringThrottle')) requests[api]!++;
        else {
          folded.requestsDuringThrottle++;
          seriesOverflow.inc(DURING_THROTTLE);
        }
        if (slot.foldedMask !== 0) countFolded(slot.foldedMask);
      } catch (error) {
        failed(error);
      }
    },
    operationError(event: OperationErrorEvent) {
      try {
        const c = classifier.classify(event.code);
        if (c.codeLabel !== String(event.code)) overflow.inc('kafka_error_code');
        const clientId = caps.clientId.admit(labelValue(String(event.clientId)));
        if (clientId === OVERFLOW_VALUE) overflow.inc('messaging_client_id');
        let errorType = c.name;
        if (event.origin === 'client' && event.code === -1 && event.clientErrorType !== undefined) {
          errorType = caps.errorType.admit(clientErrorTypeLabel(event.clientErrorType));
          if (errorType === OVERFLOW_VALUE) overflow.inc('error_type');
        }
        const counted = operationErrors.inc(c, {
          ...classificationLabels(c),
          error_type: errorType,
          kafka_error_origin: event.origin === 'broker' ? 'broker' : 'client',
          messaging_operation_name: OPERATIONS.has(event.operation) ? event.operation : OVERFLOW_VALUE,
          messaging_client_id: clientId,
        });
        if (!counted) seriesOverflow.inc(OPERATION_ERRORS);
      } catch (error) {
        failed(error);
      }
    },
    captureFailure(kind: CaptureFailureKind) {
      captureFailures.inc(kind);
    },
    undecodableFrame(reason: UndecodableReason) {
      undecodable.inc(reason);
    },
    errorSummary() {
      const groups: ErrorGroup[] = [];
      for (const slot of endpoints.slots()) groups.push(...slot.errorsByLabels.values());
      return summarizeErrors(codes, groups, operationErrors);
    },
  };

  for (const sink of options.sinks ?? []) sink.attach(source);
  return recorder;
}

/** A client error class name as a label: identifier characters only, else folded (never raw input). */
function clientErrorTypeLabel(name: string): string {
  return /^[A-Za-z_$][\w$]{0,99}$/.test(name) ? name : OVERFLOW_VALUE;
}

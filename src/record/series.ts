// The recorder's pre-aggregated series: one slot per broker endpoint, counters in typed arrays, labels built once.
import { API_NAMES, apiName } from '../codes/api-names.js';
import type { Classification } from '../codes/types.js';
import { OVERFLOW_PORT, OVERFLOW_VALUE } from '../metrics/cardinality.js';
import { METRICS, THROTTLE_BUCKETS_SECONDS } from '../metrics/names.js';
import type { LabelName } from '../metrics/names.js';
import type { HistogramSnapshot, SeriesLabels } from './metric-source.js';

/** Slots per endpoint: one per known API key, the last for keys outside the table. */
export const API_SLOTS = API_NAMES.length + 1;

/** The slot of an API key: the key itself when known, else the last slot. No allocation. */
export function apiIndex(apiKey: number): number {
  return apiKey >>> 0 === apiKey && apiKey < API_NAMES.length ? apiKey : API_NAMES.length;
}

/** Builds a labels object whose keys follow `order` (the exposition order of names.ts), skipping absent ones. */
export function orderedLabels(
  order: readonly LabelName[],
  values: Partial<Record<LabelName, string>>,
): SeriesLabels {
  const labels: Partial<Record<LabelName, string>> = {};
  for (const name of order) {
    const value = values[name];
    if (value !== undefined) labels[name] = value;
  }
  return Object.freeze(labels);
}

/** The four error-class labels of a classification. */
export function classificationLabels(c: Classification): Partial<Record<LabelName, string>> {
  return {
    kafka_error_code: c.codeLabel,
    error_type: c.name,
    kafka_error_category: c.category,
    kafka_error_retriable: c.retriableLabel,
  };
}

const RESPONSE_ERROR_ORDER: readonly LabelName[] = [
  ...METRICS.responseErrors.labels,
  ...METRICS.responseErrors.optionalLabels,
];

/** A throttle-time histogram of one (endpoint, API) series. */
export class ThrottleCell implements HistogramSnapshot {
  readonly bounds = THROTTLE_BUCKETS_SECONDS;
  readonly counts = new Float64Array(THROTTLE_BUCKETS_SECONDS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

/** One labelled counter. */
export interface CounterCell {
  count: number;
  readonly labels: SeriesLabels;
}

/** Response errors of one (endpoint, API, classification): one count, or one per topic when topics are on. */
export class ErrorGroup implements CounterCell {
  count = 0;
  readonly labels: SeriesLabels;
  /**
   * Per-topic cells keyed by the raw topic ('' for errors outside any topic, counted in the group itself); only
   * with the topic label on. A topic past the series budget maps to `folded`, which this group does not expose.
   */
  readonly byTopic: Map<string, CounterCell> | undefined;

  constructor(
    readonly classification: Classification,
    private readonly base: Partial<Record<LabelName, string>>,
    withTopics: boolean,
    private readonly folded?: CounterCell,
  ) {
    this.labels = orderedLabels(RESPONSE_ERROR_ORDER, base);
    this.byTopic = withTopics ? new Map() : undefined;
  }

  /** A new per-topic cell labelled with `topic` (already passed through the topic cap). */
  topicCell(topic: string): CounterCell {
    return {
      count: 0,
      labels: orderedLabels(RESPONSE_ERROR_ORDER, { ...this.base, messaging_destination_name: topic }),
    };
  }

  /** Visits each series of this group. */
  forEach(visit: (labels: SeriesLabels, value: number) => void): void {
    if (this.byTopic === undefined) {
      if (this.count > 0) visit(this.labels, this.count);
      return;
    }
    for (const cell of this.byTopic.values()) {
      if (cell.count > 0 && cell !== this.folded) visit(cell.labels, cell.count);
    }
  }
}

/** Labels for every name in `order`: `__other__`, and port `0` (an integer for OpenTelemetry). */
export function overflowLabels(order: readonly LabelName[]): SeriesLabels {
  const values: Partial<Record<LabelName, string>> = {};
  for (const name of order) values[name] = name === 'server_port' ? String(OVERFLOW_PORT) : OVERFLOW_VALUE;
  return orderedLabels(order, values);
}

/**
 * The one series per budgeted family that new label sets fold into once the family has reached its series
 * budget: every label `__other__`. Exposed once non-zero.
 */
export class OverflowSeries {
  /** Labels of the responses, requests-during-throttle and throttle-time overflow series. */
  readonly labels = overflowLabels(METRICS.responses.labels);
  responses = 0;
  requestsDuringThrottle = 0;
  readonly throttle = new ThrottleCell();
  readonly errors: CounterCell;

  constructor(withTopics: boolean) {
    this.errors = {
      count: 0,
      labels: overflowLabels(withTopics ? RESPONSE_ERROR_ORDER : METRICS.responseErrors.labels),
    };
  }
}

/** All series of one broker endpoint (client id, host, port after the caps). */
export class EndpointSlot {
  readonly responses = new Float64Array(API_SLOTS);
  /** Requests sent while a throttle announced on the connection was running, per API. */
  readonly requestsDuringThrottle = new Float64Array(API_SLOTS);
  readonly throttles: (ThrottleCell | undefined)[] = new Array<ThrottleCell | undefined>(API_SLOTS).fill(
    undefined,
  );
  /** Error groups by `api * 65536 + (code & 0xffff)`, for codes whose labels are stable. */
  readonly errors = new Map<number, ErrorGroup>();
  /** Every error group once, by its label identity. */
  readonly errorsByLabels = new Map<string, ErrorGroup>();
  /** The keys of `errors` whose new series the budget refused: they count in the overflow series. */
  readonly foldedErrors = new Set<number>();
  private readonly apiLabels: (SeriesLabels | undefined)[] = new Array<SeriesLabels | undefined>(
    API_SLOTS,
  ).fill(undefined);
  private readonly broker: Partial<Record<LabelName, string>>;

  /**
   * @param foldedMask bit i set when the value of `CAPPED_LABELS[i]` was folded into the overflow value
   */
  constructor(
    clientId: string,
    address: string,
    port: string,
    readonly foldedMask: number,
  ) {
    this.broker = { messaging_client_id: clientId, server_address: address, server_port: port };
  }

  /** The labels of the responses and throttle series for one API slot, built on first use. */
  labelsOf(api: number): SeriesLabels {
    let labels = this.apiLabels[api];
    if (labels === undefined) {
      labels = orderedLabels(METRICS.responses.labels, { ...this.broker, kafka_api_name: apiName(api) });
      this.apiLabels[api] = labels;
    }
    return labels;
  }

  /** Creates the throttle histogram of one API slot. */
  newThrottle(api: number): ThrottleCell {
    const cell = new ThrottleCell();
    this.throttles[api] = cell;
    return cell;
  }

  /** The label values shared by every response-error series of one API slot and classification. */
  errorBase(api: number, c: Classification): Partial<Record<LabelName, string>> {
    return { ...classificationLabels(c), kafka_api_name: apiName(api), ...this.broker };
  }
}

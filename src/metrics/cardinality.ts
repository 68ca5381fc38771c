// The cardinality guard: every open-ended label value passes a cap; past it the value folds into `__other__`.
import type { LabelName } from './names.js';
import { SERIES_BUDGET_DEFAULT } from './series-budget.js';

/** The value a label takes once its cap is reached (docs/metrics.md, Cardinality caps). */
export const OVERFLOW_VALUE = '__other__';

/** The port a folded broker address is labelled with: keeps `server.port` an integer in OpenTelemetry. */
export const OVERFLOW_PORT = 0;

/** How many distinct values each open-ended label may take. Values past a cap fold into `__other__`. */
export interface CardinalityLimits {
  /** Distinct topics (`messaging_destination_name`), when the topic label is enabled. @default 100 */
  readonly topics: number;
  /** Distinct Kafka client ids (`messaging_client_id`). @default 50 */
  readonly clientIds: number;
  /** Distinct broker `host:port` pairs (`server_address`, `server_port`). @default 200 */
  readonly brokers: number;
  /** Distinct client error class names (`error_type` of client-side errors). @default 50 */
  readonly clientErrorTypes: number;
  /**
   * Series per family of the label sets above (responses, throttle, response and operation errors), its one
   * overflow series included; new label sets past it fold into that series (`series-budget.ts`). @default 2000
   */
  readonly seriesPerFamily: number;
}

/**
 * The default caps: generous for a real fleet. Their product is not small (50 client ids × 200 brokers ×
 * APIs × codes), so the series budget bounds each family as a whole.
 */
export const CARDINALITY_DEFAULTS: CardinalityLimits = Object.freeze({
  topics: 100,
  clientIds: 50,
  brokers: 200,
  clientErrorTypes: 50,
  seriesPerFamily: SERIES_BUDGET_DEFAULT,
});

/** The labels a cap guards, in the order `kafka_error_exporter_label_overflow_total` lists them. */
export const CAPPED_LABELS = [
  'messaging_destination_name',
  'messaging_client_id',
  'server_address',
  'error_type',
  'kafka_error_code',
] as const satisfies readonly LabelName[];
export type CappedLabel = (typeof CAPPED_LABELS)[number];

/** Admits the first `max` distinct values of one label; later new values fold into `__other__`. */
export interface ValueCap {
  readonly label: CappedLabel;
  /** The value to label with: `value` itself while under the cap or already admitted, else `__other__`. */
  admit(value: string): string;
  /** How many distinct values were admitted. */
  readonly size: number;
}

/**
 * A cap on the distinct values of `label`. Throws on a cap that is not a non-negative integer, naming it.
 * Memory is bounded by `max`: folded values are not remembered.
 */
export function createValueCap(label: CappedLabel, max: number): ValueCap {
  if (!Number.isInteger(max) || max < 0) {
    throw new RangeError(`Invalid cardinality cap for ${label}: ${String(max)} (expected an integer >= 0)`);
  }
  const admitted = new Set<string>();
  return {
    label,
    admit(value) {
      if (admitted.has(value)) return value;
      if (admitted.size >= max) return OVERFLOW_VALUE;
      admitted.add(value);
      return value;
    },
    get size() {
      return admitted.size;
    },
  };
}

/** Merges user caps over the defaults and validates them. Throws naming the first bad value. */
export function resolveCardinalityLimits(limits: Partial<CardinalityLimits> = {}): CardinalityLimits {
  const merged = { ...CARDINALITY_DEFAULTS, ...limits };
  for (const [key, value] of Object.entries(merged)) {
    // The series budget always keeps a place for its overflow series.
    const min = key === 'seriesPerFamily' ? 1 : 0;
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(
        `Invalid cardinality limit ${key}: ${String(value)} (expected an integer >= ${String(min)})`,
      );
    }
  }
  return Object.freeze(merged);
}

// The series budget: how many label sets each recorded family may hold; later new ones fold into one series.
import type { MetricKey } from './names.js';

/**
 * The families whose label sets grow with the fleet (client ids × brokers × APIs × codes), in the order
 * `kafka_error_exporter_series_overflow_total` lists them. The others have closed label sets.
 */
export const BUDGETED_FAMILIES = [
  'responses',
  'requestsDuringThrottle',
  'throttleTime',
  'responseErrors',
  'operationErrors',
] as const satisfies readonly MetricKey[];
export type BudgetedFamily = (typeof BUDGETED_FAMILIES)[number];

/**
 * Series per budgeted family, the overflow series included: OpenTelemetry's default cardinality limit, so
 * that an SDK with default settings keeps every series. docs/metrics.md states the worst-case scrape.
 */
export const SERIES_BUDGET_DEFAULT = 2000;

/** Admits new label sets of each budgeted family until one place is left, for the overflow series. */
export interface SeriesBudget {
  /** Takes one series of `family`: `true` while it has more than one place left. O(1), no allocation. */
  admit(family: BudgetedFamily): boolean;
  /** The series of `family` admitted so far. */
  used(family: BudgetedFamily): number;
}

/**
 * A budget of `max` series per family: `max - 1` label sets of their own and the overflow series, as
 * OpenTelemetry counts its cardinality limit. Series are never removed (counters are cumulative), so a family
 * that is full stays full and the overflow series keeps the counts of every later new label set.
 * Throws on a budget that is not a positive integer, naming it.
 */
export function createSeriesBudget(max: number): SeriesBudget {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Invalid series budget: ${String(max)} (expected an integer >= 1)`);
  }
  const own = max - 1;
  const used = Object.fromEntries(BUDGETED_FAMILIES.map((family) => [family, 0])) as Record<
    BudgetedFamily,
    number
  >;
  return {
    admit(family) {
      if (used[family] >= own) return false;
      used[family]++;
      return true;
    },
    used(family) {
      return used[family];
    },
  };
}

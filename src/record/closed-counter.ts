// A counter over one label with a closed value set (the self-metrics): every value exposed from zero.
import type { CaptureFailureKind, UndecodableReason } from '../events.js';
import { OVERFLOW_VALUE } from '../metrics/cardinality.js';
import type { LabelName } from '../metrics/names.js';
import type { SeriesLabels } from './metric-source.js';

/** Every `CaptureFailureKind`, checked complete by the compiler. */
export const CAPTURE_FAILURE_KINDS = Object.keys({
  socket_write: 0,
  socket_read: 0,
  decode: 0,
  record: 0,
  instrument: 0,
  operation_error: 0,
  proxy: 0,
} satisfies Record<CaptureFailureKind, 0>) as readonly CaptureFailureKind[];

/** Every `UndecodableReason`, checked complete by the compiler. */
export const UNDECODABLE_REASONS = Object.keys({
  unknown_correlation_id: 0,
  unsupported_api_version: 0,
  unknown_api_key: 0,
  truncated: 0,
  malformed: 0,
  oversized: 0,
} satisfies Record<UndecodableReason, 0>) as readonly UndecodableReason[];

/** Counts per value of one label; a value outside the set counts under `__other__` (shown once non-zero). */
export interface ClosedCounter {
  inc(value: string): void;
  get(value: string): number;
  forEach(visit: (labels: SeriesLabels, value: number) => void): void;
}

/** A counter whose `label` takes the values `values`, each exposed from zero so that `rate()` works at once. */
export function createClosedCounter(label: LabelName, values: readonly string[]): ClosedCounter {
  const all = [...values, OVERFLOW_VALUE];
  const index = new Map(all.map((value, i) => [value, i]));
  const counts = new Float64Array(all.length);
  const labels: SeriesLabels[] = all.map((value) => Object.freeze({ [label]: value }));
  const other = all.length - 1;
  return {
    inc(value) {
      counts[index.get(value) ?? other]!++;
    },
    get(value) {
      return counts[index.get(value) ?? other]!;
    },
    forEach(visit) {
      for (let i = 0; i < other; i++) visit(labels[i]!, counts[i]!);
      if (counts[other]! > 0) visit(labels[other]!, counts[other]!);
    },
  };
}

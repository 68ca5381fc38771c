// Operation errors (errors that reached the application): rare, so keyed by their label values as a string.
import type { Classification } from '../codes/types.js';
import { METRICS } from '../metrics/names.js';
import type { LabelName } from '../metrics/names.js';
import type { SeriesLabels } from './metric-source.js';
import { orderedLabels, overflowLabels } from './series.js';

/** One operation-error series and the classification of its code. */
export interface OperationErrorCell {
  count: number;
  readonly labels: SeriesLabels;
  readonly classification: Classification;
}

/** The operation-error series of one recorder. */
export interface OperationErrors {
  /** Counts one error; `false` when it went to the overflow series because the budget refused a new series. */
  inc(classification: Classification, values: Partial<Record<LabelName, string>>): boolean;
  forEach(visit: (labels: SeriesLabels, value: number) => void): void;
  cells(): Iterable<OperationErrorCell>;
}

const ORDER = METRICS.operationErrors.labels;

/**
 * Every label value is already bounded by the caller (caps, closed lists), and `admit` (the series budget)
 * bounds their product: a new label set it refuses counts in one overflow series, every label `__other__`.
 */
export function createOperationErrors(admit: () => boolean): OperationErrors {
  const cells = new Map<string, OperationErrorCell>();
  const folded = { count: 0, labels: overflowLabels(ORDER) };
  return {
    inc(classification, values) {
      const key = ORDER.map((name) => values[name] ?? '').join('\0');
      let cell = cells.get(key);
      if (cell === undefined) {
        if (!admit()) {
          folded.count++;
          return false;
        }
        cell = { count: 0, labels: orderedLabels(ORDER, values), classification };
        cells.set(key, cell);
      }
      cell.count++;
      return true;
    },
    forEach(visit) {
      for (const cell of cells.values()) visit(cell.labels, cell.count);
      if (folded.count > 0) visit(folded.labels, folded.count);
    },
    cells() {
      return cells.values();
    },
  };
}

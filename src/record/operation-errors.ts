// Operation errors (errors that reached the application): rare, so keyed by their label values as a string.
import type { Classification } from '../codes/types.js';
import { METRICS } from '../metrics/names.js';
import type { LabelName } from '../metrics/names.js';
import type { SeriesLabels } from './metric-source.js';
import { orderedLabels } from './series.js';

/** One operation-error series and the classification of its code. */
export interface OperationErrorCell {
  count: number;
  readonly labels: SeriesLabels;
  readonly classification: Classification;
}

/** The operation-error series of one recorder. */
export interface OperationErrors {
  inc(classification: Classification, values: Partial<Record<LabelName, string>>): void;
  forEach(visit: (labels: SeriesLabels, value: number) => void): void;
  cells(): Iterable<OperationErrorCell>;
}

const ORDER = METRICS.operationErrors.labels;

/** Every label value is already bounded by the caller (caps, closed lists), so the map is bounded too. */
export function createOperationErrors(): OperationErrors {
  const cells = new Map<string, OperationErrorCell>();
  return {
    inc(classification, values) {
      const key = ORDER.map((name) => values[name] ?? '').join('\0');
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { count: 0, labels: orderedLabels(ORDER, values), classification };
        cells.set(key, cell);
      }
      cell.count++;
    },
    forEach(visit) {
      for (const cell of cells.values()) visit(cell.labels, cell.count);
    },
    cells() {
      return cells.values();
    },
  };
}

// The errors seen so far, by code, for the landing page: computed on demand from the recorder's series.
import type { Classification, ErrorCategory, ErrorCodeEntry } from '../codes/types.js';
import type { OperationErrors } from './operation-errors.js';
import type { ErrorGroup } from './series.js';

/** One code's errors seen so far. */
export interface ErrorSummaryEntry {
  /** The code, or `null` for unknown codes folded into `other` past the cap. */
  readonly code: number | null;
  /** The `error.type`: registry name, or `UNKNOWN_ERROR_CODE`. */
  readonly name: string;
  readonly category: ErrorCategory;
  /** The registry's recovery advice; empty for codes the registry does not know. */
  readonly recovery: string;
  /** Non-zero error codes in broker responses (retried or not). */
  readonly responseErrors: number;
  /** Errors that reached the application. */
  readonly operationErrors: number;
  /** `responseErrors + operationErrors`. */
  readonly count: number;
}

interface Tally {
  c: Classification;
  responseErrors: number;
  operationErrors: number;
}

/** Sums response-error groups and operation-error cells by code label, most frequent first. */
export function summarizeErrors(
  codes: readonly ErrorCodeEntry[],
  groups: Iterable<ErrorGroup>,
  operationErrors: OperationErrors,
): ErrorSummaryEntry[] {
  const tallies = new Map<string, Tally>();
  const tally = (c: Classification): Tally => {
    let t = tallies.get(c.codeLabel);
    if (t === undefined) {
      t = { c, responseErrors: 0, operationErrors: 0 };
      tallies.set(c.codeLabel, t);
    }
    return t;
  };
  for (const group of groups) {
    let sum = 0;
    group.forEach((_labels, value) => (sum += value));
    if (sum > 0) tally(group.classification).responseErrors += sum;
  }
  for (const cell of operationErrors.cells()) tally(cell.classification).operationErrors += cell.count;

  const recovery = new Map(codes.map((entry) => [entry.code, entry.recovery]));
  return [...tallies.values()]
    .map(({ c, responseErrors, operationErrors: ops }) => ({
      code: c.codeLabel === String(c.code) ? c.code : null,
      name: c.name,
      category: c.category,
      recovery: c.known ? (recovery.get(c.code) ?? '') : '',
      responseErrors,
      operationErrors: ops,
      count: responseErrors + ops,
    }))
    .sort((a, b) => b.count - a.count || (a.code ?? Infinity) - (b.code ?? Infinity));
}

// Renders what the demo captured as a compact fixed-width table for the console.
import type { ErrorSummaryEntry } from '../src/record/error-summary.js';
import type { ThrottleRow } from './throttle-summary.js';

/** What one table shows. */
export interface ErrorTableInput {
  /** Seconds since the workload started. */
  readonly elapsedSeconds: number;
  readonly errors: readonly ErrorSummaryEntry[];
  readonly throttle: readonly ThrottleRow[];
  readonly responses: number;
}

const HEADER = ['code', 'name', 'category', 'wire', 'app'] as const;

function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The table: one line per error code, most frequent first. `wire` counts the code in broker responses
 * (retried or not), `app` the errors that reached the application. Throttling follows on its own lines.
 */
export function renderErrorTable(input: ErrorTableInput): string {
  const rows = input.errors.map((e) => [
    e.code === null ? 'other' : String(e.code),
    e.name,
    e.category,
    String(e.responseErrors),
    String(e.operationErrors),
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Numbers right-aligned, text left-aligned.
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 || i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `[${clock(input.elapsedSeconds)}] ${input.responses} broker responses, ${input.errors.length} distinct error codes`,
  ];
  if (rows.length > 0) {
    out.push(`  ${line(HEADER)}`);
    for (const row of rows) out.push(`  ${line(row)}`);
  }
  for (const t of input.throttle) {
    out.push(
      `  throttled: ${t.throttled} of ${t.responses} ${t.api} responses, ${t.seconds.toFixed(2)} s in total`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** The legend printed once above the first table. */
export const TABLE_LEGEND =
  'wire = the code in broker responses (kafkajs may have retried it silently); app = errors that reached the application';

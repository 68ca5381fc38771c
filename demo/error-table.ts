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
  /** What the protocol proxy counted (`--proxy`): adds a `proxy` column. @default none */
  readonly proxy?: { readonly errors: readonly ErrorSummaryEntry[]; readonly responses: number };
}

const HEADER = ['code', 'name', 'category', 'wire', 'app'] as const;
const PROXY_HEADER = [...HEADER, 'proxy'] as const;

function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The table: one line per error code, most frequent first. `wire` counts the code in broker responses
 * (retried or not), `app` the errors that reached the application. Throttling follows on its own lines.
 */
export function renderErrorTable(input: ErrorTableInput): string {
  const { proxy } = input;
  const header: readonly string[] = proxy ? PROXY_HEADER : HEADER;
  // With the proxy: its response errors by code, and the codes only it saw after the others.
  const proxied = new Map((proxy?.errors ?? []).map((e) => [e.code, e]));
  const entries = [
    ...input.errors,
    ...[...proxied.values()].filter((e) => !input.errors.some((i) => i.code === e.code)),
  ];
  const rows = entries.map((e) => {
    const seen = input.errors.find((i) => i.code === e.code);
    const cells = [
      e.code === null ? 'other' : String(e.code),
      e.name,
      e.category,
      String(seen?.responseErrors ?? 0),
      String(seen?.operationErrors ?? 0),
    ];
    if (proxy) cells.push(String(proxied.get(e.code)?.responseErrors ?? 0));
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Numbers right-aligned, text left-aligned.
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 || i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const through = proxy ? `; ${proxy.responses} through the proxy` : '';
  const out = [
    `[${clock(input.elapsedSeconds)}] ${input.responses} broker responses, ${input.errors.length} distinct error codes${through}`,
  ];
  if (rows.length > 0) {
    out.push(`  ${line(header)}`);
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

/** The legend's second line with `--proxy`. */
export function proxyLegend(clientId: string): string {
  return `proxy = the code as the Kafka protocol proxy counted it: only ${clientId} connects through it, so proxy equals wire for the codes only ${clientId} provokes`;
}

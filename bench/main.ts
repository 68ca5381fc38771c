// `npm run bench [filter]`: runs every bench/*.bench.ts (each exporting one Benchmark or a list, and optionally
// `dispose` or `report`) and prints each result as a ratio against its same-run baseline.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runBenchmark } from './benchmark.js';
import type { Benchmark, BenchmarkResult } from './benchmark.js';

/** A bench file: its benchmarks, and what to release after the last of them (a broker, say). */
interface BenchFile {
  readonly default: Benchmark | Benchmark[];
  readonly dispose?: () => Promise<void> | void;
  /** A comparison of several arms against one baseline that runs itself and prints its own table. */
  readonly report?: () => Promise<{ readonly table: string; readonly pass: boolean }>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];

function format(rate: number, benchmark: Benchmark): string {
  if (benchmark.measure === 'time') return `${(1000 / rate).toFixed(2)} ms/${benchmark.unit}`;
  return rate >= 1e6
    ? `${(rate / 1e6).toFixed(2)} M ${benchmark.unit}/s`
    : `${Math.round(rate)} ${benchmark.unit}/s`;
}

function table(results: BenchmarkResult[]): string {
  const rows = [
    [
      'benchmark',
      'baseline',
      'baseline result',
      'candidate result',
      'ratio',
      '95% CI',
      'client CPU/op',
      'quads',
      'target',
      '',
    ],
    ...results.map(
      ({ benchmark: b, baselineRate, candidateRate, ratio, low, high, cpuRatio, ratios, pass }) => [
        b.name,
        b.baselineName,
        format(baselineRate, b),
        format(candidateRate, b),
        `${ratio.toFixed(3)}x`,
        `${low.toFixed(3)}-${high.toFixed(3)}`,
        `${cpuRatio.toFixed(3)}x`,
        String(ratios.length),
        b.target === 0 ? '-' : `${b.measure === 'throughput' ? '>=' : '<='} ${b.target}x`,
        b.target === 0 ? '' : pass ? 'ok' : 'MISSED',
      ],
    ),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join(
    '\n',
  );
}

// The filter picks bench files by file name, or single benchmarks by name (e.g. `npm run bench -- "consumer: plain"`).
const matches = (text: string): boolean => only === undefined || text.includes(only);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .sort();
const results: BenchmarkResult[] = [];
const reports: { readonly table: string; readonly pass: boolean }[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(`${here}${file}`).href)) as BenchFile;
  if (module.report !== undefined && matches(file)) {
    process.stderr.write(`running ${file}…\n`);
    reports.push(await module.report());
  }
  const chosen = [module.default].flat().filter((b) => matches(file) || matches(b.name));
  try {
    for (const benchmark of chosen) {
      process.stderr.write(`running ${benchmark.name}…\n`);
      const result = await runBenchmark(benchmark);
      // Every round's and quad's ratio, for judging the spread behind the median.
      process.stderr.write(`  rounds: ${result.roundRatios.map((r) => r.toFixed(3)).join(' ')}\n`);
      process.stderr.write(`  quads: ${result.ratios.map((r) => r.toFixed(3)).join(' ')}\n`);
      results.push(result);
    }
  } finally {
    await module.dispose?.();
  }
}
if (results.length > 0) console.log(table(results));
for (const report of reports) console.log(`\n${report.table}`);
if (results.some((result) => !result.pass) || reports.some((report) => !report.pass)) process.exitCode = 1;

// `npm run bench [filter]`: runs every bench/*.bench.ts (each exporting one Benchmark or a list) and prints each result as a ratio against its same-run baseline.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runBenchmark } from './benchmark.js';
import type { Benchmark, BenchmarkResult } from './benchmark.js';

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
    ['benchmark', 'baseline', 'baseline result', 'candidate result', 'ratio', 'target', ''],
    ...results.map(({ benchmark: b, baselineRate, candidateRate, ratio, pass }) => [
      b.name,
      b.baselineName,
      format(baselineRate, b),
      format(candidateRate, b),
      `${ratio.toFixed(2)}x`,
      `${b.measure === 'throughput' ? '>=' : '<='} ${b.target}x`,
      pass ? 'ok' : 'MISSED',
    ]),
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

const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only === undefined || file.includes(only))
  .sort();
const results: BenchmarkResult[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(`${here}${file}`).href)) as { default: Benchmark | Benchmark[] };
  for (const benchmark of [module.default].flat()) {
    process.stderr.write(`running ${benchmark.name}…\n`);
    results.push(await runBenchmark(benchmark));
  }
}
console.log(table(results));
if (results.some((result) => !result.pass)) process.exitCode = 1;

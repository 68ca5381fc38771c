// The benchmark contract: a workload measured against a baseline in the same run, reported as a ratio.

/**
 * One benchmark. `baseline()` and `candidate()` each run one batch of the same work and return how many
 * operations they did; the harness times them, interleaved, and compares the medians.
 */
export interface Benchmark {
  readonly name: string;
  /** `throughput`: ratio = candidate ops/s ÷ baseline ops/s. `time`: ratio = candidate s/op ÷ baseline s/op. */
  readonly measure: 'throughput' | 'time';
  /** What one operation is, e.g. `event`, `scrape`. */
  readonly unit: string;
  /** Pass when the ratio is at least this (throughput) or at most this (time). */
  readonly target: number;
  /** What the baseline is, for the table. */
  readonly baselineName: string;
  setup?(): Promise<void> | void;
  baseline(): Promise<number> | number;
  candidate(): Promise<number> | number;
  teardown?(): Promise<void> | void;
}

export interface BenchmarkResult {
  readonly benchmark: Benchmark;
  /** Median operations per second (for the table; the ratio is the median of the per-round ratios). */
  readonly baselineRate: number;
  readonly candidateRate: number;
  readonly ratio: number;
  readonly pass: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(run: () => Promise<number> | number): Promise<number> {
  const start = process.hrtime.bigint();
  const ops = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return ops / seconds;
}

/**
 * Runs `rounds` interleaved baseline/candidate pairs (after `warmup` of each). The ratio is the median of the
 * per-round ratios: each pair runs back to back, so slow drift (a neighbour's load, broker state) cancels
 * within the pair instead of landing on whichever side it happened to hit. `rounds`
 * is even so that each side goes first equally often: going second (after the other's garbage, into a broker
 * the other just warmed) is not neutral, and with an odd count one side would go first once more.
 */
export async function runBenchmark(benchmark: Benchmark, rounds = 10, warmup = 3): Promise<BenchmarkResult> {
  await benchmark.setup?.();
  try {
    const base: number[] = [];
    const cand: number[] = [];
    for (let i = 0; i < warmup + rounds; i++) {
      // Alternate which goes first, so that drift (GC, a busy neighbour) hits both alike.
      const order = (i - warmup) % 2 === 0 ? (['b', 'c'] as const) : (['c', 'b'] as const);
      for (const which of order) {
        const rate = await timed(which === 'b' ? () => benchmark.baseline() : () => benchmark.candidate());
        if (i >= warmup) (which === 'b' ? base : cand).push(rate);
      }
    }
    const baselineRate = median(base);
    const candidateRate = median(cand);
    const ratio = median(
      base.map((b, i) => (benchmark.measure === 'throughput' ? cand[i]! / b : b / cand[i]!)),
    );
    const pass = benchmark.measure === 'throughput' ? ratio >= benchmark.target : ratio <= benchmark.target;
    return { benchmark, baselineRate, candidateRate, ratio, pass };
  } finally {
    await benchmark.teardown?.();
  }
}

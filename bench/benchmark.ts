// The benchmark contract: a workload measured against a baseline in the same run, reported as a ratio.

/**
 * One benchmark. `baseline()` and `candidate()` each run one batch of the same work and return how many
 * operations they did; the harness times them, interleaved, and compares them round by round.
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
  /** Measured baseline/candidate pairs. @default 10 */
  readonly rounds?: number;
  /** Unmeasured pairs first (JIT, broker caches). @default 3 */
  readonly warmup?: number;
  setup?(): Promise<void> | void;
  /** Untimed, before each batch of one side (e.g. connecting a fresh client). */
  prepare?(side: Side): Promise<void> | void;
  /** Untimed, after each batch of one side. */
  finish?(side: Side): Promise<void> | void;
  baseline(): Promise<number> | number;
  candidate(): Promise<number> | number;
  teardown?(): Promise<void> | void;
}

export type Side = 'baseline' | 'candidate';

export interface BenchmarkResult {
  readonly benchmark: Benchmark;
  /** Median operations per second (for the table; the ratio is the median of the per-round ratios). */
  readonly baselineRate: number;
  readonly candidateRate: number;
  /** Median of the per-round ratios, oriented so that above 1 is better for throughput. */
  readonly ratio: number;
  /** A distribution-free 95% confidence interval of that median (order statistics of the rounds). */
  readonly low: number;
  readonly high: number;
  /** Median per-round ratio of this process's CPU time per operation, candidate ÷ baseline: the client's own cost. */
  readonly cpuRatio: number;
  /** Every ABBA quad's ratio (two rounds), in run order: what the median and its interval are taken of. */
  readonly ratios: readonly number[];
  /** Every measured round's ratio, in run order. */
  readonly roundRatios: readonly number[];
  readonly pass: boolean;
}

interface Sample {
  /** Operations per wall-clock second. */
  readonly rate: number;
  /** CPU seconds (user + system) of this process per operation. */
  readonly cpuPerOp: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The 95% confidence interval of the median of `values`, from order statistics: [x(k), x(n+1-k)] with the
 * largest k for which P(Binomial(n, ½) < k) ≤ 2.5%. Needs no assumption about the distribution of the rounds
 * (they are skewed: a GC or a neighbour's burst only ever slows a batch down). Fewer than 6 values: the range.
 */
export function medianInterval(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let k = 0;
  let below = 0; // P(Binomial(n, ½) < k + 1), built up term by term
  let term = 0.5 ** n; // C(n, k) / 2^n for the current k
  for (let i = 0; i < n; i++) {
    below += term;
    if (below > 0.025) break;
    k = i + 1;
    term = (term * (n - i)) / (i + 1);
  }
  const lowIndex = Math.max(k - 1, 0);
  return [sorted[lowIndex]!, sorted[n - 1 - lowIndex]!];
}

/** Geometric means of consecutive pairs of rounds. */
function quads(roundRatios: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < roundRatios.length; i += 2)
    out.push(Math.sqrt(roundRatios[i]! * roundRatios[i + 1]!));
  return out;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

async function timed(run: () => Promise<number> | number): Promise<Sample> {
  // The previous batch's garbage is not this batch's cost (`npm run bench` runs node with --expose-gc).
  collectGarbage?.();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const ops = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { rate: ops / seconds, cpuPerOp: (cpu.user + cpu.system) / 1e6 / ops };
}

/**
 * Runs `rounds` interleaved baseline/candidate pairs (after `warmup` of each), alternating which goes first.
 * The ratio is the median over ABBA quads (two consecutive rounds): each pair runs back to back, so slow drift
 * (a neighbour's load, broker state) cancels within it instead of landing on whichever side it happened to
 * hit, and the quad cancels what going first or second does. `rounds` is made even so that quads are whole.
 */
export async function runBenchmark(benchmark: Benchmark): Promise<BenchmarkResult> {
  const rounds = Math.ceil((benchmark.rounds ?? 10) / 2) * 2;
  const warmup = benchmark.warmup ?? 3;
  const throughput = benchmark.measure === 'throughput';
  await benchmark.setup?.();
  try {
    const base: Sample[] = [];
    const cand: Sample[] = [];
    for (let i = 0; i < warmup + rounds; i++) {
      const order: readonly Side[] =
        (i - warmup) % 2 === 0 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
      for (const side of order) {
        await benchmark.prepare?.(side);
        const sample = await timed(
          side === 'baseline' ? () => benchmark.baseline() : () => benchmark.candidate(),
        );
        await benchmark.finish?.(side);
        if (i >= warmup) (side === 'baseline' ? base : cand).push(sample);
      }
    }
    const roundRatios = base.map((b, i) => (throughput ? cand[i]!.rate / b.rate : b.rate / cand[i]!.rate));
    // One ratio per ABBA quad (a round with baseline first and the next with candidate first): the geometric
    // mean of the two cancels any effect of position in the run sequence, which a consumer batch shows strongly
    // (every other batch ~25% slower, whichever side runs it).
    const ratios = quads(roundRatios);
    const [low, high] = medianInterval(ratios);
    const ratio = median(ratios);
    const cpuRatio = median(quads(base.map((b, i) => cand[i]!.cpuPerOp / b.cpuPerOp)));
    const pass = throughput ? ratio >= benchmark.target : ratio <= benchmark.target;
    return {
      benchmark,
      baselineRate: median(base.map((s) => s.rate)),
      candidateRate: median(cand.map((s) => s.rate)),
      ratio,
      low,
      high,
      cpuRatio,
      ratios,
      roundRatios,
      pass,
    };
  } finally {
    await benchmark.teardown?.();
  }
}

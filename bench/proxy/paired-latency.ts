// The latency a path adds, measured side by side: every path sends one Produce request at a time (kafkajs,
// acks=1, one record), all paths at once, each at the same fixed rate. The paths share the same seconds, so the
// machine's drift (JIT, GC, the broker's own pauses) falls on all of them alike, and a path's added latency is
// its percentile minus direct's from the same run. ProducerPerformance's p99 on a 2-core machine moves by more
// than the targets between two direct runs (the A/A control), which this method does not.
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';

export interface LatencyPercentiles {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly samples: number;
}

export interface PairedLatencyRun {
  /** Bootstrap servers of each path, in the order of the results. */
  readonly bootstraps: readonly string[];
  readonly topic: string;
  /** Requests each path sends in the measured part. */
  readonly requests: number;
  /** Requests per second of each path. */
  readonly ratePerPath: number;
  /** Requests each path sends first, left out of the figures (connections, JIT). */
  readonly warmup: number;
  readonly recordSize: number;
}

/** The value at quantile `q` of sorted `values` (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drive(producer: Producer, run: PairedLatencyRun, start: number): Promise<number[]> {
  const value = Buffer.alloc(run.recordSize, 0x61);
  const interval = 1000 / run.ratePerPath;
  const latencies: number[] = [];
  for (let i = 0; i < run.warmup + run.requests; i++) {
    // Fixed slots from a common start: a slow request delays the next one, never the schedule.
    const wait = start + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = process.hrtime.bigint();
    await producer.send({ topic: run.topic, acks: 1, messages: [{ value }] });
    if (i >= run.warmup) latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

/** Runs every path at once and returns each one's latency percentiles, in the order of `bootstraps`. */
export async function pairedLatency(run: PairedLatencyRun): Promise<LatencyPercentiles[]> {
  const producers = run.bootstraps.map((bootstrap) =>
    new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer({
      allowAutoTopicCreation: false,
    }),
  );
  try {
    await Promise.all(producers.map((p) => p.connect()));
    const start = performance.now() + 100;
    const all = await Promise.all(producers.map((p) => drive(p, run, start)));
    return all.map((sorted) => ({
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      samples: sorted.length,
    }));
  } finally {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => {})));
  }
}

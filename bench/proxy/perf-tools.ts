// Runs Kafka's own load tools (org.apache.kafka:kafka-tools ProducerPerformance and ConsumerPerformance, from
// the Java client jars of `bash scripts/kafka/fetch-client.sh`) and parses what they print.
import { execFile } from 'node:child_process';
import { javaClientClasspath } from '../../test/support/kafka/java-client.js';

// The client's INFO log goes to stderr; the tools' results go to stdout.
const JVM = ['-Xmx512m', '-XX:+UseSerialGC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];

function runTool(mainClass: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'java',
      [...JVM, '-cp', javaClientClasspath(), mainClass, ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${mainClass} failed: ${error.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      },
    );
  });
}

export interface ProducerResult {
  readonly recordsPerSecond: number;
  /** Payload bytes sent in the measured (steady-state) part. */
  readonly bytes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface ProducerRun {
  readonly bootstrap: string;
  readonly topic: string;
  readonly records: number;
  /** Leading records left out of the figures (ProducerPerformance's --warmup-records). */
  readonly warmupRecords: number;
  readonly recordSize: number;
  /** Offered load in records per second; -1 for as fast as it goes. */
  readonly throughput: number;
}

// "150000 steady state records sent, 14588.6 records/sec (13.91 MB/sec), 1729.46 ms avg latency, 3103.00 ms max
// latency, 1696 ms 50th, 2857 ms 95th, 2981 ms 99th, 3062 ms 99.9th." (the whole-run line lacks "steady state").
const SUMMARY =
  /^(\d+) (?:steady state )?records sent, ([\d.]+) records\/sec .*?, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/;

/** One ProducerPerformance run; the figures are its steady-state line (after the warm-up records). */
export async function producerPerformance(run: ProducerRun): Promise<ProducerResult> {
  const stdout = await runTool(
    'org.apache.kafka.tools.ProducerPerformance',
    [
      '--bootstrap-server',
      run.bootstrap,
      '--topic',
      run.topic,
      '--num-records',
      String(run.records),
      '--warmup-records',
      String(run.warmupRecords),
      '--record-size',
      String(run.recordSize),
      '--throughput',
      String(run.throughput),
    ],
    120_000,
  );
  const line = stdout
    .split('\n')
    .filter((text) => SUMMARY.test(text))
    .pop();
  const match = line === undefined ? null : SUMMARY.exec(line);
  if (match === null) throw new Error(`no ProducerPerformance summary in:\n${stdout}`);
  return {
    recordsPerSecond: Number(match[2]),
    bytes: Number(match[1]) * run.recordSize,
    p50Ms: Number(match[3]),
    p99Ms: Number(match[4]),
  };
}

export interface ConsumerResult {
  /** fetch.nMsg.sec: records per second after the group join (rebalance time left out). */
  readonly recordsPerSecond: number;
  readonly bytes: number;
}

/** One ConsumerPerformance run: a new group reads `records` records of `topic` from the beginning. */
export async function consumerPerformance(
  bootstrap: string,
  topic: string,
  records: number,
): Promise<ConsumerResult> {
  const stdout = await runTool(
    'org.apache.kafka.tools.ConsumerPerformance',
    [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--timeout',
      '60000',
    ],
    120_000,
  );
  // Header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const lines = stdout.trim().split('\n');
  const header = lines.findIndex((text) => text.startsWith('start.time'));
  const fields = lines[header + 1]?.split(', ');
  if (header < 0 || fields?.length !== 10) throw new Error(`no ConsumerPerformance result in:\n${stdout}`);
  return { recordsPerSecond: Number(fields[9]), bytes: Number(fields[2]) * 1024 * 1024 };
}

// The series budget at the default caps filled: 50 client ids × 200 brokers × several APIs and codes, from
// hand-built events, through both sinks and the real promtool (a child process: system project).
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureRecorder } from '../../src/events.js';
import { CARDINALITY_DEFAULTS } from '../../src/metrics/cardinality.js';
import { METRICS } from '../../src/metrics/names.js';
import { BUDGETED_FAMILIES } from '../../src/metrics/series-budget.js';
import { parseExposition } from './exposition-parser.js';
import { SINKS } from './sink-harness.js';
import type { SinkUnderTest } from './sink-harness.js';

const API_KEYS = [0, 1, 2, 3, 8, 9, 10, 11];
const CODES = [3, 6, 7, 15, 16, 27];
const BUDGET = CARDINALITY_DEFAULTS.seriesPerFamily;
/** The bound docs/metrics.md states for the worst-case scrape at the default budget. */
const MAX_SCRAPE_BYTES = 8 * 1024 * 1024;

let open: SinkUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((sink) => sink.close()));
  open = [];
});

function promtool(exposition: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      '/usr/bin/promtool',
      ['check', 'metrics'],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end(exposition);
  });
}

/** Every client id talks to every broker: each pair answers, throttles and fails on every API. */
function playFleet(recorder: CaptureRecorder): number {
  let events = 0;
  for (let c = 0; c < CARDINALITY_DEFAULTS.clientIds; c++) {
    for (let b = 0; b < CARDINALITY_DEFAULTS.brokers; b++) {
      const endpoint = { clientId: `client-${c}`, host: `kafka-${b}.internal`, port: 9092 };
      for (const apiKey of API_KEYS) {
        recorder.response(endpoint, apiKey);
        recorder.throttle(endpoint, apiKey, 20);
        recorder.requestDuringThrottle(endpoint, apiKey);
        for (const code of CODES) recorder.responseError(endpoint, apiKey, code);
        events += 3 + CODES.length;
      }
    }
    for (const code of CODES) {
      recorder.operationError({ clientId: `client-${c}`, operation: 'send', origin: 'broker', code });
      events++;
    }
  }
  return events;
}

// 480,000 recordings, and the OpenTelemetry SDK records every throttle time itself: a bound, not a measure.
describe.each(SINKS)('%s sink, default caps filled', { timeout: 120_000 }, (_name, factory) => {
  it('keeps every family within the series budget and counts the rest in its overflow series', async () => {
    const sink = await factory();
    open.push(sink);
    playFleet(sink.recorder);
    const text = await sink.scrape();
    const { samples } = parseExposition(text);

    const seriesOf = (name: string) => [...samples.keys()].filter((key) => key.startsWith(`${name}{`));
    for (const family of BUDGETED_FAMILIES) {
      const name = METRICS[family].name;
      const series = family === 'throttleTime' ? seriesOf(`${name}_count`) : seriesOf(name);
      expect(series.length, name).toBeLessThanOrEqual(BUDGET);
      const overflow = samples.get(`kafka_error_exporter_series_overflow_total{metric="${name}"}`);
      if (family === 'operationErrors') expect(overflow, name).toBe(0);
      else expect(overflow, name).toBeGreaterThan(0);
    }
    // Nothing is dropped: every response counts, in its own series or the overflow one.
    const responses = seriesOf(METRICS.responses.name).reduce((sum, key) => sum + samples.get(key)!, 0);
    expect(responses).toBe(CARDINALITY_DEFAULTS.clientIds * CARDINALITY_DEFAULTS.brokers * API_KEYS.length);
    expect(
      samples.get(
        `${METRICS.responses.name}{kafka_api_name="__other__",messaging_client_id="__other__",server_address="__other__",server_port="0"}`,
      ),
    ).toBeGreaterThan(0);
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_SCRAPE_BYTES);
  });

  it('passes promtool check metrics without a remark', async () => {
    const sink = await factory();
    open.push(sink);
    playFleet(sink.recorder);
    expect(await promtool(await sink.scrape())).toEqual({ code: 0, output: '' });
  });
});

// Acceptance: one event stream through both sinks gives the same Prometheus series (promtool's check of both is
// sinks-promtool.system.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/codes/classify.js';
import { ERROR_CODES, lookupCode } from '../../src/codes/registry.js';
import { silentLogger } from '../../src/logger.js';
import { METRICS } from '../../src/metrics/names.js';
import { BROKER_1, playStandardStream } from './event-stream.js';
import { familyOf, parseExposition } from './exposition-parser.js';
import { openTelemetrySink, promClientSink, SINKS } from './sink-harness.js';
import type { RecorderSettings, SinkUnderTest } from './sink-harness.js';

const SETTINGS: RecorderSettings = { topicLabel: true, limits: { topics: 2 } };

let open: SinkUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((sink) => sink.close()));
  open = [];
});
async function start(factory: (settings?: RecorderSettings) => Promise<SinkUnderTest>, settings = SETTINGS) {
  const sink = await factory(settings);
  open.push(sink);
  return sink;
}

describe('both sinks', () => {
  it('expose the same series names, label sets and values for the same event stream', async () => {
    const prom = await start(promClientSink);
    const otel = await start(openTelemetrySink);
    playStandardStream(prom.recorder);
    playStandardStream(otel.recorder);

    const fromProm = parseExposition(await prom.scrape());
    const fromOtel = parseExposition(await otel.scrape());
    expect([...fromOtel.samples.entries()].sort()).toEqual([...fromProm.samples.entries()].sort());
    expect([...fromOtel.types.entries()].sort()).toEqual([...fromProm.types.entries()].sort());
  });

  it("agree past the OpenTelemetry SDK's default limit of 2000 series per instrument", async () => {
    const settings: RecorderSettings = { limits: { brokers: 2500, seriesPerFamily: 2600 } };
    const [prom, otel] = [await start(promClientSink, settings), await start(openTelemetrySink, settings)];
    for (const sink of [prom, otel]) {
      for (let i = 0; i < 2500; i++) sink.recorder.response({ ...BROKER_1, host: `broker-${i}` }, 0);
    }
    const responses = (text: string) =>
      [...parseExposition(text).samples.keys()].filter((key) =>
        key.startsWith('kafka_client_responses_total'),
      );
    const fromOtel = responses(await otel.scrape());
    expect(fromOtel).toHaveLength(2500);
    expect(fromOtel.sort()).toEqual(responses(await prom.scrape()).sort());
  });

  it('populate every family of the metric table', async () => {
    for (const factory of [promClientSink, openTelemetrySink]) {
      const sink = await start(factory);
      playStandardStream(sink.recorder);
      const { samples, types } = parseExposition(await sink.scrape());
      const families = new Set([...samples.keys()].map((key) => familyOf(key, types)));
      expect([...families].sort()).toEqual(
        Object.values(METRICS)
          .map((def) => def.name)
          .sort(),
      );
      for (const def of Object.values(METRICS)) expect(types.get(def.name)).toBe(def.type);
    }
  });
});

describe.each(SINKS)('%s sink', (_name, factory) => {
  it('counts responses per API and broker, a reconnect continuing the same series', async () => {
    const sink = await start(factory);
    playStandardStream(sink.recorder);
    const { samples } = parseExposition(await sink.scrape());
    const broker1 = 'messaging_client_id="orders-service",server_address="127.0.0.1",server_port="9092"';
    expect(samples.get(`kafka_client_responses_total{kafka_api_name="Produce",${broker1}}`)).toBe(50);
    expect(samples.get(`kafka_client_responses_total{kafka_api_name="Metadata",${broker1}}`)).toBe(5);
    expect(samples.get(`kafka_client_responses_total{kafka_api_name="Unknown",${broker1}}`)).toBe(1);
  });

  it('labels response errors with their classification and capped topic', async () => {
    const sink = await start(factory);
    playStandardStream(sink.recorder);
    const { samples } = parseExposition(await sink.scrape());
    const errors = [...samples].filter(([key]) => key.startsWith('kafka_client_response_errors_total'));
    const byTopic = (topic: string) =>
      errors.filter(([key]) => key.includes(`messaging_destination_name="${topic}"`)).map(([, v]) => v);
    expect(byTopic('orders')).toEqual([2, 1, 1]);
    expect(byTopic('payments')).toEqual([1]);
    expect(byTopic('__other__')).toEqual([1]);
    expect(errors.some(([key]) => key.includes('secret-topic'))).toBe(false);
    expect(errors.some(([key]) => key.includes('kafka_error_code="0"'))).toBe(false);
    expect(samples.get('kafka_error_exporter_label_overflow_total{label="messaging_destination_name"}')).toBe(
      1,
    );
    const fatal = errors.find(([key]) => key.includes('kafka_error_code="47"'));
    expect(fatal?.[0]).toContain('kafka_error_category="fatal"');
    expect(fatal?.[0]).not.toContain('messaging_destination_name');
  });

  it('keeps an unknown code as its number and never its error message', async () => {
    const sink = await start(factory);
    playStandardStream(sink.recorder);
    const text = await sink.scrape();
    expect(text).toContain('kafka_error_code="9999",error_type="UNKNOWN_ERROR_CODE"');
    expect(text).not.toContain('must never become a label');
  });

  it('observes throttle times in the contract buckets, in seconds', async () => {
    const sink = await start(factory);
    playStandardStream(sink.recorder);
    const { samples } = parseExposition(await sink.scrape());
    const labels = `kafka_api_name="Produce",le="%s",messaging_client_id="orders-service",server_address="127.0.0.1",server_port="9092"`;
    const bucket = (le: string) =>
      samples.get(`kafka_client_throttle_time_seconds_bucket{${labels.replace('%s', le)}}`);
    expect([bucket('0.01'), bucket('0.025'), bucket('0.25'), bucket('0.5'), bucket('+Inf')]).toEqual([
      0, 1, 2, 2, 2,
    ]);
    const series = labels.replace('le="%s",', '');
    expect(samples.get(`kafka_client_throttle_time_seconds_sum{${series}}`)).toBeCloseTo(0.262);
    expect(samples.get(`kafka_client_throttle_time_seconds_count{${series}}`)).toBe(2);
  });

  it('labels operation errors by origin, operation and client error class', async () => {
    const sink = await start(factory);
    playStandardStream(sink.recorder);
    const text = await sink.scrape();
    expect(text).toMatch(
      /kafka_client_operation_errors_total\{kafka_error_code="-1",error_type="KafkaJSNumberOfRetriesExceeded",[^}]*kafka_error_origin="client",messaging_operation_name="consume",messaging_client_id="orders-service"\} 1/,
    );
    expect(text).toMatch(
      /kafka_error_code="13",error_type="NETWORK_EXCEPTION",[^}]*kafka_error_origin="client"/,
    );
  });

  it('folds client ids past their cap into __other__ and counts the overflow', async () => {
    const sink = await start(factory, { limits: { clientIds: 1 } });
    sink.recorder.response(BROKER_1, 0);
    sink.recorder.response({ ...BROKER_1, clientId: 'second' }, 0);
    sink.recorder.response({ ...BROKER_1, clientId: 'third' }, 0);
    const { samples } = parseExposition(await sink.scrape());
    const other = 'messaging_client_id="__other__",server_address="127.0.0.1",server_port="9092"';
    expect(samples.get(`kafka_client_responses_total{kafka_api_name="Produce",${other}}`)).toBe(2);
    expect(samples.get('kafka_error_exporter_label_overflow_total{label="messaging_client_id"}')).toBe(2);
  });

  it('exposes one info series per registry entry except success, with its recovery text', async () => {
    const sink = await start(factory);
    const { samples } = parseExposition(await sink.scrape());
    const info = [...samples.keys()].filter((key) => key.startsWith('kafka_error_code_info'));
    expect(info).toHaveLength(ERROR_CODES.length - 1);
    expect(info.join('\n')).not.toContain('kafka_error_code="0"');
    const entry = lookupCode(29)!;
    expect(info.find((key) => key.includes(`error_type="${entry.name}"`))).toContain(
      `kafka_error_recovery="${entry.recovery}"`,
    );
  });

  it('shows category overrides in every label', async () => {
    const sink = await start(factory, {
      classifier: createClassifier({ overrides: { '3': 'fatal' }, logger: silentLogger }),
    });
    sink.recorder.responseError(BROKER_1, 0, 3);
    const text = await sink.scrape();
    expect(text).toMatch(
      /kafka_client_response_errors_total\{kafka_error_code="3",[^}]*kafka_error_category="fatal",kafka_error_retriable="false"/,
    );
    expect(text).toMatch(/kafka_error_code_info\{kafka_error_code="3",[^}]*kafka_error_category="fatal"/);
  });
});

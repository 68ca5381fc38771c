import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/codes/classify.js';
import type { Classifier } from '../../src/codes/types.js';
import type { BrokerEndpoint, OperationErrorEvent } from '../../src/events.js';
import type { Logger } from '../../src/logger.js';
import { silentLogger } from '../../src/logger.js';
import { createRecorder } from '../../src/record/recorder.js';
import type { RecorderOptions } from '../../src/record/recorder.js';
import { series, sourceSpy } from './read-source.js';

const EP: BrokerEndpoint = { clientId: 'app', host: 'b1', port: 9092 };
const BROKER = 'messaging_client_id=app,server_address=b1,server_port=9092';

function setup(options: Omit<RecorderOptions, 'sinks'> = {}) {
  const spy = sourceSpy();
  const recorder = createRecorder({
    classifier: createClassifier({ logger: silentLogger }),
    logger: silentLogger,
    ...options,
    sinks: [spy],
  });
  return { recorder, source: spy.source };
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (_fields, message) => void warnings.push(message), warnings };
}

const quiet = (maxUnknownCodes: number) => createClassifier({ maxUnknownCodes, logger: silentLogger });

describe('createRecorder', () => {
  it('counts responses per API slot, folding keys outside the table into Unknown', () => {
    const { recorder, source } = setup();
    for (const key of [0, 0, 3, -1, 1.5, 5000]) recorder.response(EP, key);
    expect(series(source, 'responses')).toEqual(
      new Map([
        [`kafka_api_name=Produce,${BROKER}`, 2],
        [`kafka_api_name=Metadata,${BROKER}`, 1],
        [`kafka_api_name=Unknown,${BROKER}`, 3],
      ]),
    );
  });

  it('continues the same series when a reconnect brings a new endpoint object', () => {
    const { recorder, source } = setup();
    recorder.response(EP, 0);
    recorder.response({ ...EP }, 0);
    recorder.response({ clientId: 'app', host: 'b1', port: 9092 }, 0);
    expect([...series(source, 'responses').values()]).toEqual([3]);
  });

  it.each([
    ['off', false, 'kafka_error_code=6,error_type=NOT_LEADER_OR_FOLLOWER'],
    ['on', true, 'server_port=9092,messaging_destination_name=orders'],
  ])('labels topics only when the topic label is %s', (_name, topicLabel, expected) => {
    const { recorder, source } = setup({ topicLabel });
    recorder.responseError(EP, 0, 6, 'orders');
    const keys = [...series(source, 'responseErrors').keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain(expected);
    expect(keys[0]!.includes('orders')).toBe(topicLabel);
  });

  it('never counts code 0 as an error', () => {
    const { recorder, source } = setup();
    recorder.responseError(EP, 0, 0);
    expect(series(source, 'responseErrors').size).toBe(0);
  });

  it('folds unknown codes past the classifier cap into other and counts the overflow', () => {
    const { recorder, source } = setup({ classifier: quiet(1) });
    for (const code of [5000, 5001, 5002, 5001]) recorder.responseError(EP, 0, code);
    const codes = [...series(source, 'responseErrors')].map(([k, v]) => [
      /kafka_error_code=([^,]+)/.exec(k)![1],
      v,
    ]);
    expect(codes).toEqual([
      ['5000', 1],
      ['other', 3],
    ]);
    expect(series(source, 'labelOverflow').get('label=kafka_error_code')).toBe(3);
    recorder.operationError({ clientId: 'app', operation: 'send', origin: 'broker', code: 5003 });
    expect([...series(source, 'operationErrors').keys()][0]).toContain('kafka_error_code=other');
    expect(series(source, 'labelOverflow').get('label=kafka_error_code')).toBe(4);
  });

  it('folds topics past the cap into __other__ without remembering them', () => {
    const { recorder, source } = setup({ topicLabel: true, limits: { topics: 1 } });
    for (const topic of ['a', 'b', 'c', 'a', 'b']) recorder.responseError(EP, 0, 6, topic);
    const topics = [...series(source, 'responseErrors')].map(([k, v]) => [
      /destination_name=(\w+)/.exec(k)![1],
      v,
    ]);
    expect(topics).toEqual([
      ['a', 2],
      ['__other__', 3],
    ]);
    expect(series(source, 'labelOverflow').get('label=messaging_destination_name')).toBe(3);
  });

  it('folds broker addresses past the cap into __other__ with port 0, counting each recording', () => {
    const { recorder, source } = setup({ limits: { brokers: 1 } });
    recorder.response(EP, 0);
    recorder.response({ ...EP, host: 'b2' }, 0);
    recorder.response({ ...EP, host: 'b3', port: 9093 }, 0);
    expect([...series(source, 'responses').keys()]).toEqual([
      `kafka_api_name=Produce,${BROKER}`,
      'kafka_api_name=Produce,messaging_client_id=app,server_address=__other__,server_port=0',
    ]);
    expect(series(source, 'labelOverflow').get('label=server_address')).toBe(2);
  });

  it.each([0, -5, Number.NaN, Infinity])('ignores a throttle time of %s', (ms) => {
    const { recorder, source } = setup();
    recorder.throttle(EP, 0, ms);
    let histograms = 0;
    source.forEachHistogram(() => histograms++);
    expect(histograms).toBe(0);
  });

  it('puts throttle times in (previous, bound] buckets, in seconds', () => {
    const { recorder, source } = setup();
    for (const ms of [1, 2, 60_000, 61_000]) recorder.throttle(EP, 1, ms);
    const seen: number[][] = [];
    source.forEachHistogram((_labels, h) => seen.push([...Array.from(h.counts), h.sum, h.count]));
    expect(seen).toEqual([[1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 121.003, 4]]);
  });

  it('calls throttle listeners with the series labels and seconds until unsubscribed', () => {
    const { recorder, source } = setup();
    const calls: [string | undefined, number][] = [];
    const off = source.onThrottle((labels, seconds) => calls.push([labels.kafka_api_name, seconds]));
    recorder.throttle(EP, 0, 250);
    off();
    recorder.throttle(EP, 0, 250);
    expect(calls).toEqual([['Produce', 0.25]]);
  });

  it.each<[string, OperationErrorEvent, string]>([
    [
      'a broker code',
      { clientId: 'app', operation: 'commit', origin: 'broker', code: 27 },
      'error_type=REBALANCE_IN_PROGRESS',
    ],
    [
      'a lost connection',
      { clientId: 'app', operation: 'send', origin: 'client', code: 13 },
      'error_type=NETWORK_EXCEPTION',
    ],
    [
      'a client error class',
      {
        clientId: 'app',
        operation: 'send',
        origin: 'client',
        code: -1,
        clientErrorType: 'KafkaJSLockTimeout',
      },
      'error_type=KafkaJSLockTimeout',
    ],
    [
      'a class name that is not an identifier',
      { clientId: 'app', operation: 'send', origin: 'client', code: -1, clientErrorType: 'password=hunter2' },
      'error_type=__other__',
    ],
    [
      'an operation outside the closed list',
      { clientId: 'app', operation: 'bogus' as 'send', origin: 'broker', code: 3 },
      'messaging_operation_name=__other__',
    ],
  ])('labels an operation error from %s', (_name, event, expected) => {
    const { recorder, source } = setup();
    recorder.operationError(event);
    const keys = [...series(source, 'operationErrors').keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain(expected);
    expect(keys[0]).not.toContain('hunter2');
  });

  it('replaces control characters and bounds the length of client ids, hosts and topics', () => {
    const { recorder, source } = setup({ topicLabel: true });
    const long = `c${'x'.repeat(1000)}`;
    recorder.responseError({ clientId: 'app\r\nevil', host: 'b1\t', port: 9092 }, 0, 6, 'orders\0');
    recorder.responseError({ clientId: long, host: 'h'.repeat(400), port: 9092 }, 0, 6, 't'.repeat(300));
    recorder.operationError({ clientId: 'op\nid', operation: 'send', origin: 'broker', code: 6 });
    const values = [...series(source, 'responseErrors').keys(), ...series(source, 'operationErrors').keys()]
      .flatMap((key) => key.split(','))
      .filter((pair) => /^(messaging_client_id|server_address|messaging_destination_name)=/.test(pair));
    expect(values).toEqual(
      expect.arrayContaining([
        'messaging_client_id=app\uFFFD\uFFFDevil',
        'server_address=b1\uFFFD',
        'messaging_destination_name=orders\uFFFD',
        'messaging_client_id=op\uFFFDid',
      ]),
    );
    for (const pair of values) {
      expect([...pair].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);
      expect(pair.slice(pair.indexOf('=') + 1).length).toBeLessThanOrEqual(256);
    }
    expect(values.filter((pair) => /^\w+=(c|h|t)\1*x*…[0-9a-f]{8}$/.test(pair))).toHaveLength(3);
  });

  it('caps client error classes and counts the overflow', () => {
    const { recorder, source } = setup({ limits: { clientErrorTypes: 1 } });
    for (const clientErrorType of ['ErrorA', 'ErrorB', 'ErrorC']) {
      recorder.operationError({
        clientId: 'app',
        operation: 'send',
        origin: 'client',
        code: -1,
        clientErrorType,
      });
    }
    const types = [...series(source, 'operationErrors').keys()].map((k) => /error_type=(\w+)/.exec(k)![1]);
    expect(types).toEqual(['ErrorA', '__other__']);
    expect(series(source, 'labelOverflow').get('label=error_type')).toBe(2);
  });

  it('exposes every self-metric value from zero, and unknown kinds under __other__', () => {
    const { recorder, source } = setup();
    recorder.captureFailure('decode');
    recorder.captureFailure('nonsense' as 'decode');
    recorder.undecodableFrame('truncated');
    expect(series(source, 'captureFailures')).toEqual(
      new Map([
        ['kind=socket_write', 0],
        ['kind=socket_read', 0],
        ['kind=decode', 1],
        ['kind=record', 0],
        ['kind=instrument', 0],
        ['kind=operation_error', 0],
        ['kind=proxy', 0],
        ['kind=__other__', 1],
      ]),
    );
    expect(series(source, 'undecodableFrames').get('reason=truncated')).toBe(1);
    expect([...series(source, 'labelOverflow').values()]).toEqual([0, 0, 0, 0, 0]);
  });

  it('catches a failure inside a hook, counts it and logs it once', () => {
    const throwing: Classifier = {
      classify() {
        throw new Error('boom');
      },
      onUnknownCode: () => () => {},
    };
    const logger = recordingLogger();
    const { recorder, source } = setup({ classifier: throwing, logger, codes: [] });
    expect(() => {
      recorder.responseError(EP, 0, 3);
      recorder.responseError(EP, 0, 3);
      recorder.operationError({ clientId: 'app', operation: 'send', origin: 'broker', code: 3 });
      recorder.response(null as unknown as BrokerEndpoint, 0);
    }).not.toThrow();
    expect(series(source, 'captureFailures').get('kind=record')).toBe(4);
    expect(logger.warnings).toHaveLength(1);
  });

  it('throws at construction on an invalid cap, naming it', () => {
    expect(() => createRecorder({ limits: { topics: -1 }, logger: silentLogger })).toThrow(
      'Invalid cardinality limit topics: -1',
    );
  });

  it('records into every sink it is given', () => {
    const [a, b] = [sourceSpy(), sourceSpy()];
    const recorder = createRecorder({ sinks: [a, b], logger: silentLogger });
    recorder.response(EP, 0);
    expect(series(a.source, 'responses')).toEqual(series(b.source, 'responses'));
    expect(series(a.source, 'responses').size).toBe(1);
  });

  it('summarises the errors seen by code, most frequent first', () => {
    const { recorder } = setup({ classifier: quiet(0) });
    recorder.responseError(EP, 0, 6, 'orders');
    recorder.responseError(EP, 1, 6);
    recorder.responseError({ ...EP, host: 'b2' }, 0, 6);
    recorder.responseError(EP, 0, 9999);
    recorder.operationError({ clientId: 'app', operation: 'send', origin: 'broker', code: 6 });
    recorder.operationError({ clientId: 'app', operation: 'send', origin: 'client', code: 7 });
    const summary = recorder.errorSummary();
    expect(summary.map((e) => [e.code, e.name, e.responseErrors, e.operationErrors, e.count])).toEqual([
      [6, 'NOT_LEADER_OR_FOLLOWER', 3, 1, 4],
      [7, 'REQUEST_TIMED_OUT', 0, 1, 1],
      [null, 'UNKNOWN_ERROR_CODE', 1, 0, 1],
    ]);
    expect(summary[0]!.recovery).not.toBe('');
    expect(summary[2]!.recovery).toBe('');
  });
});

describe('createRecorder series budget', () => {
  const OTHER = 'messaging_client_id=__other__,server_address=__other__,server_port=0';
  const ep = (i: number): BrokerEndpoint => ({ clientId: 'app', host: `b${i}`, port: 9092 });

  it('folds label sets past the budget into one overflow series per family, keeping every count', () => {
    const { recorder, source } = setup({ limits: { seriesPerFamily: 3 } });
    for (let i = 0; i < 5; i++) for (let n = 0; n <= i; n++) recorder.response(ep(i), 0);
    const responses = series(source, 'responses');
    expect(responses.size).toBe(3);
    expect(responses.get(`kafka_api_name=__other__,${OTHER}`)).toBe(3 + 4 + 5);
    expect([...responses.values()].reduce((a, b) => a + b, 0)).toBe(15);
    expect(series(source, 'seriesOverflow').get('metric=kafka_client_responses_total')).toBe(12);
  });

  it('keeps counting an admitted series after the family is full', () => {
    const { recorder, source } = setup({ limits: { seriesPerFamily: 2 } });
    recorder.responseError(EP, 0, 3);
    recorder.responseError(EP, 0, 6);
    recorder.responseError(EP, 0, 3);
    const errors = series(source, 'responseErrors');
    expect(errors.size).toBe(2);
    expect([...errors.values()].sort()).toEqual([1, 2]);
    expect(series(source, 'seriesOverflow').get('metric=kafka_client_response_errors_total')).toBe(1);
  });

  it('budgets per-topic series when the topic label is on', () => {
    const { recorder, source } = setup({ topicLabel: true, limits: { seriesPerFamily: 2 } });
    for (const topic of ['a', 'b', 'c']) recorder.responseError(EP, 0, 3, topic);
    expect(series(source, 'responseErrors').size).toBe(2);
    expect(series(source, 'seriesOverflow').get('metric=kafka_client_response_errors_total')).toBe(2);
  });

  it('budgets throttle histograms and operation errors too', () => {
    const { recorder, source } = setup({ limits: { seriesPerFamily: 1 } });
    recorder.throttle(EP, 0, 20);
    recorder.operationError({ clientId: 'app', operation: 'send', origin: 'broker', code: 3 });
    const overflow = series(source, 'seriesOverflow');
    expect(overflow.get('metric=kafka_client_throttle_time_seconds')).toBe(1);
    expect(overflow.get('metric=kafka_client_operation_errors_total')).toBe(1);
    const histograms: string[] = [];
    source.forEachHistogram((labels) => histograms.push(Object.values(labels).join(',')));
    expect(histograms).toEqual(['__other__,__other__,__other__,0']);
  });

  it('rejects a budget below 1, naming it', () => {
    expect(() => setup({ limits: { seriesPerFamily: 0 } })).toThrow(/seriesPerFamily: 0/);
  });
});

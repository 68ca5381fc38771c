// The demo's console table, fed by a real recorder and the throttle summary sink.
import { describe, expect, it } from 'vitest';
import { renderErrorTable } from '../../demo/error-table.js';
import { createThrottleSummarySink } from '../../demo/throttle-summary.js';
import type { BrokerEndpoint } from '../../src/events.js';
import { silentLogger } from '../../src/logger.js';
import { createRecorder } from '../../src/record/recorder.js';

const BROKER: BrokerEndpoint = { clientId: 'demo-app', host: '127.0.0.1', port: 9092 };
const PRODUCE = 0;
const METADATA = 3;
const END_TXN = 26;

function recorded() {
  const throttle = createThrottleSummarySink();
  const recorder = createRecorder({ sinks: [throttle], logger: silentLogger });
  for (let i = 0; i < 10; i++) recorder.response(BROKER, PRODUCE);
  for (let i = 0; i < 3; i++) recorder.response(BROKER, METADATA);
  for (let i = 0; i < 3; i++) recorder.responseError(BROKER, METADATA, 3);
  recorder.responseError(BROKER, END_TXN, 47);
  recorder.operationError({ clientId: 'demo-app', operation: 'send', origin: 'broker', code: 3 });
  recorder.throttle(BROKER, PRODUCE, 1500);
  recorder.throttle(BROKER, PRODUCE, 500);
  return { recorder, throttle };
}

describe('renderErrorTable', () => {
  it('lists each code with its name, category, wire and application counts, then throttling', () => {
    const { recorder, throttle } = recorded();
    const table = renderErrorTable({
      elapsedSeconds: 65.4,
      errors: recorder.errorSummary(),
      throttle: throttle.rows(),
      responses: throttle.totalResponses(),
    });
    expect(table).toBe(
      [
        '[01:05] 13 broker responses, 2 distinct error codes',
        '  code  name                        category   wire  app',
        '     3  UNKNOWN_TOPIC_OR_PARTITION  retriable     3    1',
        '    47  INVALID_PRODUCER_EPOCH      fatal         1    0',
        '  throttled: 2 of 10 Produce responses, 2.00 s in total',
        '',
      ].join('\n'),
    );
  });

  it('adds the proxy column with --proxy: its count beside each code, and the codes only it saw', () => {
    const { recorder, throttle } = recorded();
    const proxy = createRecorder({ logger: silentLogger });
    const proxied: BrokerEndpoint = { ...BROKER, port: 9093 };
    for (let i = 0; i < 4; i++) proxy.response(proxied, METADATA);
    for (let i = 0; i < 3; i++) proxy.responseError(proxied, METADATA, 3);
    proxy.responseError(proxied, PRODUCE, 10);
    const table = renderErrorTable({
      elapsedSeconds: 5,
      errors: recorder.errorSummary(),
      throttle: throttle.rows(),
      responses: throttle.totalResponses(),
      proxy: { errors: proxy.errorSummary(), responses: 4 },
    });
    expect(table).toBe(
      [
        '[00:05] 13 broker responses, 2 distinct error codes; 4 through the proxy',
        '  code  name                        category       wire  app  proxy',
        '     3  UNKNOWN_TOPIC_OR_PARTITION  retriable         3    1      3',
        '    47  INVALID_PRODUCER_EPOCH      fatal             1    0      0',
        '    10  MESSAGE_TOO_LARGE           non_retriable     0    0      1',
        '  throttled: 2 of 10 Produce responses, 2.00 s in total',
        '',
      ].join('\n'),
    );
  });

  it('prints the header line alone before anything was captured', () => {
    const throttle = createThrottleSummarySink();
    expect(renderErrorTable({ elapsedSeconds: 0, errors: [], throttle: throttle.rows(), responses: 0 })).toBe(
      '[00:00] 0 broker responses, 0 distinct error codes\n',
    );
  });

  it('shows unknown codes folded past the cap as other', () => {
    const table = renderErrorTable({
      elapsedSeconds: 1,
      responses: 1,
      throttle: [],
      errors: [
        {
          code: null,
          name: 'UNKNOWN_ERROR_CODE',
          category: 'non_retriable',
          recovery: '',
          responseErrors: 4,
          operationErrors: 0,
          count: 4,
        },
      ],
    });
    expect(table).toContain('  other  UNKNOWN_ERROR_CODE  non_retriable     4    0');
  });
});

describe('createThrottleSummarySink', () => {
  it('refuses a second recorder', () => {
    const sink = createThrottleSummarySink();
    createRecorder({ sinks: [sink], logger: silentLogger });
    expect(() => createRecorder({ sinks: [sink], logger: silentLogger })).toThrow(/already attached/);
  });
});

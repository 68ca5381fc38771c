import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { clientErrorTypeOf, unwrapKafkaError } from '../../../src/capture/kafkajs/unwrap.js';

// kafkajs's own constructor of protocol errors from a response's error_code.
const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode: (code: number) => Error;
};
// The classes as kafkajs/src/errors.js defines them (its typings omit several and narrow the constructors).
type ErrorClass = new (...args: unknown[]) => Error;
const {
  KafkaJSAggregateError,
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSCreateTopicError,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} = require('kafkajs') as Record<
  | 'KafkaJSAggregateError'
  | 'KafkaJSConnectionClosedError'
  | 'KafkaJSConnectionError'
  | 'KafkaJSCreateTopicError'
  | 'KafkaJSDeleteGroupsError'
  | 'KafkaJSDeleteTopicRecordsError'
  | 'KafkaJSError'
  | 'KafkaJSNonRetriableError'
  | 'KafkaJSNumberOfRetriesExceeded'
  | 'KafkaJSProtocolError'
  | 'KafkaJSRequestTimeoutError'
  | 'KafkaJSSASLAuthenticationError',
  ErrorClass
>;
// The retrier's wrapping, exactly as kafkajs/src/retry does it.
const retriesExceeded = (e: Error): Error =>
  new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 2, retryTime: 100, cause: e });
const bailed = (e: Error): Error => new KafkaJSNonRetriableError(e, { cause: e });

describe('unwrapKafkaError', () => {
  it.each<[string, unknown, { origin: string; code: number; clientErrorType?: string }]>([
    ['a protocol error', createErrorFromCode(10), { origin: 'broker', code: 10 }],
    [
      'retries exhausted on a protocol error',
      retriesExceeded(createErrorFromCode(3)),
      { origin: 'broker', code: 3 },
    ],
    ['a bail on a protocol error', bailed(createErrorFromCode(21)), { origin: 'broker', code: 21 }],
    [
      'a bail around retries exhausted',
      bailed(retriesExceeded(createErrorFromCode(7))),
      { origin: 'broker', code: 7 },
    ],
    ['a code past kafkajs table (89)', createErrorFromCode(89), { origin: 'broker', code: 89 }],
    [
      'a code past kafkajs table (133) wrapped',
      retriesExceeded(createErrorFromCode(133)),
      { origin: 'broker', code: 133 },
    ],
    [
      'an aggregate of create-topic errors (first broker code)',
      new KafkaJSAggregateError('Topic creation errors', [
        new KafkaJSCreateTopicError(createErrorFromCode(37), 'a'),
        new KafkaJSCreateTopicError(createErrorFromCode(38), 'b'),
      ]),
      { origin: 'broker', code: 37 },
    ],
    [
      'delete-groups results',
      new KafkaJSDeleteGroupsError('Error in DeleteGroups', [
        { groupId: 'g', errorCode: 69, error: createErrorFromCode(69) },
      ]),
      { origin: 'broker', code: 69 },
    ],
    [
      'delete-groups results with only the error code',
      new KafkaJSDeleteGroupsError('Error in DeleteGroups', [{ groupId: 'g', errorCode: 68 }]),
      { origin: 'broker', code: 68 },
    ],
    [
      'delete-records partitions behind retries',
      retriesExceeded(
        new KafkaJSDeleteTopicRecordsError({
          topic: 't',
          partitions: [{ partition: 0, offset: '99', error: createErrorFromCode(1) }],
        }),
      ),
      { origin: 'broker', code: 1 },
    ],
    [
      'a SASL failure (type dropped by kafkajs)',
      bailed(new KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed')),
      { origin: 'broker', code: 58 },
    ],
    [
      'a lost connection',
      new KafkaJSConnectionClosedError('Closed connection', { host: 'h', port: 1 }),
      { origin: 'client', code: 13 },
    ],
    [
      'a refused connection behind retries',
      retriesExceeded(
        new KafkaJSConnectionError('Failed to connect: ECONNREFUSED', { code: 'ECONNREFUSED' }),
      ),
      { origin: 'client', code: 13 },
    ],
    [
      'a request timeout',
      retriesExceeded(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')),
      { origin: 'client', code: 7 },
    ],
    [
      'any other kafkajs error',
      bailed(new KafkaJSError('The producer is disconnected')),
      { origin: 'client', code: -1, clientErrorType: 'KafkaJSError' },
    ],
    [
      'an application error thrown from eachMessage',
      retriesExceeded(new TypeError('x is undefined')),
      { origin: 'client', code: -1, clientErrorType: 'TypeError' },
    ],
    [
      'an application error that looks like a protocol error',
      Object.assign(new Error('mine'), { type: 'X', code: 5 }),
      { origin: 'client', code: -1, clientErrorType: 'Error' },
    ],
    ['a thrown string', 'boom', { origin: 'client', code: -1, clientErrorType: 'Error' }],
    ['undefined', undefined, { origin: 'client', code: -1, clientErrorType: 'Error' }],
  ])('classifies %s', (_, error, expected) => {
    expect(unwrapKafkaError(error)).toEqual(expected);
  });

  it('resolves a protocol error that carries only a type through the lookup', () => {
    const error = Object.assign(new KafkaJSProtocolError('x'), {
      type: 'FENCED_INSTANCE_ID',
      code: undefined,
    });
    expect(unwrapKafkaError(error, (name) => (name === 'FENCED_INSTANCE_ID' ? 82 : undefined))).toEqual({
      origin: 'broker',
      code: 82,
    });
  });

  it('terminates on a cyclic cause chain', () => {
    const a = new KafkaJSError('a');
    const b = new KafkaJSError('b', { cause: a });
    a.cause = b;
    expect(unwrapKafkaError(a)).toEqual({ origin: 'client', code: -1, clientErrorType: 'KafkaJSError' });
  });
});

describe('clientErrorTypeOf', () => {
  it.each<[string, unknown, string]>([
    ['an Error subclass', new RangeError('r'), 'RangeError'],
    [
      'a name that is no identifier',
      Object.assign(new Error('e'), { name: 'has spaces: and secrets' }),
      'Error',
    ],
    ['a plain object', { message: 'm' }, 'Object'],
    ['null', null, 'Error'],
  ])('names %s', (_, error, expected) => {
    expect(clientErrorTypeOf(error)).toBe(expected);
  });
});

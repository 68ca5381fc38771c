import { describe, expect, it } from 'vitest';
import { createClassifier, OTHER_CODE_LABEL, validateOverrides } from '../../src/codes/classify.js';
import { ERROR_CODES } from '../../src/codes/registry.js';
import type { Logger } from '../../src/logger.js';

/** A logger that remembers what it was told (a real Logger implementation, in memory). */
function memoryLogger(): Logger & { lines: { level: string; fields: object; message: string }[] } {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

describe('createClassifier', () => {
  it.each(ERROR_CODES.map((e) => [e.code, e.name, e.category]))(
    'classifies %i as %s / %s with its labels',
    (code, name, category) => {
      const c = createClassifier({ logger: memoryLogger() }).classify(code);
      expect(c).toEqual({
        code,
        codeLabel: String(code),
        name,
        category,
        retriable: category === 'retriable',
        retriableLabel: category === 'retriable' ? 'true' : 'false',
        known: true,
      });
    },
  );

  it('returns the same frozen object for a known code every time (pre-built, no allocation)', () => {
    const classifier = createClassifier({ logger: memoryLogger() });
    const first = classifier.classify(27);
    expect(classifier.classify(27)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it.each([134, 999, -2, 32767, -32768])(
    'classifies unknown code %i as UNKNOWN_ERROR_CODE, non-retriable',
    (code) => {
      const c = createClassifier({ logger: memoryLogger() }).classify(code, 'boom');
      expect(c).toEqual({
        code,
        codeLabel: String(code),
        name: 'UNKNOWN_ERROR_CODE',
        category: 'non_retriable',
        retriable: false,
        retriableLabel: 'false',
        known: false,
      });
    },
  );

  it('logs each distinct unknown code once, with its error_message', () => {
    const logger = memoryLogger();
    const classifier = createClassifier({ logger });
    classifier.classify(999, 'first message');
    classifier.classify(999, 'second message');
    classifier.classify(134, undefined);
    expect(logger.lines.map((l) => [l.level, l.fields])).toEqual([
      [
        'warn',
        { kafka_error_code: 999, kafka_error_category: 'non_retriable', error_message: 'first message' },
      ],
      ['warn', { kafka_error_code: 134, kafka_error_category: 'non_retriable', error_message: undefined }],
    ]);
  });

  it('caches unknown classifications: the same object for the same code', () => {
    const classifier = createClassifier({ logger: memoryLogger() });
    expect(classifier.classify(999)).toBe(classifier.classify(999));
  });

  it('labels unknown codes past the cap as other, keeping the first ones', () => {
    const classifier = createClassifier({ maxUnknownCodes: 2, logger: memoryLogger() });
    const labels = [1000, 1001, 1002, 1003, 1000].map((code) => classifier.classify(code).codeLabel);
    expect(labels).toEqual(['1000', '1001', OTHER_CODE_LABEL, OTHER_CODE_LABEL, '1000']);
  });

  it('uses a cap of 50 distinct unknown codes by default', () => {
    const classifier = createClassifier({ logger: memoryLogger() });
    const labels = Array.from({ length: 51 }, (_, i) => classifier.classify(1000 + i).codeLabel);
    expect(labels.filter((l) => l === OTHER_CODE_LABEL)).toEqual([OTHER_CODE_LABEL]);
    expect(labels[49]).toBe('1049');
  });

  it.each([1.5, Number.NaN, 40000, -40000])('labels invalid code %d other without throwing', (code) => {
    const logger = memoryLogger();
    const classifier = createClassifier({ logger });
    expect(classifier.classify(code)).toMatchObject({ codeLabel: OTHER_CODE_LABEL, known: false });
    classifier.classify(code);
    expect(logger.lines).toHaveLength(1);
  });

  it('announces the first sighting of each unknown code to subscribers until they unsubscribe', () => {
    const classifier = createClassifier({ maxUnknownCodes: 1, logger: memoryLogger() });
    const seen: [number, string | undefined][] = [];
    const unsubscribe = classifier.onUnknownCode((code, message) => seen.push([code, message]));
    classifier.classify(999, 'a');
    classifier.classify(999, 'b');
    classifier.classify(27);
    classifier.classify(1234, 'past the cap');
    unsubscribe();
    classifier.classify(4321, 'after unsubscribe');
    expect(seen).toEqual([
      [999, 'a'],
      [1234, 'past the cap'],
    ]);
  });

  it('keeps classifying when a subscriber throws, and logs the failure once', () => {
    const logger = memoryLogger();
    const classifier = createClassifier({ logger });
    classifier.onUnknownCode(() => {
      throw new Error('listener bug');
    });
    expect(classifier.classify(999).name).toBe('UNKNOWN_ERROR_CODE');
    expect(classifier.classify(998).name).toBe('UNKNOWN_ERROR_CODE');
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it.each([
    [{ '27': 'fatal' }, 27, 'fatal', 'false'],
    [{ REBALANCE_IN_PROGRESS: 'non_retriable' }, 27, 'non_retriable', 'false'],
    [{ rebalance_in_progress: 'fatal' }, 27, 'fatal', 'false'],
    [{ '10': 'retriable' }, 10, 'retriable', 'true'],
    [{ '-1': 'retriable' }, -1, 'retriable', 'true'],
    [{ '134': 'retriable' }, 134, 'retriable', 'true'],
  ])('applies override %j to every label of code %i', (overrides, code, category, retriableLabel) => {
    const c = createClassifier({ overrides, logger: memoryLogger() }).classify(code);
    expect(c).toMatchObject({
      category,
      retriableLabel,
      retriable: retriableLabel === 'true',
      codeLabel: String(code),
    });
  });

  it('does not count an overridden unknown code against the cap', () => {
    const classifier = createClassifier({
      overrides: { '134': 'fatal' },
      maxUnknownCodes: 1,
      logger: memoryLogger(),
    });
    expect(classifier.classify(134).codeLabel).toBe('134');
    expect(classifier.classify(999).codeLabel).toBe('999');
    expect(classifier.classify(998).codeLabel).toBe(OTHER_CODE_LABEL);
  });

  it.each([-1, 1.5, Number.NaN])('rejects maxUnknownCodes %d', (maxUnknownCodes) => {
    expect(() => createClassifier({ maxUnknownCodes })).toThrow(/maxUnknownCodes/);
  });
});

describe('validateOverrides', () => {
  it.each([
    [undefined, []],
    [{}, []],
    [
      { '27': 'fatal', NETWORK_EXCEPTION: 'non_retriable' },
      [
        [27, 'fatal'],
        [13, 'non_retriable'],
      ],
    ],
    [{ '27': 'fatal', REBALANCE_IN_PROGRESS: 'fatal' }, [[27, 'fatal']]],
  ])('accepts %j', (raw, expected) => {
    expect([...validateOverrides(raw)]).toEqual(expected);
  });

  it.each([
    [
      { '27': 'sometimes' },
      /"27": unknown category "sometimes" \(expected retriable, non_retriable or fatal\)/,
    ],
    [{ '27': 3 }, /"27": unknown category 3/],
    [{ NOPE: 'fatal' }, /"NOPE": unknown error name/],
    [{ '27.5': 'fatal' }, /"27.5": expected an error code number or an error name/],
    [{ '0x1b': 'fatal' }, /"0x1b"/],
    [{ '40000': 'fatal' }, /"40000": error codes are INT16/],
    [{ '27': 'success' }, /"27": only code 0 is success/],
    [{ '0': 'fatal' }, /"0": code 0 \(NONE\) is success/],
    [
      { '27': 'fatal', REBALANCE_IN_PROGRESS: 'retriable' },
      /"REBALANCE_IN_PROGRESS": it names code 27 like "27"/,
    ],
    ['27=fatal', /expected an object/],
    [['27'], /expected an object/],
  ])('rejects %j, naming the bad key or value', (raw, message) => {
    expect(() => validateOverrides(raw)).toThrow(message);
  });

  it('makes createClassifier throw on a bad override', () => {
    expect(() => createClassifier({ overrides: { '27': 'sometimes' } })).toThrow(
      /unknown category "sometimes"/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { CONTROL_REPLACEMENT, labelValue, MAX_LABEL_VALUE_LENGTH } from '../../src/record/label-value.js';

const R = CONTROL_REPLACEMENT;

describe('labelValue', () => {
  it.each([
    ['an ordinary client id', 'orders-service', 'orders-service'],
    ['a host name', 'broker-1.kafka.svc.cluster.local', 'broker-1.kafka.svc.cluster.local'],
    ['non-ASCII text', 'zürich-übung', 'zürich-übung'],
    ['CR and LF', 'app\r\nx', `app${R}${R}x`],
    ['TAB, NUL, ESC and DEL', 'a\tb\0c\x1bd\x7f', `a${R}b${R}c${R}d${R}`],
    ['a C1 control and a line separator', 'a\u0085b\u2028c', `a${R}b${R}c`],
    ['a value of exactly the limit', 'x'.repeat(MAX_LABEL_VALUE_LENGTH), 'x'.repeat(MAX_LABEL_VALUE_LENGTH)],
  ])('keeps or cleans %s', (_name, raw, expected) => {
    expect(labelValue(raw)).toBe(expected);
  });

  it('cuts a long value to a recognisable prefix and a hash that keeps distinct values apart', () => {
    const a = labelValue(`client-${'a'.repeat(10_000)}-1`);
    const b = labelValue(`client-${'a'.repeat(10_000)}-2`);
    expect(a).toHaveLength(MAX_LABEL_VALUE_LENGTH);
    expect(a).toMatch(/^client-a+…[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(labelValue(`client-${'a'.repeat(10_000)}-1`)).toBe(a);
  });

  it('does not split a surrogate pair at the cut', () => {
    const cut = labelValue(`${'x'.repeat(MAX_LABEL_VALUE_LENGTH - 10)}😀${'y'.repeat(100)}`);
    expect(cut).toMatch(/x…[0-9a-f]{8}$/);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

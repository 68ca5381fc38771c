import { describe, expect, it } from 'vitest';
import {
  CARDINALITY_DEFAULTS,
  createValueCap,
  OVERFLOW_VALUE,
  resolveCardinalityLimits,
} from '../../src/metrics/cardinality.js';

describe('createValueCap', () => {
  it('admits the first values up to the cap, then folds new ones into __other__', () => {
    const cap = createValueCap('messaging_destination_name', 2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => cap.admit(v))).toEqual([
      'a',
      'b',
      OVERFLOW_VALUE,
      'a',
      OVERFLOW_VALUE,
      'b',
    ]);
    expect(cap.size).toBe(2);
  });

  it('folds everything with a cap of 0', () => {
    expect(createValueCap('messaging_client_id', 0).admit('app')).toBe(OVERFLOW_VALUE);
  });

  it.each([-1, 1.5, Number.NaN])('rejects a cap of %s, naming the label', (max) => {
    expect(() => createValueCap('server_address', max)).toThrow(/Invalid cardinality cap for server_address/);
  });
});

describe('resolveCardinalityLimits', () => {
  it('merges user caps over the frozen defaults', () => {
    expect(resolveCardinalityLimits({ topics: 10 })).toEqual({ ...CARDINALITY_DEFAULTS, topics: 10 });
    expect(Object.isFrozen(CARDINALITY_DEFAULTS)).toBe(true);
  });

  it.each([
    [{ brokers: -3 }, 'Invalid cardinality limit brokers: -3'],
    [{ clientIds: 2.5 }, 'Invalid cardinality limit clientIds: 2.5'],
  ])('rejects %j', (limits, message) => {
    expect(() => resolveCardinalityLimits(limits)).toThrow(message);
  });
});

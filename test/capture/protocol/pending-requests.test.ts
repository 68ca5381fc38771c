import { describe, expect, it } from 'vitest';
import { createPendingRequests } from '../../../src/capture/protocol/pending-requests.js';

describe('createPendingRequests', () => {
  it('matches responses to requests in order', () => {
    const pending = createPendingRequests(4);
    pending.push(1, 3, 6);
    pending.push(2, 0, 7);
    expect(pending.take(1)).toBe(true);
    expect([pending.apiKey, pending.apiVersion]).toEqual([3, 6]);
    expect(pending.take(2)).toBe(true);
    expect([pending.apiKey, pending.apiVersion]).toEqual([0, 7]);
    expect(pending.size).toBe(0);
  });

  it('drops the requests a response skips over (acks=0 produces get no response)', () => {
    const pending = createPendingRequests(8);
    for (let id = 10; id < 15; id++) pending.push(id, id === 14 ? 3 : 0, 7);
    expect(pending.take(14)).toBe(true);
    expect(pending.apiKey).toBe(3);
    expect(pending.size).toBe(0);
  });

  it('leaves the queue unchanged for an unknown correlation id', () => {
    const pending = createPendingRequests(8);
    pending.push(1, 3, 6);
    expect(pending.take(99)).toBe(false);
    expect(pending.size).toBe(1);
    expect(pending.take(1)).toBe(true);
  });

  it('stays bounded by evicting the oldest request', () => {
    const pending = createPendingRequests(3);
    for (let id = 0; id < 10; id++) pending.push(id, 0, 3);
    expect(pending.size).toBe(3);
    expect(pending.take(6)).toBe(false);
    expect(pending.take(7)).toBe(true);
  });

  it.each([0, -1, 1.5])('rejects capacity %s', (capacity) => {
    expect(() => createPendingRequests(capacity)).toThrow(`Invalid pending-request capacity: ${capacity}`);
  });
});

// A tiny stand-in registry and classifier for recorder and sink tests, until src/codes lands.
import type { Classification, Classifier, ErrorCategory, ErrorCodeEntry } from '../../src/codes/types.js';

const ROWS: [number, string, ErrorCategory, boolean, string, string][] = [
  [
    -1,
    'UNKNOWN_SERVER_ERROR',
    'non_retriable',
    false,
    'The server experienced an unexpected error.',
    'Check broker logs.',
  ],
  [0, 'NONE', 'success', false, 'No error.', 'None.'],
  [
    3,
    'UNKNOWN_TOPIC_OR_PARTITION',
    'retriable',
    true,
    'This server does not host this topic-partition.',
    'Refresh metadata and retry with backoff.',
  ],
  [
    6,
    'NOT_LEADER_OR_FOLLOWER',
    'retriable',
    true,
    'This server is not the leader for that topic-partition.',
    'Refresh metadata "now", then retry.',
  ],
  [7, 'REQUEST_TIMED_OUT', 'retriable', true, 'The request timed out.', 'Retry with backoff.'],
  [
    13,
    'NETWORK_EXCEPTION',
    'retriable',
    true,
    'The server disconnected before a response was received.',
    'Reconnect and retry.',
  ],
  [
    29,
    'TOPIC_AUTHORIZATION_FAILED',
    'non_retriable',
    false,
    'Topic authorization failed.',
    'Fix ACLs.\nThen restart.',
  ],
  [
    47,
    'INVALID_PRODUCER_EPOCH',
    'fatal',
    false,
    'Producer attempted to produce with an old epoch.',
    'Close the producer.',
  ],
];

export const STAND_IN_CODES: readonly ErrorCodeEntry[] = ROWS.map(
  ([code, name, category, retriable, description, recovery]) => ({
    code,
    name,
    category,
    retriable,
    description,
    recovery,
    section: 'test',
    since: '0.8.0',
    pattern: null,
    upstreamRetriable: null,
    upstreamNote: null,
  }),
);

/** Classifies like the contract: registry entries, overrides, unknown codes capped at `unknownCap`. */
export function standInClassifier(overrides: Record<number, ErrorCategory> = {}, unknownCap = 2): Classifier {
  const known = new Map<number, Classification>();
  for (const e of STAND_IN_CODES) {
    const category = overrides[e.code] ?? e.category;
    const retriable = category === 'retriable';
    known.set(
      e.code,
      Object.freeze({
        code: e.code,
        codeLabel: String(e.code),
        name: e.name,
        category,
        retriable,
        retriableLabel: retriable ? 'true' : 'false',
        known: true,
      }),
    );
  }
  const unknown = new Set<number>();
  const listeners: ((code: number, message: string | undefined) => void)[] = [];
  return {
    classify(code, errorMessage) {
      const hit = known.get(code);
      if (hit) return hit;
      if (!unknown.has(code) && unknown.size < unknownCap) {
        unknown.add(code);
        for (const l of listeners) l(code, errorMessage);
      }
      return {
        code,
        codeLabel: unknown.has(code) ? String(code) : 'other',
        name: 'UNKNOWN_ERROR_CODE',
        category: 'non_retriable',
        retriable: false,
        retriableLabel: 'false',
        known: false,
      };
    },
    onUnknownCode(listener) {
      listeners.push(listener);
      return () => void listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}

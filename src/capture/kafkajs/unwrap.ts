// Turns an error kafkajs handed to the application into the code and origin its labels carry (docs/metrics.md).
//
// kafkajs wraps the broker's error on its way out: retries exhausted (`KafkaJSNumberOfRetriesExceeded`,
// `.cause`), non-retriable bails (`KafkaJSNonRetriableError`, `.cause`), aggregates (`KafkaJSAggregateError`,
// `.errors[]` of `KafkaJSCreateTopicError`…), per-group and per-partition results (`KafkaJSDeleteGroupsError`
// `.groups[].errorCode`, `KafkaJSDeleteTopicRecordsError` `.partitions[].error`). Its protocol table stops at
// code 88: a later code arrives as `KAFKAJS_UNKNOWN_ERROR_CODE` (-99) with the real code only in kafkajs's own
// message `Unknown error code N`. A failed SASL authentication drops the broker's type altogether.
//
// One rejected call is one operation error (docs/metrics.md: "errors that reached the application"): when an
// aggregate carries several broker codes, the first one in depth-first order is taken; the wire level has
// already counted each of them.
import type { ErrorOrigin } from '../../events.js';

/** What an application-level error is labelled with. */
export interface UnwrappedError {
  readonly origin: ErrorOrigin;
  readonly code: number;
  /** For origin `client` with code -1: the error class name (see {@link clientErrorTypeOf}). */
  readonly clientErrorType?: string;
}

/** NETWORK_EXCEPTION: the connection was lost or could not be made. */
export const NETWORK_EXCEPTION = 13;
/** REQUEST_TIMED_OUT: no response within kafkajs's requestTimeout. */
export const REQUEST_TIMED_OUT = 7;
/** SASL_AUTHENTICATION_FAILED: what a `KafkaJSSASLAuthenticationError` stood for on the wire. */
export const SASL_AUTHENTICATION_FAILED = 58;
/** UNKNOWN_SERVER_ERROR: the code of a client error that is neither a lost connection nor a timeout. */
export const UNKNOWN_SERVER_ERROR = -1;

/** kafkajs's stand-in for a code missing from its table (src/protocol/error.js `unknownErrorCode`). */
const KAFKAJS_UNKNOWN_CODE = -99;
const UNKNOWN_CODE_MESSAGE = /^Unknown error code (-?\d{1,6})$/;

const CONNECTION_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError']);
const TIMEOUT_ERRORS = new Set(['KafkaJSRequestTimeoutError']);
const SASL_ERRORS = new Set(['KafkaJSSASLAuthenticationError']);

/**
 * kafkajs type names that differ from Kafka's own error names, for the rare protocol error that carries a
 * type but no numeric code.
 */
const KAFKAJS_TYPE_ALIASES: Readonly<Record<string, number>> = {
  UNKNOWN: -1,
  NOT_LEADER_FOR_PARTITION: 6,
  GROUP_COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR_FOR_GROUP: 16,
  INVALID_TOPIC_EXCEPTION: 17,
};

/** Resolves a Kafka error name (e.g. `UNKNOWN_TOPIC_OR_PARTITION`) to its code, or `undefined`. */
export type NameLookup = (name: string) => number | undefined;

/** Bounds the walk: kafkajs nests two or three levels; a cyclic or hostile object must not hang us. */
const MAX_NODES = 64;

type Node = Record<string, unknown>;

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null;
}

/** The broker code a single node carries itself, if any. */
function ownBrokerCode(node: Node, lookupName: NameLookup | undefined): number | undefined {
  const { code, type, errorCode } = node;
  // Only kafkajs's own protocol errors: an application error may well have a `type` and a numeric `code`.
  const kafkajs = nameOf(node)?.startsWith('KafkaJS') === true;
  if (kafkajs && typeof type === 'string' && typeof code === 'number' && Number.isInteger(code)) {
    if (code !== KAFKAJS_UNKNOWN_CODE) return code;
    const match = typeof node.message === 'string' ? UNKNOWN_CODE_MESSAGE.exec(node.message) : null;
    return match ? Number(match[1]) : undefined;
  }
  if (kafkajs && typeof type === 'string' && code === undefined) {
    return KAFKAJS_TYPE_ALIASES[type] ?? lookupName?.(type);
  }
  // DeleteGroups results: plain `{ groupId, errorCode, error }` objects, never Errors.
  if (
    !(node instanceof Error) &&
    typeof errorCode === 'number' &&
    Number.isInteger(errorCode) &&
    errorCode !== 0
  )
    return errorCode;
  return undefined;
}

/** The nested errors kafkajs wraps, in the order a reader of the error would meet them. */
function children(node: Node): unknown[] {
  const out: unknown[] = [];
  if (node.cause !== undefined) out.push(node.cause);
  if (node.originalError !== undefined) out.push(node.originalError);
  for (const key of ['errors', 'groups', 'partitions'] as const) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      out.push(item);
      // Per-partition and per-group entries hold the protocol error under `.error`.
      if (isObject(item) && item.error !== undefined) out.push(item.error);
    }
  }
  return out;
}

function nameOf(node: Node): string | undefined {
  const name = node.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Classifies an error that reached the application. Pure and total: any input (not even an Error) gives an
 * answer, and nothing here throws for a well-formed or malformed error object.
 */
export function unwrapKafkaError(error: unknown, lookupName?: NameLookup): UnwrappedError {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let sasl = false;
  let connection = false;
  let timeout = false;
  // The innermost error along the `.cause` chain names a client error best (the wrapper's class says only
  // "retries exhausted").
  let innermost: Node | undefined;
  while (queue.length > 0 && seen.size < MAX_NODES) {
    const node = queue.shift();
    if (!isObject(node) || seen.has(node)) continue;
    seen.add(node);
    const code = ownBrokerCode(node, lookupName);
    if (code !== undefined) return { origin: 'broker', code };
    const name = nameOf(node);
    if (name !== undefined) {
      if (SASL_ERRORS.has(name)) sasl = true;
      else if (CONNECTION_ERRORS.has(name)) connection = true;
      else if (TIMEOUT_ERRORS.has(name)) timeout = true;
    }
    if (node instanceof Error || name !== undefined) innermost = node;
    queue.push(...children(node));
  }
  if (sasl) return { origin: 'broker', code: SASL_AUTHENTICATION_FAILED };
  if (connection) return { origin: 'client', code: NETWORK_EXCEPTION };
  if (timeout) return { origin: 'client', code: REQUEST_TIMED_OUT };
  return {
    origin: 'client',
    code: UNKNOWN_SERVER_ERROR,
    clientErrorType: clientErrorTypeOf(innermost ?? error),
  };
}

const CLASS_NAME = /^[A-Za-z_$][\w$]{0,63}$/;

/**
 * The class name an error is labelled with: its `name` when it looks like an identifier, else its
 * constructor's name, else `Error` (a thrown string, a `null`…). Never the message.
 */
export function clientErrorTypeOf(error: unknown): string {
  if (!isObject(error)) return 'Error';
  const name = nameOf(error);
  if (name !== undefined && CLASS_NAME.test(name)) return name;
  const ctor = (error as { constructor?: { name?: unknown } }).constructor;
  const ctorName = typeof ctor === 'function' ? ctor.name : undefined;
  return typeof ctorName === 'string' && CLASS_NAME.test(ctorName) ? ctorName : 'Error';
}

// Wraps the methods of kafkajs producers, consumers and admins so that each rejected call is reported once.
//
// kafkajs builds these objects from closures: its own code never calls back through the object's properties,
// so replacing a property sees exactly the application's calls. The wrapper returns the original's result
// when it is not a promise, and otherwise a promise settling with the very same value or rejection reason
// (the error object is re-thrown unchanged); an application that leaves a rejection unhandled still gets
// Node's unhandled-rejection behaviour.
import type { OperationName } from '../../events.js';
import type { OperationErrorReporter } from './operation-errors.js';
import type { SafeCall } from './safe-call.js';

/** What the wrappers need: where to report, and the guard for our own work. */
export interface ClientMethodsContext {
  readonly report: OperationErrorReporter;
  readonly safeCall: SafeCall;
}

/** Puts the original methods back (only those still holding our wrapper). */
export type Restore = () => void;

type AnyFunction = (...args: unknown[]) => unknown;
type MethodTable = Readonly<Record<string, OperationName>>;

const PRODUCER_METHODS: MethodTable = {
  connect: 'connect',
  disconnect: 'disconnect',
  send: 'send',
  sendBatch: 'send_batch',
  transaction: 'transaction',
};

const TRANSACTION_METHODS: MethodTable = {
  send: 'send',
  sendBatch: 'send_batch',
  commit: 'transaction',
  abort: 'transaction',
  sendOffsets: 'transaction',
};

const CONSUMER_METHODS: MethodTable = {
  connect: 'connect',
  disconnect: 'disconnect',
  stop: 'disconnect',
  subscribe: 'subscribe',
  run: 'consume',
  commitOffsets: 'commit',
  describeGroup: 'admin',
};

const ADMIN_LIFECYCLE: MethodTable = { connect: 'connect', disconnect: 'disconnect' };
/** Admin members that are not broker calls. */
const ADMIN_SKIP = new Set(['on', 'logger', 'events']);

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Replaces `target[key]` with a reporting wrapper; `onValue` sees each fulfilled value (guarded). */
function wrapMethod(
  target: Record<string, unknown>,
  key: string,
  operation: OperationName,
  ctx: ClientMethodsContext,
  onValue?: (value: unknown) => void,
): Restore | undefined {
  const original = target[key];
  if (typeof original !== 'function') return undefined;
  const fn = original as AnyFunction;
  const rejected = (error: unknown): never => {
    ctx.report(error, operation);
    throw error;
  };
  const fulfilled =
    onValue === undefined
      ? undefined
      : (value: unknown): unknown => {
          ctx.safeCall('instrument', () => onValue(value));
          return value;
        };
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      return rejected(error);
    }
    return isPromiseLike(result) ? result.then(fulfilled, rejected) : result;
  };
  Object.defineProperty(wrapper, 'name', { value: fn.name });
  target[key] = wrapper;
  return () => {
    if (target[key] === wrapper) target[key] = original;
  };
}

function wrapAll(target: object, table: MethodTable, ctx: ClientMethodsContext): Restore {
  const restores: Restore[] = [];
  for (const [key, operation] of Object.entries(table)) {
    const restore = wrapMethod(target as Record<string, unknown>, key, operation, ctx);
    if (restore) restores.push(restore);
  }
  return () => restores.forEach((restore) => restore());
}

/** Reports rejected producer calls, including the calls on each transaction it begins. */
export function instrumentProducer(producer: object, ctx: ClientMethodsContext): Restore {
  const restores: Restore[] = [];
  for (const [key, operation] of Object.entries(PRODUCER_METHODS)) {
    const onValue =
      key === 'transaction'
        ? (transaction: unknown): void => {
            if (typeof transaction === 'object' && transaction !== null) {
              wrapAll(transaction, TRANSACTION_METHODS, ctx);
            }
          }
        : undefined;
    const restore = wrapMethod(producer as Record<string, unknown>, key, operation, ctx, onValue);
    if (restore) restores.push(restore);
  }
  return () => restores.forEach((restore) => restore());
}

interface EventSource {
  on?: (event: string, listener: (event: { payload?: { error?: unknown } }) => void) => unknown;
  events?: { CRASH?: string };
}

/** Reports rejected consumer calls and every consumer crash (kafkajs's CRASH instrumentation event). */
export function instrumentConsumer(consumer: object, ctx: ClientMethodsContext): Restore {
  const restoreMethods = wrapAll(consumer, CONSUMER_METHODS, ctx);
  const source = consumer as EventSource;
  const crash = source.events?.CRASH;
  let removeListener: unknown;
  if (typeof source.on === 'function' && typeof crash === 'string') {
    removeListener = ctx.safeCall('instrument', () =>
      source.on?.call(consumer, crash, (event) => {
        const error = ctx.safeCall('operation_error', () => event.payload?.error);
        ctx.report(error, 'consume');
      }),
    );
  }
  return () => {
    restoreMethods();
    if (typeof removeListener === 'function')
      ctx.safeCall('instrument', () => (removeListener as () => void)());
  };
}

/** Reports rejected admin calls: `connect`/`disconnect` as such, every other broker call as `admin`. */
export function instrumentAdmin(admin: object, ctx: ClientMethodsContext): Restore {
  const table: Record<string, OperationName> = {};
  for (const [key, value] of Object.entries(admin)) {
    if (typeof value !== 'function' || ADMIN_SKIP.has(key)) continue;
    table[key] = ADMIN_LIFECYCLE[key] ?? 'admin';
  }
  return wrapAll(admin, table, ctx);
}

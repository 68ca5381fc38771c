// Instruments an existing kafkajs `Kafka` instance: its producer/consumer/admin factories, and its wire.
//
// A `Kafka` instance fixes its socketFactory at construction, so an instance the application already built
// cannot be given ours through configuration. kafkajs 2.x keeps the factory in its private cluster builder:
// `Kafka[Symbol(private:Kafka:createCluster)]` builds a `Cluster` per producer/consumer/admin, whose
// `connectionPoolBuilder.build()` makes every broker connection pool, whose connections read
// `connection.socketFactory` when they dial. We wrap those two functions and swap each new connection's
// factory for ours before it dials. Every step checks the shape it expects; where kafkajs differs, the wire
// level is skipped (counted as a capture failure of kind `instrument`, logged once) and the application level
// still works. Producers, consumers and admins created before `instrument()` are not captured.
import type { OperationErrorReporter } from './operation-errors.js';
import type { Restore } from './client-methods.js';
import type { SafeCall } from './safe-call.js';
import { instrumentAdmin, instrumentConsumer, instrumentProducer } from './client-methods.js';

/** Wraps a kafkajs socket factory for one client.id (the wire level). */
export type SocketFactoryWrapper = (factory: unknown, clientId: string) => unknown;

export interface KafkaInstanceOptions {
  readonly report: OperationErrorReporter;
  readonly safeCall: SafeCall;
  /** Omit to capture the application level only. */
  readonly wrapSocketFactory?: SocketFactoryWrapper;
  /** Called with the instance's client.id as soon as it is known. */
  readonly onClientId?: (clientId: string) => void;
}

const CREATE_CLUSTER = 'private:Kafka:createCluster';
/** Marks a connection whose factory is already ours, so that a pool rebuilt around it is not wrapped twice. */
const WRAPPED = Symbol('kafka-error-exporter:wrapped');

type Fn = (...args: unknown[]) => unknown;
type Bag = Record<PropertyKey, unknown>;

function isBag(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null;
}

/** A pool's client.id as its connections use it (kafkajs defaults it to `kafkajs` in the connection). */
function poolClientId(pool: Bag): string | undefined {
  const first: unknown = Array.isArray(pool.pool) ? pool.pool[0] : undefined;
  const id = isBag(first) ? first.clientId : pool.clientId;
  return typeof id === 'string' ? id : undefined;
}

/** Sets `target[key] = value` and returns how to undo it (only if nobody replaced it since). */
function replace(target: Bag, key: PropertyKey, value: unknown): Restore {
  const own = Object.prototype.hasOwnProperty.call(target, key);
  const previous = target[key];
  target[key] = value;
  return () => {
    if (target[key] !== value) return;
    if (own) target[key] = previous;
    else delete target[key];
  };
}

/** Patches `instance` in place; the returned function undoes every patch. */
export function instrumentKafkaInstance(instance: object, options: KafkaInstanceOptions): Restore {
  const { report, safeCall, wrapSocketFactory, onClientId } = options;
  const kafka = instance as Bag;
  const ctx = { report, safeCall };
  const restores: Restore[] = [];

  const wrapPool = (pool: unknown): void => {
    if (!isBag(pool)) throw new TypeError('kafkajs connection pool has an unexpected shape');
    const clientId = poolClientId(pool);
    if (clientId !== undefined) onClientId?.(clientId);
    if (wrapSocketFactory === undefined) return;
    const connections = pool.pool;
    if (!Array.isArray(connections)) throw new TypeError('kafkajs connection pool has no connections');
    for (const connection of connections) {
      if (!isBag(connection) || connection[WRAPPED] === true) continue;
      if (typeof connection.socketFactory !== 'function' || typeof connection.clientId !== 'string') {
        throw new TypeError('kafkajs connection has no socketFactory');
      }
      connection.socketFactory = wrapSocketFactory(connection.socketFactory, connection.clientId);
      connection[WRAPPED] = true;
    }
  };

  const wrapCluster = (cluster: unknown): void => {
    const builder = isBag(cluster) ? cluster.connectionPoolBuilder : undefined;
    if (!isBag(builder) || typeof builder.build !== 'function') {
      throw new TypeError('kafkajs cluster has no connectionPoolBuilder.build');
    }
    const build = builder.build as Fn;
    builder.build = function (this: unknown, ...args: unknown[]): unknown {
      const built = build.apply(this, args);
      if (built instanceof Promise) {
        return built.then((pool: unknown) => {
          safeCall('instrument', () => wrapPool(pool));
          return pool;
        });
      }
      safeCall('instrument', () => wrapPool(built));
      return built;
    };
  };

  const createClusterKey = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const createCluster = createClusterKey === undefined ? undefined : kafka[createClusterKey];
  if (createClusterKey !== undefined && typeof createCluster === 'function') {
    const original = createCluster as Fn;
    restores.push(
      replace(kafka, createClusterKey, function (this: unknown, ...args: unknown[]): unknown {
        const cluster = original.apply(this, args);
        safeCall('instrument', () => wrapCluster(cluster));
        return cluster;
      }),
    );
    // Learn the client.id now rather than at the first connection: a throwaway cluster's builder makes a
    // pool object without dialling (no socket is opened before `connect()`).
    safeCall('instrument', () => {
      const probe = original.call(kafka, {}) as Bag;
      const builder = probe.connectionPoolBuilder as Bag;
      const pending = (builder.build as Fn)({ host: '127.0.0.1', port: 9 }) as Promise<Bag>;
      pending.then(
        (pool) =>
          safeCall('instrument', () => {
            const clientId = poolClientId(pool);
            if (clientId !== undefined) onClientId?.(clientId);
          }),
        () => undefined,
      );
    });
  } else {
    safeCall('instrument', () => {
      throw new TypeError('kafkajs Kafka instance has no private createCluster: wire level skipped');
    });
  }

  const factories: ReadonlyArray<readonly [string, (client: object, c: typeof ctx) => Restore]> = [
    ['producer', instrumentProducer],
    ['consumer', instrumentConsumer],
    ['admin', instrumentAdmin],
  ];
  for (const [name, instrumentClient] of factories) {
    const factory = kafka[name];
    if (typeof factory !== 'function') continue;
    const original = factory as Fn;
    restores.push(
      replace(kafka, name, function (this: unknown, ...args: unknown[]): unknown {
        const client = original.apply(this, args);
        if (isBag(client)) safeCall('instrument', () => instrumentClient(client, ctx));
        return client;
      }),
    );
  }
  return () => restores.forEach((restore) => restore());
}

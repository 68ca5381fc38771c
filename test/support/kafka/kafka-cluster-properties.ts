// The server.properties of one node of the multi-node KRaft test cluster: a controller or a broker.
import { SHARED_SERVER_PROPERTIES, formatProperties } from './kafka-server-properties.js';

/** `controller`: a dedicated KRaft quorum member, no client listener. `broker`: a broker only. */
export type ClusterNodeRole = 'controller' | 'broker';

export interface ClusterNodePropertiesInput {
  readonly role: ClusterNodeRole;
  readonly nodeId: number;
  readonly dataDir: string;
  /** The node's one listener: CONTROLLER for a controller, PLAINTEXT (clients and replication) for a broker. */
  readonly port: number;
  /** `controller.quorum.voters`, e.g. `9990@127.0.0.1:40123`. */
  readonly quorumVoters: string;
  /** Replication factor of `__consumer_offsets`, `__transaction_state` and the share-group state topic. */
  readonly internalReplicationFactor: number;
  /** Appended last, so it overrides the defaults. */
  readonly extra?: Readonly<Record<string, string>>;
}

const CONTROLLER_ONLY = ['num.partitions', 'default.replication.factor'];

function roleProperties(input: ClusterNodePropertiesInput): Record<string, string> {
  const controller = {
    'process.roles': input.role,
    'node.id': String(input.nodeId),
    'controller.quorum.voters': input.quorumVoters,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  };
  if (input.role === 'controller') {
    return { ...controller, listeners: `CONTROLLER://127.0.0.1:${input.port}` };
  }
  const client = `PLAINTEXT://127.0.0.1:${input.port}`;
  return {
    ...controller,
    listeners: client,
    'advertised.listeners': client,
    'inter.broker.listener.name': 'PLAINTEXT',
  };
}

/**
 * Renders one node's server.properties: the single-node broker's shared settings, then the node's role,
 * listener and quorum, then replication settings for several brokers, then `extra`.
 */
export function renderClusterNodeProperties(input: ClusterNodePropertiesInput): string {
  const rf = input.internalReplicationFactor;
  // Two in-sync replicas where there are three, so a transaction survives one broker being killed.
  const minIsr = String(Math.max(1, Math.min(2, rf - 1)));
  const shared: Record<string, string> = { ...SHARED_SERVER_PROPERTIES };
  if (input.role === 'broker') {
    // Topic defaults are the controller's to apply; a broker that has them logs a warning at every start.
    for (const key of CONTROLLER_ONLY) delete shared[key];
  }
  return formatProperties({
    ...shared,
    ...roleProperties(input),
    'log.dirs': input.dataDir,
    'offsets.topic.replication.factor': String(rf),
    'transaction.state.log.replication.factor': String(rf),
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': String(rf),
    'share.coordinator.state.topic.min.isr': minIsr,
    // A SIGKILLed broker's registration lingers until its session expires, and a restart with the same id
    // is refused until then (DUPLICATE_BROKER_REGISTRATION): 6 s instead of 9 s, heartbeats every second.
    'broker.heartbeat.interval.ms': '1000',
    'broker.session.timeout.ms': '6000',
    ...input.extra,
  });
}

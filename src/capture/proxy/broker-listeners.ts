// One local listener per upstream broker, opened the moment the proxy learns of the broker.
//
// Ports are deterministic: node id `n` listens on `basePort + n` when `n < portCount`; any other node id (KRaft
// ids can be any int32) takes the highest free port of the range, in the order the proxy learns of them. A node
// that finds no free port is a counted error: its address is rewritten to port 0, which no client can dial, so
// that a client fails loudly rather than bypassing the proxy. A port that fails to bind (held by another process)
// is skipped: the node takes the next free port.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { NodeAddress, NodeAddressBook } from './address-rewrite.js';

export interface BrokerListenersOptions {
  /** The address the listeners bind (an IP literal binds at once, before the rewritten response is sent). */
  readonly listenHost: string;
  /** The host clients are told to dial. */
  readonly advertisedHost: string;
  readonly basePort: number;
  readonly portCount: number;
  /** A client connected to node `nodeId`'s listener. */
  readonly onConnection: (socket: Socket, nodeId: number) => void;
  /** A listener could not be opened, or a node got no port. */
  readonly onProblem: (problem: 'listen_failed' | 'no_port', detail: Record<string, unknown>) => void;
  /** A listener opened or closed (for the listener gauge). */
  readonly onListenerCount: (delta: number) => void;
}

interface Node {
  upstream: NodeAddress;
  readonly port: number;
  readonly server: Server;
}

/** The listeners, and the address book the rewriters use. */
export interface BrokerListeners extends NodeAddressBook {
  /** The upstream address last learnt for a node, if any. */
  upstreamOf(nodeId: number): NodeAddress | undefined;
  /** Node id → local port, for logs and tests. */
  ports(): ReadonlyMap<number, number>;
  /** Stops accepting connections on every broker listener (open connections are left to their owner). */
  close(): void;
}

class Listeners implements BrokerListeners {
  private readonly nodes = new Map<number, Node>();
  private readonly usedPorts = new Set<number>();
  private readonly unmapped = new Set<number>();
  private closed = false;

  constructor(private readonly options: BrokerListenersOptions) {}

  proxyAddressOf(nodeId: number, upstream: NodeAddress): NodeAddress {
    const known = this.nodes.get(nodeId);
    if (known !== undefined) {
      known.upstream = upstream;
      return { host: this.options.advertisedHost, port: known.port };
    }
    const port = this.closed ? undefined : this.assignPort(nodeId);
    if (port === undefined) {
      if (!this.unmapped.has(nodeId)) {
        this.unmapped.add(nodeId);
        this.options.onProblem('no_port', {
          nodeId,
          range: `${this.options.basePort}-${this.options.basePort + this.options.portCount - 1}`,
        });
      }
      return { host: this.options.advertisedHost, port: 0 };
    }
    const server = createServer((socket) => this.options.onConnection(socket, nodeId));
    server.on('error', (error: NodeJS.ErrnoException) => this.listenFailed(nodeId, server, port, error));
    server.on('listening', () => this.options.onListenerCount(1));
    server.on('close', () => this.options.onListenerCount(-1));
    server.listen(port, this.options.listenHost);
    this.nodes.set(nodeId, { upstream, port, server });
    this.usedPorts.add(port);
    return { host: this.options.advertisedHost, port };
  }

  /**
   * The bind failed (a port another process holds): the port stays blocked and the node moves to the next free
   * one at once, so the next Metadata response a client gets names a port that works. Clients told the failed
   * port meanwhile cannot connect, and ask again, as after a broker restart.
   */
  private listenFailed(nodeId: number, server: Server, port: number, error: NodeJS.ErrnoException): void {
    this.options.onProblem('listen_failed', { nodeId, port, code: error.code });
    const node = this.nodes.get(nodeId);
    if (server.listening || node?.server !== server) return;
    this.nodes.delete(nodeId);
    if (!this.closed) this.proxyAddressOf(nodeId, node.upstream);
  }

  private assignPort(nodeId: number): number | undefined {
    const { basePort, portCount } = this.options;
    if (nodeId >= 0 && nodeId < portCount && !this.usedPorts.has(basePort + nodeId)) return basePort + nodeId;
    for (let port = basePort + portCount - 1; port >= basePort; port--) {
      if (!this.usedPorts.has(port)) return port;
    }
    return undefined;
  }

  upstreamOf(nodeId: number): NodeAddress | undefined {
    return this.nodes.get(nodeId)?.upstream;
  }

  ports(): ReadonlyMap<number, number> {
    return new Map([...this.nodes].map(([id, node]) => [id, node.port]));
  }

  close(): void {
    this.closed = true;
    // server.close() stops accepting at once; its callback would wait for every open connection to end.
    for (const node of this.nodes.values()) if (node.server.listening) node.server.close();
  }
}

export function createBrokerListeners(options: BrokerListenersOptions): BrokerListeners {
  return new Listeners(options);
}

// One local listener per upstream broker, opened the moment the proxy learns of the broker.
//
// Ports are deterministic: node id `n` listens on `basePort + n` when `n < portCount`; any other node id (KRaft
// ids can be any int32) takes the highest free port of the range, in the order the proxy learns of them. A node
// that finds no free port is a counted error: its address is rewritten to port 0, which no client can dial, so
// that a client fails loudly rather than bypassing the proxy. A port that fails to bind (held by another process)
// is skipped: the node takes the next free port.
//
// Node binds a listener on the next tick, not in `listen()`: a rewritten response written at once could reach a
// fast client before its listener exists (a refused connection). `whenBound()` lets the sender wait, and `moves`
// tells it that an address it wrote names a port that failed to bind.
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
  /** A listening socket failed to accept a connection (EMFILE): it keeps listening. */
  readonly onAcceptError: (nodeId: number, error: NodeJS.ErrnoException) => void;
  /** A listener opened or closed (for the listener gauge). */
  readonly onListenerCount: (delta: number) => void;
}

interface Node {
  upstream: NodeAddress;
  readonly port: number;
  readonly server: Server;
}

/** Whether the addresses handed out so far are served yet. */
export interface ListenerBinding {
  /**
   * Resolves once every listener opened so far is bound, or failed and its node moved on (and that one bound);
   * null when none is binding.
   */
  whenBound(): Promise<void> | null;
  /** How often a node moved to another port: an address handed out before a move may name a dead port. */
  readonly moves: number;
}

/** The listeners, and the address book the rewriters use. */
export interface BrokerListeners extends NodeAddressBook, ListenerBinding {
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
  /** Listeners whose bind has not happened yet (it happens on the next tick). */
  private readonly binding = new Set<Server>();
  private boundWaiters: (() => void)[] = [];
  private closed = false;
  moves = 0;

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
    server.on('error', (error: NodeJS.ErrnoException) => this.serverError(nodeId, server, port, error));
    let counted = false;
    server.on('listening', () => {
      counted = true;
      this.options.onListenerCount(1);
      this.settled(server);
    });
    server.on('close', () => {
      if (counted) this.options.onListenerCount(-1);
    });
    this.binding.add(server);
    server.listen(port, this.options.listenHost);
    this.nodes.set(nodeId, { upstream, port, server });
    this.usedPorts.add(port);
    return { host: this.options.advertisedHost, port };
  }

  /**
   * A listener's error. Once listening, a failed accept (out of file descriptors): reported, it keeps listening.
   * Before, a failed bind (a port another process holds): the port stays blocked and the node moves to the next
   * free one at once. A response that named the failed port is rewritten again before it is sent (see `moves`).
   */
  private serverError(nodeId: number, server: Server, port: number, error: NodeJS.ErrnoException): void {
    if (server.listening) {
      this.options.onAcceptError(nodeId, error);
      return;
    }
    this.options.onProblem('listen_failed', { nodeId, port, code: error.code });
    const node = this.nodes.get(nodeId);
    if (node?.server === server) {
      this.nodes.delete(nodeId);
      this.moves++;
      // The new listener (if any) joins `binding` before this one leaves it: waiters see the node settled.
      if (!this.closed) this.proxyAddressOf(nodeId, node.upstream);
    }
    this.settled(server);
  }

  private settled(server: Server): void {
    if (!this.binding.delete(server) || this.binding.size > 0) return;
    const waiters = this.boundWaiters;
    this.boundWaiters = [];
    for (const resolve of waiters) resolve();
  }

  whenBound(): Promise<void> | null {
    if (this.binding.size === 0) return null;
    return new Promise((resolve) => this.boundWaiters.push(resolve));
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
    // A listener still binding is closed too: close() cancels the bind.
    for (const node of this.nodes.values()) node.server.close();
    // Nothing is sent to clients any more: whoever waits for a bind goes on.
    for (const server of [...this.binding]) this.settled(server);
  }
}

export function createBrokerListeners(options: BrokerListenersOptions): BrokerListeners {
  return new Listeners(options);
}

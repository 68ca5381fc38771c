// Who holds TCP connections to which ports: read from `ss`, for the proxy's no-bypass tests.
import { execFileSync } from 'node:child_process';

export interface TcpConnection {
  readonly localPort: number;
  readonly peerPort: number;
  /** Pids of the processes holding the socket (several after a fork). */
  readonly pids: readonly number[];
}

/** Established TCP connections on loopback, with their owning pids (needs root or the same user). */
export function establishedConnections(): TcpConnection[] {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' });
  const connections: TcpConnection[] = [];
  for (const line of out.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    // Recv-Q Send-Q Local:Port Peer:Port [users:(("node",pid=123,fd=4))]
    const local = fields[2]!;
    const peer = fields[3]!;
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    connections.push({
      localPort: Number(local.slice(local.lastIndexOf(':') + 1)),
      peerPort: Number(peer.slice(peer.lastIndexOf(':') + 1)),
      pids,
    });
  }
  return connections;
}

/** The pids of client sockets connected to any of `ports`. */
export function clientsOf(ports: Iterable<number>): number[] {
  const wanted = new Set(ports);
  return establishedConnections()
    .filter((c) => wanted.has(c.peerPort))
    .flatMap((c) => c.pids);
}

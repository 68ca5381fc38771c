// Opens the proxy's connections to brokers: plain TCP, or TLS originated by the proxy (the application speaks
// plaintext to its sidecar on loopback; the sidecar speaks TLS to the cluster).
import { isIP, connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { checkServerIdentity, connect as connectTls } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import type { NodeAddress } from './address-rewrite.js';
import { reusedReadBuffer } from './read-buffer.js';
import type { ReadReceiver } from './read-buffer.js';

/** TLS to the brokers, as the proxy originates it. Certificates and keys are PEM text, never paths. */
export interface UpstreamTls {
  /** Trusted CA certificates; `undefined` uses Node's built-in roots. */
  readonly ca?: string;
  /** A client certificate (chain) and its key, for brokers that require one (`ssl.client.auth=required`). */
  readonly cert?: string;
  readonly key?: string;
  /** The name the broker certificates must carry; @default the host of each broker address. */
  readonly serverName?: string;
  /** Check the broker's certificate and name. @default true */
  readonly verify?: boolean;
}

/** Receives what a broker sends: on plain connections views of a reused read buffer (see read-buffer.ts). */
export type UpstreamReceiver = ReadReceiver;

/** Dials brokers; `ready` names the event after which bytes may flow. */
export interface UpstreamDialer {
  /** A socket to `target`; with a receiver, its bytes go there from the moment it is created. */
  dial(target: NodeAddress, receiver?: UpstreamReceiver): Socket;
  readonly ready: 'connect' | 'secureConnect';
  readonly tls: boolean;
}

export function createUpstreamDialer(tls: UpstreamTls | null): UpstreamDialer {
  if (tls === null) return { dial: dialPlain, ready: 'connect', tls: false };
  return {
    ready: 'secureConnect',
    tls: true,
    dial(target, receiver) {
      const socket = dialTls(target, tls);
      if (receiver !== undefined) socket.on('data', (chunk: Buffer) => receiver.data(chunk));
      return socket;
    },
  };
}

function dialPlain(target: NodeAddress, receiver?: UpstreamReceiver): Socket {
  if (receiver === undefined) return connectTcp({ host: target.host, port: target.port });
  return connectTcp({ host: target.host, port: target.port, onread: reusedReadBuffer(receiver) });
}

function dialTls(target: NodeAddress, tls: UpstreamTls): Socket {
  const serverName = tls.serverName ?? target.host;
  return connectTls({
    host: target.host,
    port: target.port,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    // SNI carries host names only; the certificate check still compares an IP address with its IP SANs.
    ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
    // Node's own check, against the configured name rather than the dialled host.
    checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(serverName, cert),
    rejectUnauthorized: tls.verify ?? true,
  });
}

/** A TLS failure in words an operator can act on (never the certificate's content, never a secret). */
export function describeUpstreamError(error: NodeJS.ErrnoException, tls: boolean): string {
  const code = error.code ?? 'ERROR';
  if (!tls) return code;
  const hints: Record<string, string> = {
    SELF_SIGNED_CERT_IN_CHAIN: 'the broker certificate is not signed by a trusted CA (check proxyTlsCaFile)',
    DEPTH_ZERO_SELF_SIGNED_CERT:
      'the broker certificate is self-signed and not trusted (check proxyTlsCaFile)',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      'the broker certificate is not signed by a trusted CA (check proxyTlsCaFile)',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      'the broker certificate is not signed by a trusted CA (check proxyTlsCaFile)',
    CERT_HAS_EXPIRED: 'the broker certificate has expired',
    ERR_TLS_CERT_ALTNAME_INVALID: 'the broker certificate does not name this host (check proxyTlsServerName)',
    ECONNRESET: 'the broker closed the connection during the TLS handshake (is its listener TLS?)',
  };
  return `${code}: ${hints[code] ?? error.message.split('\n')[0]!.slice(0, 200)}`;
}

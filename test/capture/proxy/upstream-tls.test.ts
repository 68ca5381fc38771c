// TLS originated by the proxy: an in-process TLS "broker" on loopback with a self-signed certificate.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:tls';
import type { Server } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaProxy } from '../../../src/capture/proxy/kafka-proxy.js';
import type { UpstreamTls } from '../../../src/capture/proxy/upstream-dialer.js';
import { DEFAULT_OPTIONS } from '../../../src/config/options.js';
import type { Logger } from '../../../src/logger.js';
import { freePortRange } from '../../support/kafka/kafka-broker.js';
import { memoryRecorder } from '../memory-recorder.js';
import { encodeResponseFrame, int16, int32, str } from '../protocol/response-encoder.js';

const CERTS = fileURLToPath(new URL('../../support/certificates/', import.meta.url));
const pem = (name: string): string => readFileSync(`${CERTS}${name}`, 'utf8');

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A TLS upstream that answers every ApiVersions v0 request with an empty list. */
async function tlsBroker(): Promise<number> {
  const server: Server = createServer({ key: pem('server.key'), cert: pem('server.crt') }, (socket) => {
    socket.on('data', (chunk: Buffer) => {
      if (chunk.length >= 12) socket.write(encodeResponseFrame(18, 0, chunk.readInt32BE(8), { ApiKeys: [] }));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  return (server.address() as AddressInfo).port;
}

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (detail: unknown, message: string) => lines.push(`${message} ${JSON.stringify(detail)}`);
  return { lines, error: log, warn: log, info: log, debug: () => {} };
}

async function proxyTo(port: number, tls: UpstreamTls) {
  const logger = capturingLogger();
  const recorder = memoryRecorder();
  const proxy = createKafkaProxy({
    upstream: [{ host: '127.0.0.1', port }],
    upstreamTls: tls,
    bootstrapPort: 0,
    brokerBasePort: await freePortRange(5),
    brokerPortCount: 5,
    maxConnections: DEFAULT_OPTIONS.proxyMaxConnections,
    recorder,
    tap: { topicLabel: false, isKnownCode: () => true, maxFrameBytes: 1 << 20, maxPendingRequests: 16 },
    metadataRefreshMs: 0,
    logger,
  });
  const { port: listen } = await proxy.start();
  open.push({ close: () => proxy.close(0) });
  return { proxy, listen, logger, recorder };
}

/** ApiVersions v0 through the proxy: the answer, or null when the proxy closed the connection. */
async function apiVersions(port: number): Promise<Buffer | null> {
  const socket = connect({ host: '127.0.0.1', port });
  open.push({ close: () => socket.destroy() });
  const rest = Buffer.concat([int16(18), int16(0), int32(7), str('tls-client')]);
  socket.write(Buffer.concat([int32(rest.length), rest]));
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk));
    socket.once('close', () => resolve(null));
  });
}

describe('TLS to the cluster, originated by the proxy', () => {
  it('speaks TLS upstream to a broker whose certificate the configured CA signed, plaintext to the client', async () => {
    const { listen, proxy, recorder } = await proxyTo(await tlsBroker(), { ca: pem('server.crt') });
    const answer = await apiVersions(listen);
    expect(answer?.readInt32BE(4)).toBe(7);
    expect(proxy.ready).toBe(true);
    expect(recorder.responseCounts()).toEqual({ ApiVersions: 1 });
  });

  it('refuses a broker whose certificate no configured CA signed, and says why', async () => {
    const { listen, proxy, logger, recorder } = await proxyTo(await tlsBroker(), { ca: pem('a.crt') });
    expect(await apiVersions(listen)).toBeNull();
    expect(proxy.ready).toBe(false);
    expect(logger.lines.join('\n')).toMatch(
      /cannot connect to a broker.*(not signed by a trusted CA|self-signed and not trusted) \(check proxyTlsCaFile\)/,
    );
    expect(recorder.operationErrors).toEqual([
      { clientId: 'tls-client', operation: 'connect', origin: 'client', code: 13 },
    ]);
  });

  it('checks the broker name against the configured server name', async () => {
    const { listen, logger } = await proxyTo(await tlsBroker(), {
      ca: pem('server.crt'),
      serverName: 'kafka.example',
    });
    expect(await apiVersions(listen)).toBeNull();
    expect(logger.lines.join('\n')).toMatch(
      /ERR_TLS_CERT_ALTNAME_INVALID: the broker certificate does not name this host/,
    );
  });
});

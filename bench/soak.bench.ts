// Soak: resident memory after one million recorded events against after the first 10,000 (target: under 10%
// growth), for the capture path of an instrumented client and for `serve` proxying to a broker. Bounded labels:
// a steady application. The broker here is hand-built (it answers Produce with known error codes) so that one
// million responses take seconds; the real-broker proxy figures are the proxy bench's.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePortRange } from '../test/support/kafka/kafka-broker.js';
import { produceRequest, produceResponse } from './soak/frames.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOTAL = 1_000_000;
const BATCH = 1_000;
const TARGET = 0.1;

interface Soak {
  readonly name: string;
  readonly early: number;
  readonly late: number;
}

function captureSoak(): Promise<Soak> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/soak/capture-soak.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`capture soak exited ${code}`));
      const { early, late } = JSON.parse(out) as { early: number; late: number };
      resolve({ name: 'instrumented client (capture, recorder, prom-client sink)', early, late });
    });
  });
}

/** A broker stand-in: answers each Produce with its error code, never answers anything else. */
async function fakeBroker(): Promise<{ port: number; close(): void }> {
  const server = createServer((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      let at = 0;
      while (pending.length - at >= 4 && pending.length - at >= 4 + pending.readInt32BE(at)) {
        if (pending.readInt16BE(at + 4) === 0) out.push(produceResponse(pending.readInt32BE(at + 8)));
        at += 4 + pending.readInt32BE(at);
      }
      pending = pending.subarray(at);
      if (out.length > 0) socket.write(Buffer.concat(out));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

function vmRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

/** Sends `count` pipelined Produce requests and waits for their responses. */
function exchange(socket: Socket, first: number, count: number): Promise<void> {
  return new Promise((resolve) => {
    let frames = 0;
    let pending: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (pending.length - at >= 4 && pending.length - at >= 4 + pending.readInt32BE(at)) {
        at += 4 + pending.readInt32BE(at);
        frames++;
      }
      pending = pending.subarray(at);
      if (frames === count) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    const requests: Buffer[] = [];
    for (let i = 0; i < count; i++) requests.push(produceRequest(first + i));
    socket.write(Buffer.concat(requests));
  });
}

async function serveSoak(): Promise<Soak> {
  const broker = await fakeBroker();
  const listen = await freePortRange(11);
  const child = spawn(
    process.execPath,
    [
      'dist/cli/main.js',
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'error',
      '--proxy-upstream',
      `127.0.0.1:${broker.port}`,
      '--proxy-listen',
      `127.0.0.1:${listen}`,
      '--proxy-broker-ports',
      `${listen + 1}-${listen + 10}`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sockets = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<Socket>((resolve) => {
            const s = connect({ host: '127.0.0.1', port: listen }, () => resolve(s));
          }),
      ),
    );
    let early = 0;
    for (let sent = 0; sent < TOTAL; sent += BATCH * sockets.length) {
      await Promise.all(sockets.map((s, i) => exchange(s, sent + i * BATCH, BATCH)));
      if (early === 0 && sent + BATCH * sockets.length >= 10_000) early = vmRssMiB(child.pid!);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const late = vmRssMiB(child.pid!);
    for (const s of sockets) s.destroy();
    return { name: 'serve, proxying (8 connections)', early, late };
  } finally {
    child.kill('SIGTERM');
    broker.close();
  }
}

export default [];

/** The soak table: RSS after 10,000 and after 1,000,000 events, and the growth against the 10% target. */
export async function report(): Promise<{ table: string; pass: boolean }> {
  const results = [await captureSoak(), await serveSoak()];
  const rows = results.map((r) => {
    const growth = (r.late - r.early) / r.early;
    return { ...r, growth, pass: growth < TARGET };
  });
  const table = [
    '| soak (1,000,000 events, bounded labels) | RSS after 10,000 | RSS after 1,000,000 | growth | target < 10% |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.early.toFixed(1)} MiB | ${r.late.toFixed(1)} MiB | ${(r.growth * 100).toFixed(1)}% | ${r.pass ? 'ok' : 'MISSED'} |`,
    ),
  ].join('\n');
  return { table, pass: rows.every((r) => r.pass) };
}

// Both sinks' exposition of the standard event stream passes the real promtool (a child process: system project).
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { playStandardStream } from './event-stream.js';
import { SINKS } from './sink-harness.js';
import type { SinkUnderTest } from './sink-harness.js';

let open: SinkUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((sink) => sink.close()));
  open = [];
});

function promtool(exposition: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('/usr/bin/promtool', ['check', 'metrics'], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end(exposition);
  });
}

describe.each(SINKS)('%s sink', (_name, factory) => {
  it('passes promtool check metrics without a remark', async () => {
    const sink = await factory({ topicLabel: true, limits: { topics: 2 } });
    open.push(sink);
    playStandardStream(sink.recorder);
    expect(await promtool(await sink.scrape())).toEqual({ code: 0, output: '' });
  });
});

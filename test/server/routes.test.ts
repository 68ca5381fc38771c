import { describe, expect, it } from 'vitest';
import { acceptsGzip, createRoutes } from '../../src/server/routes.js';
import { BUILD, promClientMetrics, ROWS } from './support.js';

function routes(ready = true, readiness?: () => boolean) {
  let codesCalls = 0;
  const table = createRoutes({
    metrics: promClientMetrics(),
    errors: { errorSummary: () => ROWS },
    codes: {
      codes: () => {
        codesCalls++;
        return [{ code: 0, name: 'NONE' }];
      },
    },
    build: BUILD,
    ready: () => ready,
    ...(readiness === undefined ? {} : { readiness }),
    startedAt: new Date(0),
  });
  return { table, codesCalls: () => codesCalls };
}

const NO_HEADERS = { accept: undefined, acceptEncoding: undefined };

describe('the route table', () => {
  it('has exactly the documented paths, with only the probes public', () => {
    const { table } = routes();
    expect([...table.keys()].sort()).toEqual(['/', '/codes', '/healthz', '/metrics', '/readyz']);
    expect([...table].filter(([, route]) => route.public).map(([path]) => path)).toEqual([
      '/healthz',
      '/readyz',
    ]);
  });

  it('reports not ready once shutdown began, and otherwise only while a readiness check fails', async () => {
    expect((await routes(true).table.get('/readyz')!.handle(NO_HEADERS)).status).toBe(200);
    const notReady = await routes(false).table.get('/readyz')!.handle(NO_HEADERS);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toBe('shutting down\n');
    let bound = false;
    const table = routes(true, () => bound).table;
    expect(await table.get('/readyz')!.handle(NO_HEADERS)).toMatchObject({
      status: 503,
      body: 'not ready\n',
    });
    bound = true;
    expect((await table.get('/readyz')!.handle(NO_HEADERS)).status).toBe(200);
  });

  it('renders /codes once', async () => {
    const { table, codesCalls } = routes();
    const first = await table.get('/codes')!.handle(NO_HEADERS);
    await table.get('/codes')!.handle(NO_HEADERS);
    expect(JSON.parse(String(first.body))).toEqual([{ code: 0, name: 'NONE' }]);
    expect(codesCalls()).toBe(1);
  });

  it.each([
    [undefined, 'text/plain; version=0.0.4; charset=utf-8'],
    ['text/plain', 'text/plain; version=0.0.4; charset=utf-8'],
    [
      'application/openmetrics-text; version=1.0.0',
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    ],
  ])('passes Accept %s to the metrics source', async (accept, contentType) => {
    const answer = await routes().table.get('/metrics')!.handle({ accept, acceptEncoding: undefined });
    expect(answer.headers['content-type']).toBe(contentType);
  });
});

describe('acceptsGzip', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['GZIP', true],
    ['*', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['br, deflate', false],
  ])('%s → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

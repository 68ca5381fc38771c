import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_UIDS } from '../../../scripts/monitoring/dashboards/common.js';
import { lookupCode } from '../../../src/codes/registry.js';
import { METRICS } from '../../../src/metrics/names.js';
import { dashboardQueries, expand, loadDashboards } from './dashboard-queries.js';
import { startPrometheus, type RunningPrometheus } from './prometheus.js';

const RULES = join(import.meta.dirname, '..', '..', '..', 'deploy', 'prometheus', 'kafka-client.rules.yml');
const fenced = lookupCode(47);

function labels(values: Record<string, string>): string {
  return `{${Object.entries(values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** A fixed exposition: 42 responses, one fatal INVALID_PRODUCER_EPOCH, and its registry info series. */
function exposition(): string {
  if (fenced === undefined) throw new Error('registry lacks code 47');
  const broker = { messaging_client_id: 'fixture', server_address: '127.0.0.1', server_port: '9092' };
  const errorClass = {
    kafka_error_code: '47',
    error_type: fenced.name,
    kafka_error_category: fenced.category,
    kafka_error_retriable: String(fenced.retriable),
  };
  return [
    `# TYPE ${METRICS.responses.name} counter`,
    `${METRICS.responses.name}${labels({ kafka_api_name: 'Produce', ...broker })} 42`,
    `# TYPE ${METRICS.responseErrors.name} counter`,
    `${METRICS.responseErrors.name}${labels({ ...errorClass, kafka_api_name: 'Produce', ...broker })} 1`,
    `# TYPE ${METRICS.errorCodeInfo.name} gauge`,
    `${METRICS.errorCodeInfo.name}${labels({
      ...errorClass,
      kafka_error_recovery: fenced.recovery,
      kafka_error_description: fenced.description,
    })} 1`,
    '',
  ].join('\n');
}

describe('startPrometheus', () => {
  let server: Server;
  let prometheus: RunningPrometheus;
  let target: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(exposition());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    prometheus = await startPrometheus({ targets: [target], scrapeInterval: '1s', ruleFiles: [RULES] });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('scrapes the target on loopback and answers instant queries with its samples', async () => {
    await prometheus.waitForTargetsUp();
    expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const samples = await prometheus.waitFor('the responses sample', async () => {
      const result = await prometheus.query(METRICS.responses.name);
      return result.length > 0 ? result : undefined;
    });
    expect(samples).toEqual([
      {
        metric: expect.objectContaining({
          __name__: METRICS.responses.name,
          job: 'kafka-error-exporter',
          instance: target,
          kafka_api_name: 'Produce',
        }) as unknown,
        value: 42,
      },
    ]);
  });

  it('reports a bad query with Prometheus’s own error message', async () => {
    await expect(prometheus.query('sum(rate(x[5m])')).rejects.toThrow(/Prometheus bad_data: .*parse error/);
  });

  it('loads the shipped rules, evaluates every one without error, and fires the fatal-error alert', async () => {
    const groups = await prometheus.rules();
    expect(groups.map((g) => g.name).sort()).toEqual([
      'kafka-client.alerts',
      'kafka-client.rules',
      'kafka-error-exporter.alerts',
    ]);
    await prometheus.waitFor('every rule evaluated and healthy', async () => {
      const rules = (await prometheus.rules()).flatMap((g) => g.rules);
      return rules.every((r) => r.health === 'ok') ? true : undefined;
    });
    // The error series is born at 1: the alert must see that first error although increase() cannot.
    const alert = await prometheus.waitFor('KafkaClientFatalError firing', async () =>
      (await prometheus.alerts()).find(
        (a) => a.labels.alertname === 'KafkaClientFatalError' && a.state === 'firing',
      ),
    );
    expect(alert.labels).toMatchObject({
      severity: 'critical',
      error_type: fenced?.name,
      kafka_error_code: '47',
    });
    expect(alert.annotations.description).toContain(`Recovery: ${fenced?.recovery ?? ''}.`);
    expect(alert.annotations.runbook_url).toBe(`docs/error-codes.md#${fenced?.name ?? ''}`);
  });

  it('runs every dashboard query, variables at their defaults, without an error', async () => {
    const queries = [...loadDashboards().values()].flatMap(dashboardQueries);
    expect(queries.length).toBeGreaterThan(30);
    for (const q of queries) {
      await expect(
        prometheus.queryRaw(expand(q.expr, { rateInterval: '4s' })),
        q.panel,
      ).resolves.toBeDefined();
    }
  });

  it('counts the fixture’s one fatal error in the overview and lists it with the registry’s advice', async () => {
    const overview = [...loadDashboards().values()].find((d) => d.uid === DASHBOARD_UIDS.overview);
    const queries = overview === undefined ? [] : dashboardQueries(overview);
    const expr = (panel: string) =>
      expand(queries.find((q) => q.panel === panel)?.expr ?? '', { range: '1h' });
    const fatal = await prometheus.query(expr('Fatal errors'));
    expect(fatal.map((s) => s.value)).toEqual([1]);
    const top = await prometheus.query(expr('Top error codes'));
    expect(top).toEqual([
      {
        metric: expect.objectContaining({
          error_type: fenced?.name,
          kafka_error_category: 'fatal',
          kafka_error_recovery: fenced?.recovery,
        }) as unknown,
        value: 1,
      },
    ]);
  });

  it('stops, removing its directory, and stopping again is harmless', async () => {
    const { dir, url } = prometheus;
    await prometheus.stop();
    await prometheus.stop();
    expect(existsSync(dir)).toBe(false);
    await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
  });
});

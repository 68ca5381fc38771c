import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DIR as GENERATED_DIR, shippedDashboards } from '../../scripts/generate-dashboards.js';
import { DASHBOARD_UIDS } from '../../scripts/monitoring/dashboards/common.js';
import {
  DASHBOARD_DIR,
  dashboardQueries,
  loadDashboards,
  variableQuery,
  type Dashboard,
} from '../e2e/support/dashboard-queries.js';
import { contractSeriesNames, metricNames, variableMetric } from './metric-names.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dashboards = loadDashboards();
const entries = [...dashboards.entries()];
const UNITS = ['cps', 'reqps', 'percentunit', 's', 'short', 'none'];
const REQUIRED_VARIABLES = ['datasource', 'job', 'instance', 'client_id', 'api', 'category'];
const BUILTINS = ['__rate_interval', '__range', '__interval'];
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function panels(d: Dashboard) {
  return d.panels.filter((p) => p.type !== 'row');
}

describe('generated dashboards', () => {
  it('are current: npm run generate:dashboards changes nothing', () => {
    for (const [path, text] of Object.entries(shippedDashboards())) {
      expect(
        readFileSync(join(ROOT, path), 'utf8'),
        `${path} is stale: run npm run generate:dashboards`,
      ).toBe(text);
    }
  });

  it('are exactly one file per fixed uid', () => {
    expect(GENERATED_DIR).toBe('grafana/dashboards');
    expect([...dashboards.keys()].sort()).toEqual(
      Object.values(DASHBOARD_UIDS)
        .map((u) => `${u}.json`)
        .sort(),
    );
    for (const [file, d] of entries) {
      expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(file).toBe(`${d.uid}.json`);
    }
    expect(DASHBOARD_DIR).toBe(join(ROOT, 'grafana', 'dashboards'));
  });
});

describe.each(entries)('dashboard %s', (_file, d) => {
  const queries = dashboardQueries(d);
  const variables = d.templating.list;

  it('has the datasource, job, instance, client id, API and category variables, datasource first', () => {
    const names = variables.map((v) => v.name);
    for (const name of REQUIRED_VARIABLES) expect(names).toContain(name);
    expect(variables[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    for (const v of variables.filter((x) => x.type === 'query')) {
      expect(v.datasource, v.name).toEqual(DATASOURCE);
      expect(v.definition, v.name).toBe(variableQuery(v));
    }
  });

  it('binds every panel and every query to the datasource variable', () => {
    for (const p of panels(d)) {
      expect(p.datasource, p.title).toEqual(DATASOURCE);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource, `${p.title} ${t.refId}`).toEqual(DATASOURCE);
    }
  });

  it('gives every panel a unit and a description', () => {
    for (const p of panels(d)) {
      expect(UNITS, p.title).toContain(p.fieldConfig?.defaults?.unit);
      expect(p.description?.trim().length ?? 0, p.title).toBeGreaterThan(20);
    }
  });

  it('has unique panel ids and a layout inside the 24-column grid', () => {
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });

  it('uses $__rate_interval in range queries, and $__range only in instant queries', () => {
    for (const q of queries) {
      const windows = [...q.expr.matchAll(/\[([^\]]+)\]|offset\s+([$\w]+)/g)].map((m) => m[1] ?? m[2]);
      if (/\b(rate|irate|increase)\(/.test(q.expr)) expect(windows.length, q.panel).toBeGreaterThan(0);
      const allowed = q.instant ? ['$__rate_interval', '$__range'] : ['$__rate_interval'];
      for (const w of windows) expect(allowed, `${q.panel}: ${q.expr}`).toContain(w);
    }
  });

  it('references only variables it defines', () => {
    const defined = new Set([...variables.map((v) => v.name), ...BUILTINS]);
    const texts = [...queries.map((q) => q.expr), ...variables.map(variableQuery)];
    for (const text of texts) {
      for (const m of text.matchAll(/\$\{?(\w+)/g)) expect(defined, text).toContain(m[1]);
    }
  });

  it('selects only metrics of the contract (src/metrics/names.ts)', () => {
    const contract = contractSeriesNames();
    const used = new Set([
      ...queries.flatMap((q) => metricNames(q.expr)),
      ...variables.map(variableQuery).flatMap(variableMetric),
    ]);
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(contract, name).toContain(name);
  });

  it('filters every selector by the job and instance variables', () => {
    for (const q of queries) {
      for (const selector of q.expr.match(/\b[a-z_]+\{[^}]*\}/g) ?? []) {
        expect(selector, q.panel).toContain('job=~"$job"');
        expect(selector, q.panel).toContain('instance=~"$instance"');
      }
    }
  });
});

describe('metricNames', () => {
  it.each([
    ['sum by (le) (rate(a_bucket{x="y{z}"}[5m]))', ['a_bucket']],
    ['a / on (job) group_left b', ['a', 'b']],
    ['(a unless a offset 1h) or increase(b[1h]) > 0', ['a', 'b']],
    ['histogram_quantile(0.99, sum by (le, job) (rate(c[1m])))', ['c']],
    [
      'topk(10, x) * on (code) group_left (rec, desc) max by (code, rec, desc) (info{job=~".*"})',
      ['x', 'info'],
    ],
  ])('finds the metrics of %s', (expr, names) => {
    expect(metricNames(expr).sort()).toEqual([...names].sort());
  });
});

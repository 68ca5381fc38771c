import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { shippedRuleFiles } from '../../scripts/generate-rules.js';
import { renderRuleFile, RULE_FILES } from '../../scripts/monitoring/rule-files.js';
import {
  DEFAULT_RULE_OPTIONS,
  resolveRuleOptions,
  SEVERITIES,
  type RuleOptions,
  type Severity,
} from '../../scripts/monitoring/rule-options.js';
import { buildRuleGroups, PROTOCOL_CLOSE_REASONS } from '../../scripts/monitoring/rules.js';
import { PROXY_CLOSE_REASONS } from '../../src/capture/proxy/proxy-stats.js';
import { ERROR_CODES, lookupCode } from '../../src/codes/registry.js';
import { METRICS, type MetricKey } from '../../src/metrics/names.js';
import { contractSeriesNames, metricNames } from '../grafana/metric-names.js';
import { CUSTOM_RULE_OPTIONS } from './custom-rule-options.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}

const groups = (parse(read(RULE_FILES.rules)) as { groups: { name: string; rules: Rule[] }[] }).groups;
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);
const tests = (parse(read(RULE_FILES.tests)) as { tests: { alert_rule_test?: AlertTest[] }[] }).tests;
const alertTests = tests.flatMap((t) => t.alert_rule_test ?? []);
/** The alert name prefix of each alerting group. */
const PREFIXES: Readonly<Record<string, string>> = {
  'kafka-client.alerts': 'KafkaClient',
  'kafka-error-exporter.alerts': 'KafkaErrorExporter',
};

/** The exporter's own alerts: the rule option section and the self-metric each one reads. */
const EXPORTER_ALERTS = [
  ['KafkaErrorExporterProxyBrokerUnmapped', 'proxyBrokerUnmapped', 'proxyUnmappedBrokers', 'critical', '0m'],
  [
    'KafkaErrorExporterProxyUpstreamUnreachable',
    'proxyUpstreamUnreachable',
    'proxyUpstreamConnectFailures',
    'warning',
    '5m',
  ],
  [
    'KafkaErrorExporterProxyClosedConnections',
    'proxyClosedConnections',
    'proxyClosedConnections',
    'warning',
    '0m',
  ],
  ['KafkaErrorExporterCaptureFailures', 'captureFailures', 'captureFailures', 'warning', '0m'],
] as const satisfies readonly (readonly [string, keyof RuleOptions, MetricKey, Severity, string])[];

/** The labels of every `by (...)` clause of an expression. */
const byLabels = (expr: string): string[] =>
  [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));

describe('the shipped Prometheus rules', () => {
  it('are current: npm run generate:rules changes nothing', async () => {
    for (const [path, text] of Object.entries(await shippedRuleFiles())) {
      expect(read(path), `${path} is stale: run npm run generate:rules`).toBe(text);
    }
  });

  it('are the recording rules, the client alerts and the exporter alerts', () => {
    expect(groups.map((g) => g.name)).toEqual([
      'kafka-client.rules',
      'kafka-client.alerts',
      'kafka-error-exporter.alerts',
    ]);
  });

  it.each(alerts.map((a) => [a.alert ?? '', a] as const))(
    "%s has its group's prefix, a severity, a for, a summary, a description and a runbook",
    (name, a) => {
      const group = groups.find((g) => g.rules.includes(a))?.name ?? '';
      expect(name).toMatch(new RegExp(`^${PREFIXES[group] ?? '(none)'}[A-Z]\\w+$`));
      expect(SEVERITIES).toContain(a.labels?.severity);
      expect(a.for).toMatch(/^\d+[smh]$/);
      for (const key of ['summary', 'description', 'runbook_url']) {
        expect(a.annotations?.[key]?.length ?? 0, key).toBeGreaterThan(10);
      }
    },
  );

  it.each(alerts.map((a) => [a.alert ?? '']))('%s is tested both firing and silent', (name) => {
    const cases = alertTests.filter((t) => t.alertname === name);
    expect(
      cases.some((t) => (t.exp_alerts ?? []).length > 0),
      'a firing case',
    ).toBe(true);
    expect(
      cases.some((t) => (t.exp_alerts ?? []).length === 0),
      'a silent case',
    ).toBe(true);
  });

  it('uses severities critical, warning and info', () => {
    expect(new Set(alerts.map((a) => a.labels?.severity))).toEqual(new Set(SEVERITIES));
  });

  it('select only contract metrics and series the rules record', () => {
    const known = new Set([...contractSeriesNames(), ...rules.flatMap((r) => (r.record ? [r.record] : []))]);
    for (const r of rules) for (const name of metricNames(r.expr)) expect(known, r.expr).toContain(name);
  });

  it('ship the same groups as a valid Kubernetes PrometheusRule', () => {
    const resource = parse(read(RULE_FILES.prometheusRule)) as { kind: string; spec: { groups: unknown } };
    expect(resource.kind).toBe('PrometheusRule');
    expect(resource.spec.groups).toEqual(groups);
    expect(() => new PrometheusRule(resource as never).validate()).not.toThrow();
  });
});

describe('the exporter alerts', () => {
  const group = groups.find((g) => g.name === 'kafka-error-exporter.alerts');

  it('are the four about the proxy and the hooks, with their default severity and for', () => {
    expect(group?.rules.map((r) => [r.alert, r.labels?.severity, r.for])).toEqual(
      EXPORTER_ALERTS.map(([name, , , severity, wait]) => [name, severity, wait]),
    );
  });

  it.each(EXPORTER_ALERTS)(
    "%s reads its self-metric and groups by the exporter and that metric's labels only",
    (name, _section, metric) => {
      const rule = group?.rules.find((r) => r.alert === name);
      expect(metricNames(rule?.expr ?? '')).toEqual([METRICS[metric].name]);
      const allowed = [...DEFAULT_RULE_OPTIONS.groupBy, ...METRICS[metric].labels];
      expect(byLabels(rule?.expr ?? '').length).toBeGreaterThan(0);
      for (const l of byLabels(rule?.expr ?? '')) expect(allowed, rule?.expr).toContain(l);
      expect(rule?.expr).toMatch(/ > 0$/);
    },
  );

  it('count the first failures of a series already above zero at its first scrape', () => {
    // A broker without a port stays so until a restart: that alert reads the counter itself, windowless.
    const unmapped = group?.rules.find((r) => r.alert === 'KafkaErrorExporterProxyBrokerUnmapped');
    expect(unmapped?.expr).toBe(
      'sum by (job, instance) (kafka_error_exporter_proxy_unmapped_brokers_total) > 0',
    );
    for (const name of ['KafkaErrorExporterProxyClosedConnections', 'KafkaErrorExporterCaptureFailures']) {
      const expr = group?.rules.find((r) => r.alert === name)?.expr ?? '';
      expect(expr, name).toContain(` offset ${DEFAULT_RULE_OPTIONS.eventWindow}) or increase(`);
      expect(expr, name).toContain(`[${DEFAULT_RULE_OPTIONS.eventWindow}]`);
    }
    const upstream = group?.rules.find((r) => r.alert === 'KafkaErrorExporterProxyUpstreamUnreachable');
    expect(upstream?.expr).toContain(`[${DEFAULT_RULE_OPTIONS.rateWindow}]`);
  });

  it('alert on the proxy closing connections for protocol reasons, not for shutdown or unreachable brokers', () => {
    const expr = group?.rules.find((r) => r.alert === 'KafkaErrorExporterProxyClosedConnections')?.expr ?? '';
    const regexes = new Set([...expr.matchAll(/reason=~"([^"]*)"/g)].map((m) => m[1]));
    expect(regexes.size).toBe(1);
    const reasons = [...regexes][0]!.split('|');
    expect(reasons.sort()).toEqual([
      'connection_limit',
      'internal_error',
      'malformed_request',
      'malformed_response',
      'rewrite_failed',
      'rewrite_too_large',
      'unsupported_version',
    ]);
    for (const r of reasons) expect(PROXY_CLOSE_REASONS).toContain(r);
    expect(PROTOCOL_CLOSE_REASONS).toEqual(
      PROXY_CLOSE_REASONS.filter((r) => r !== 'shutdown' && r !== 'upstream_unreachable'),
    );
  });

  it.each(EXPORTER_ALERTS)('%s takes its severity and for from the %s option', async (name, section) => {
    const options = resolveRuleOptions({ [section]: { severity: 'info', for: '42m' } });
    const text = await renderRuleFile(buildRuleGroups(options));
    const all = (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
    for (const r of all.filter((r) => r.alert !== undefined)) {
      const shipped = alerts.find((a) => a.alert === r.alert);
      if (r.alert === name) expect([r.labels?.severity, r.for]).toEqual(['info', '42m']);
      else expect([r.labels?.severity, r.for], r.alert).toEqual([shipped?.labels?.severity, shipped?.for]);
    }
  });
});

describe('runbook links', () => {
  const errorCodesDoc = read('docs/error-codes.md');
  const readme = read('deploy/prometheus/README.md');
  const anchors = (text: string) => new Set([...text.matchAll(/<a id="([^"]+)"/g)].map((m) => m[1]));

  it('point at docs/error-codes.md, which has an anchor for every registry name', () => {
    const docAnchors = anchors(errorCodesDoc);
    for (const entry of ERROR_CODES) expect(docAnchors, entry.name).toContain(entry.name);
    const templated = alerts.filter((a) => a.annotations?.runbook_url?.includes('docs/error-codes.md#'));
    expect(templated.length).toBeGreaterThan(0);
  });

  it('point at deploy/prometheus/README.md sections that exist, one per alert', () => {
    const readmeAnchors = anchors(readme);
    for (const a of alerts) expect(readmeAnchors, a.alert).toContain(a.alert);
    for (const a of alerts) {
      const m = /deploy\/prometheus\/README\.md#(\w+)/.exec(a.annotations?.runbook_url ?? '');
      if (m) expect(readmeAnchors).toContain(m[1]);
    }
  });

  it('name the authentication and authorization codes as the registry does', () => {
    for (const c of [
      ...DEFAULT_RULE_OPTIONS.authentication.codes,
      ...DEFAULT_RULE_OPTIONS.authorization.codes,
    ]) {
      expect(lookupCode(c.code)?.name, String(c.code)).toBe(c.name);
      expect(errorCodesDoc).toContain(`<a id="${c.name}"`);
    }
  });
});

describe('rules with custom options', () => {
  it('apply a selector, extra grouping labels, windows and a runbook base', async () => {
    const text = await renderRuleFile(buildRuleGroups(resolveRuleOptions(CUSTOM_RULE_OPTIONS)));
    expect(text).toContain('runbook_url: https://git.example.com/kee/blob/v1/docs/error-codes.md#');
    expect(text).toContain('kafka_client_error:response_errors:increase30m');
    expect(text).toContain('sum by (namespace, pod, messaging_client_id');
    expect(text).toContain('sum by (namespace, pod, reason)');
    expect(text).toContain('sum by (namespace, pod, kind)');
    expect(text).toContain('kafka_error_exporter_proxy_upstream_connect_failures_total{job="payments"');
    expect(text).toContain('proxy_upstream_connect_failures_total{job="payments", namespace=~"prod-.*"}[2m]');
    expect(text).toContain('> 2.5');
    expect(text).toContain('for: 30m');
    const exprs = (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) =>
      g.rules.map((r) => r.expr),
    );
    const selectors = exprs.flatMap((e) => [
      ...e.matchAll(/\bkafka_\w+(?:_total|_bucket|_count|_sum)\b(\{[^}]*\})?/g),
    ]);
    expect(selectors.length).toBeGreaterThan(10);
    for (const [selector, body] of selectors)
      expect(body, selector).toMatch(/^\{job="payments", namespace=~"prod-\.\*"/);
    expect(text).toContain(
      `${METRICS.errorCodeInfo.name}{job="payments", namespace=~"prod-.*", kafka_error_code=%q}`,
    );
  });

  it.each([
    [{ eventWindow: 'ten minutes' }, 'Invalid window: "ten minutes"'],
    [{ fatal: { severity: 'page' } }, 'Invalid fatal.severity: "page"'],
    [{ captureFailures: { severity: 'page' } }, 'Invalid captureFailures.severity: "page"'],
    [{ proxyUpstreamUnreachable: { for: 'soon' } }, 'Invalid proxyUpstreamUnreachable.for: "soon"'],
    [{ throttling: { quantile: 99 } }, 'Invalid throttling.quantile: 99'],
    [{ retriableStorm: { ratio: -1 } }, 'Invalid retriableStorm.ratio: -1'],
    [{ groupBy: ['pod name'] }, 'Invalid groupBy label name: "pod name"'],
    [{ thresholds: 1 }, 'Unknown rule option: thresholds'],
  ])('rejects %j naming the bad value', (overrides, message) => {
    expect(() => resolveRuleOptions(overrides as never)).toThrow(message);
  });

  it('keeps the shipped defaults when nothing is overridden', () => {
    expect(resolveRuleOptions({})).toEqual(DEFAULT_RULE_OPTIONS);
    expect(existsSync(join(ROOT, RULE_FILES.rules))).toBe(true);
  });
});

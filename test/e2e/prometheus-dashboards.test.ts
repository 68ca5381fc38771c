// End to end: a real Prometheus scrapes the exporter while real-broker scenarios produce errors and throttling;
// every dashboard query (variables at their defaults) and every shipped rule then runs through its HTTP API,
// and the fatal-error alert fires for the fenced producer's 47.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DASHBOARD_UIDS } from '../../scripts/monitoring/dashboards/common.js';
import { RULE_FILES } from '../../scripts/monitoring/rule-files.js';
import { DEFAULT_RULE_OPTIONS } from '../../scripts/monitoring/rule-options.js';
import { recordNames } from '../../scripts/monitoring/rules.js';
import { lookupCode } from '../../src/codes/registry.js';
import { setClientQuota } from '../support/kafka/kafka-quota.js';
import { METRICS } from '../../src/metrics/names.js';
import {
  createTopics,
  parseExposition,
  warmUpTransactionCoordinator,
} from '../integration/scenarios/scenario-support.js';
import { describeWithSaslKafka, kafkaEnv, uniqueName } from '../integration/support/kafka-env.js';
import { dashboardQueries, expand, loadDashboards } from './support/dashboard-queries.js';
import type { Dashboard } from './support/dashboard-queries.js';
import {
  deniedTopic,
  fencedProducer,
  missingTopic,
  steadyProducer,
  throttledProducer,
  tooLarge,
  wrongPassword,
} from './support/error-scenarios.js';
import type { ScenarioTarget } from './support/error-scenarios.js';
import { startExporterUnderTest } from './support/exporter-under-test.js';
import type { ExporterUnderTest, SinkKind } from './support/exporter-under-test.js';
import { defaultVariables } from './support/grafana-defaults.js';
import { startPrometheus } from './support/prometheus.js';
import type { Alert, RunningPrometheus } from './support/prometheus.js';
import { labelValues, queryRange } from './support/prometheus-range.js';
import { checkExpressions, promtool } from './support/promtool.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRAPE_SECONDS = 1;
/** Grafana's `$__rate_interval` with a 1 s scrape interval: four scrape intervals. */
const RATE_INTERVAL = `${4 * SCRAPE_SECONDS}s`;
/** The dashboards' default time range (`now-1h`), which `$__range` stands for. */
const RANGE = '1h';
/** `for:` of the condition alerts (15m shipped), so that they can fire within the test. */
const SHORT_FOR = '2s';

/** Both sinks must give the same series, so that the dashboards and rules work unchanged with either. */
const SINKS: readonly SinkKind[] = ['prom-client', 'opentelemetry'];

/** The client id of each scenario. */
function clientIds() {
  return {
    fenced: 'e2e-fenced',
    tooLarge: 'e2e-too-large',
    missing: 'e2e-missing-topic',
    steady: 'e2e-steady',
    wrongPassword: 'e2e-wrong-password',
    denied: 'e2e-denied',
    // A quota outlives the suite on the broker: a fresh client id each time.
    throttled: uniqueName('e2e-throttled'),
  } as const;
}
type ClientIds = ReturnType<typeof clientIds>;

const COMPLIANT =
  'kafkajs waits out throttles, so the scenarios send no request during one, or now and then one (near zero: ' +
  'whether this has data varies by run); test/integration/proxy/throttle-compliance.test.ts counts a client ' +
  'that does not wait';
/** Entries above whose data depends on timing: left out of the comparison either way. */
const MAY_HAVE_DATA: ReadonlySet<string> = new Set([
  'kafka-client-throttling / Requests sent during a throttle by client',
  'kafka_client_api:requests_during_throttle:rate5m',
]);
const certain = (names: readonly string[]): string[] => names.filter((n) => !MAY_HAVE_DATA.has(n));

/**
 * Panels (`<dashboard uid> / <title>`) the scenarios do not feed, with the reason. Every other panel must
 * return a non-zero value.
 */
const PANELS_WITHOUT_DATA: Readonly<Record<string, string>> = {
  'kafka-client-throttling / Requests sent during a throttle by client': COMPLIANT,
};

/** Rule expressions that return nothing after the scenarios, with the reason. Every other returns a series. */
const RULES_WITHOUT_DATA: Readonly<Record<string, string>> = {
  KafkaClientRetriableErrorStorm:
    'needs retriable errors above 0.1/s over the 5m rate window (30 in 5 minutes): the missing-topic scenario ' +
    'has 9 within seconds',
  KafkaClientUnknownErrorCode: 'no real broker answers with a code the registry does not know',
  'kafka_client_api:requests_during_throttle:rate5m': COMPLIANT,
  // The exporter's own health: the scenarios run no proxy, and nothing fails inside the exporter.
  KafkaErrorExporterProxyBrokerUnmapped: 'the scenarios run no proxy',
  KafkaErrorExporterProxyUpstreamUnreachable: 'the scenarios run no proxy',
  KafkaErrorExporterProxyClosedConnections: 'the scenarios run no proxy',
  KafkaErrorExporterCaptureFailures: 'no hook or decoder fails in the scenarios',
};

/** Alerts the scenarios fire, with the labels that name their cause. */
const firingAlerts = (CLIENTS: ClientIds): { alertname: string; labels: Record<string, string> }[] => [
  {
    alertname: 'KafkaClientFatalError',
    labels: {
      messaging_client_id: CLIENTS.fenced,
      kafka_error_code: '47',
      error_type: 'INVALID_PRODUCER_EPOCH',
    },
  },
  {
    alertname: 'KafkaClientNonRetriableErrors',
    labels: {
      messaging_client_id: CLIENTS.tooLarge,
      kafka_error_code: '10',
      error_type: 'MESSAGE_TOO_LARGE',
    },
  },
  {
    alertname: 'KafkaClientAuthenticationFailure',
    labels: { messaging_client_id: CLIENTS.wrongPassword, kafka_error_code: '58' },
  },
  {
    alertname: 'KafkaClientAuthorizationFailure',
    labels: { messaging_client_id: CLIENTS.denied, kafka_error_code: '29' },
  },
  {
    alertname: 'KafkaClientThrottled',
    labels: { messaging_client_id: CLIENTS.throttled, kafka_api_name: 'Produce' },
  },
];

/** What each scenario leaves in the counters, as the acceptance scenarios in test/integration assert it. */
const SCENARIO_CODES = [
  {
    code: 3,
    responses: 9,
    operations: 3,
    why: '3 sends to missing topics, each 3 Metadata attempts (retries: 2)',
  },
  { code: 10, responses: 3, operations: 3, why: '3 sends above max.message.bytes' },
  { code: 29, responses: 1, operations: 1, why: 'alice producing without an ACL' },
  { code: 47, responses: 1, operations: 1, why: 'the fenced producer’s EndTxn, its rejected commit' },
  { code: 58, responses: 1, operations: 1, why: 'alice’s wrong password' },
] as const;

/** Instant stat panels and the exact count they show after the scenarios (`$__range` covers them all). */
const STATS = [
  { uid: DASHBOARD_UIDS.overview, panel: 'Fatal errors', value: 1, why: 'the fenced commit (47)' },
  {
    uid: DASHBOARD_UIDS.overview,
    panel: 'Non-retriable errors reaching the application',
    value: 5,
    why: '3 sends too large (10), the wrong password (58), the denied topic (29)',
  },
  {
    uid: DASHBOARD_UIDS.overview,
    panel: 'Errors reaching the application',
    value: 9,
    why: 'those 5, 3 sends to missing topics (3) and the fenced commit (47)',
  },
  {
    uid: DASHBOARD_UIDS.errorCode,
    panel: 'In broker responses',
    value: 3,
    why: 'code 10 in 3 Produce responses',
  },
  {
    uid: DASHBOARD_UIDS.errorCode,
    panel: 'Reaching the application',
    value: 3,
    why: 'code 10: 3 rejected sends',
  },
] as const;

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string; for?: string }[] }[];
}

/** The shipped rule file with the condition alerts' `for:` shortened to SHORT_FOR; nothing else changes. */
async function rulesForTest(dir: string): Promise<{ path: string; rules: RuleFile }> {
  const rules = parse(await readFile(join(ROOT, RULE_FILES.rules), 'utf8')) as RuleFile;
  for (const rule of rules.groups.flatMap((g) => g.rules)) {
    if (rule.for !== undefined && rule.for !== '0m') rule.for = SHORT_FOR;
  }
  const path = join(dir, 'kafka-client.rules.yml');
  await writeFile(path, stringify(rules, { lineWidth: 0 }));
  return { path, rules };
}

const total = (text: string, name: string): number =>
  parseExposition(text)
    .filter((s) => s.name === name)
    .reduce((sum, s) => sum + s.value, 0);

/** Whether a query result (instant vector or matrix) holds a finite non-zero value. */
function hasValue(values: readonly number[]): boolean {
  return values.some((v) => Number.isFinite(v) && v !== 0);
}

/** The whole acceptance against one sink: its own exporter, Prometheus and scenario clients. */
function acceptanceSuite(sink: SinkKind): void {
  const CLIENTS = clientIds();
  const FIRING = firingAlerts(CLIENTS);
  let exporter: ExporterUnderTest | undefined;
  let prometheus: RunningPrometheus | undefined;
  let dir: string | undefined;
  let rules: RuleFile;
  let start: Date;
  let end: Date;
  let fenceError: unknown;
  const figures: Record<string, number> = {};

  const prom = (): RunningPrometheus => {
    if (prometheus === undefined) throw new Error('Prometheus did not start');
    return prometheus;
  };

  beforeAll(async () => {
    const env = kafkaEnv();
    const [bootstrap] = env.brokers;
    dir = await mkdtemp(join(tmpdir(), 'e2e-rules-'));
    exporter = await startExporterUnderTest({ sink, topicLabel: true });
    const written = await rulesForTest(dir);
    rules = written.rules;
    const topics = {
      steady: uniqueName('e2e-steady'),
      small: uniqueName('e2e-small'),
      txn: uniqueName('e2e-txn'),
    };
    start = new Date();
    // Assigned as soon as it runs, so that afterAll stops it even if a sibling step fails.
    const [started] = await Promise.all([
      startPrometheus({
        targets: [exporter.target],
        scrapeInterval: `${SCRAPE_SECONDS}s`,
        ruleFiles: [written.path],
      }).then((p) => (prometheus = p)),
      createTopics([
        { topic: topics.steady },
        { topic: topics.txn },
        { topic: topics.small, configEntries: [{ name: 'max.message.bytes', value: '1024' }] },
      ]),
      setClientQuota(bootstrap!, { clientId: CLIENTS.throttled }, { producer_byte_rate: 1024 }),
      warmUpTransactionCoordinator(),
    ]);
    await started.waitForTargetsUp();

    const target: ScenarioTarget = { exporter, brokers: env.brokers, saslBrokers: env.saslBrokers };
    const steadyStop = new AbortController();
    const steady = steadyProducer(target, CLIENTS.steady, topics.steady, 200, steadyStop.signal);
    try {
      const [fenced] = await Promise.all([
        fencedProducer(target, CLIENTS.fenced, topics.txn),
        tooLarge(target, CLIENTS.tooLarge, topics.small, 4096, 3),
        missingTopic(target, CLIENTS.missing, 3),
        // 2.5 KiB sends against 1 KiB/s: seconds of throttle per response, above the alert's 1 s.
        throttledProducer(target, CLIENTS.throttled, topics.steady, 2560, 4),
        wrongPassword(target, CLIENTS.wrongPassword),
        deniedTopic(target, CLIENTS.denied),
      ]);
      fenceError = fenced;
    } finally {
      steadyStop.abort();
      figures.steadySends = await steady;
    }

    // Every client is closed: the counters are final. Wait until Prometheus has scraped them.
    const exposition = await exporter.scrape();
    figures.throttleSeconds = total(exposition, `${METRICS.throttleTime.name}_sum`);
    for (const name of [
      METRICS.responses.name,
      METRICS.responseErrors.name,
      METRICS.operationErrors.name,
      `${METRICS.throttleTime.name}_count`,
    ]) {
      const expected = total(exposition, name);
      figures[name] = expected;
      await started.waitFor(`Prometheus to scrape ${name} = ${expected}`, async () => {
        const [sample] = await started.query(`sum(${name})`);
        // A family with no series yet sums to nothing, not 0.
        return (sample?.value ?? 0) === expected ? true : undefined;
      });
    }
    await started.waitFor('the fatal alert to fire', async () =>
      (await started.alerts()).find(
        (a) => a.labels.alertname === 'KafkaClientFatalError' && a.state === 'firing',
      ),
    );
    end = new Date();
  });

  afterAll(async () => {
    await exporter?.stop();
    await prometheus?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    console.info(`e2e figures (${sink} sink): ${JSON.stringify(figures)}`);
  });

  it('scraped the exporter throughout the scenarios, never finding it down', async () => {
    const [scrapes] = await prom().query(
      `count_over_time(up{instance="${exporter?.target ?? ''}"}[${RANGE}])`,
    );
    figures.scrapes = scrapes?.value ?? 0;
    expect(figures.scrapes).toBeGreaterThan(3);
    // A scrape has the 1 s interval to finish; on a loaded 2-core machine one may run out of it while the
    // worker that serves /metrics is busy (figures.timeouts says how often). Any other failed scrape fails.
    const [timeouts] = await prom().query(
      `count_over_time(((up == 0) and (scrape_duration_seconds >= 0.9))[${RANGE}:1s])`,
    );
    figures.timeouts = timeouts?.value ?? 0;
    const failed = await prom().query(
      `count_over_time(((up == 0) and (scrape_duration_seconds < 0.9))[${RANGE}:1s])`,
    );
    expect(failed).toEqual([]);
    const [up] = await prom().query(`max_over_time(up[${RANGE}])`);
    expect(up?.value).toBe(1);
  });

  it('promtool parses the test rule file and every dashboard query with its variables expanded', async () => {
    const exprs = [...loadDashboards().values()]
      .flatMap(dashboardQueries)
      .map((q) => expand(q.expr, { rateInterval: RATE_INTERVAL, range: RANGE }));
    const parsed = await checkExpressions(exprs);
    expect(parsed.output, 'promtool check rules on the dashboard queries').toContain(
      `SUCCESS: ${exprs.length} rules found`,
    );
    const file = await promtool(['check', 'rules', join(dir ?? '', 'kafka-client.rules.yml')]);
    expect(file.ok, file.output).toBe(true);
  });

  it('evaluates every shipped rule without error', async () => {
    const loaded = (await prom().rules()).flatMap((g) => g.rules);
    const shipped = rules.groups.flatMap((g) => g.rules).map((r) => r.record ?? r.alert);
    expect(loaded.map((r) => r.name).sort()).toEqual([...shipped].sort());
    expect(loaded.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  it('runs every rule expression through the HTTP API: each one fed by the scenarios returns a series', async () => {
    const empty: string[] = [];
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      const name = rule.record ?? rule.alert ?? '';
      const result = await prom().query(rule.expr);
      if (result.length === 0) empty.push(name);
    }
    figures.ruleExpressions = rules.groups.flatMap((g) => g.rules).length;
    expect(certain(empty).sort()).toEqual(certain(Object.keys(RULES_WITHOUT_DATA)).sort());
  });

  it.each([...loadDashboards().values()].map((d) => ({ uid: d.uid, dashboard: d })))(
    'dashboard $uid: every query, variables at their defaults, evaluates; every fed panel shows a value',
    async ({ dashboard }: { dashboard: Dashboard }) => {
      const url = prom().url;
      const variables = await defaultVariables(dashboard, (label, match) => labelValues(url, label, match));
      const withoutData: string[] = [];
      let queries = 0;
      for (const panel of dashboard.panels) {
        const values: number[] = [];
        for (const target of panel.targets ?? []) {
          const expr = expand(target.expr, { rateInterval: RATE_INTERVAL, range: RANGE, variables });
          queries += 1;
          if (target.instant === true) {
            values.push(...(await prom().query(expr)).map((s) => s.value));
          } else {
            const series = await queryRange(url, expr, { start, end, stepSeconds: SCRAPE_SECONDS });
            values.push(...series.flatMap((s) => s.values.map(([, v]) => v)));
          }
        }
        if (panel.targets !== undefined && panel.targets.length > 0 && !hasValue(values)) {
          withoutData.push(`${dashboard.uid} / ${panel.title}`);
        }
      }
      figures[`${dashboard.uid} queries`] = queries;
      figures[`${dashboard.uid} panels with data`] =
        dashboard.panels.filter((p) => (p.targets ?? []).length > 0).length - withoutData.length;
      const expected = Object.keys(PANELS_WITHOUT_DATA).filter((k) => k.startsWith(`${dashboard.uid} / `));
      expect(certain(withoutData)).toEqual(certain(expected));
      if (dashboard.templating.list.some((v) => v.name === 'code')) {
        // The drill-down opens on the alphabetically first code seen: "10" before "29", "3", "47", "58".
        expect(variables.code).toBe('10');
      }
    },
  );

  /** The single query of `panel` on dashboard `uid`, variables at their defaults. */
  async function panelQuery(uid: string, panel: string): Promise<string> {
    const dashboard = [...loadDashboards().values()].find((d) => d.uid === uid);
    const query =
      dashboard === undefined ? undefined : dashboardQueries(dashboard).find((q) => q.panel === panel);
    if (dashboard === undefined || query === undefined) throw new Error(`no panel ${uid} / ${panel}`);
    const url = prom().url;
    const variables = await defaultVariables(dashboard, (label, match) => labelValues(url, label, match));
    return expand(query.expr, { rateInterval: RATE_INTERVAL, range: RANGE, variables });
  }

  it.each(STATS)('$uid / $panel shows $value: $why', async ({ uid, panel, value }) => {
    const result = await prom().query(await panelQuery(uid, panel));
    expect(result.map((s) => s.value)).toEqual([value]);
  });

  it('lists every scenario’s code in the top-codes table with its count and the registry’s advice', async () => {
    const rows = await prom().query(await panelQuery(DASHBOARD_UIDS.overview, 'Top error codes'));
    const byCode = (a: { code: number }, b: { code: number }): number => a.code - b.code;
    expect(
      rows
        .map((r) => ({
          code: Number(r.metric.kafka_error_code),
          name: r.metric.error_type,
          category: r.metric.kafka_error_category,
          recovery: r.metric.kafka_error_recovery,
          count: r.value,
        }))
        .sort(byCode),
    ).toEqual(
      SCENARIO_CODES.map(({ code, responses }) => {
        const entry = lookupCode(code);
        return {
          code,
          name: entry?.name,
          category: entry?.category,
          recovery: entry?.recovery,
          count: responses,
        };
      }),
    );
  });

  it('the recorded windowed counts the alerts read equal what the scenarios did, first errors included', async () => {
    const counts = async (record: string): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await prom().query(`sum by (kafka_error_code) (${record})`)).map((s) => [
          s.metric.kafka_error_code,
          s.value,
        ]),
      );
    const expected = (field: 'responses' | 'operations'): Record<string, number> =>
      Object.fromEntries(SCENARIO_CODES.map((c) => [String(c.code), c[field]]));
    const recorded = recordNames(DEFAULT_RULE_OPTIONS);
    expect(await counts(recorded.responseErrorsInWindow)).toEqual(expected('responses'));
    expect(await counts(recorded.operationErrorsInWindow)).toEqual(expected('operations'));
  });

  it('fires KafkaClientFatalError for the fenced producer’s 47 with the registry’s recovery advice', async () => {
    // The real fatal error: kafkajs rejected the fenced producer's commit with the broker's 47.
    expect((fenceError as { type?: string }).type).toBe('INVALID_PRODUCER_EPOCH');
    const fenced = lookupCode(47);
    const alert = (await prom().alerts()).find(
      (a) => a.labels.alertname === 'KafkaClientFatalError' && a.state === 'firing',
    );
    expect(alert?.labels).toEqual({
      alertname: 'KafkaClientFatalError',
      severity: 'critical',
      job: 'kafka-error-exporter',
      instance: exporter?.target,
      messaging_client_id: CLIENTS.fenced,
      kafka_error_code: '47',
      error_type: 'INVALID_PRODUCER_EPOCH',
    });
    expect(alert?.annotations.summary).toBe(
      `Kafka client ${CLIENTS.fenced} hit fatal error INVALID_PRODUCER_EPOCH`,
    );
    expect(alert?.annotations.description).toContain(
      `${fenced?.description ?? '?'}. Recovery: ${fenced?.recovery ?? '?'}.`,
    );
    expect(alert?.annotations.runbook_url).toBe('docs/error-codes.md#INVALID_PRODUCER_EPOCH');
  });

  it('fires the other alerts the scenarios provoke, each for its client and code', async () => {
    /** The expected alerts firing now, and every alert firing. */
    const firingNow = async (): Promise<{ expected: string[]; all: string[] }> => {
      const alerts = (await prom().alerts()).filter((a) => a.state === 'firing');
      const expected = FIRING.filter((f) =>
        alerts.some((a) => a.labels.alertname === f.alertname && matches(a, f.labels)),
      ).map((f) => f.alertname);
      return { expected, all: [...new Set(alerts.flatMap((a) => a.labels.alertname ?? []))].sort() };
    };
    // Condition alerts hold SHORT_FOR first; on timeout the assertion below names what is missing.
    await prom()
      .waitFor('every expected alert firing', async () =>
        (await firingNow()).expected.length === FIRING.length ? true : undefined,
      )
      .catch(() => undefined);
    const firing = await firingNow();
    figures.firingAlerts = firing.all.length;
    expect(firing.expected).toEqual(FIRING.map((f) => f.alertname));
    expect(firing.all).toEqual(FIRING.map((f) => f.alertname).sort());
  });
}

for (const sink of SINKS) {
  describeWithSaslKafka(
    `Prometheus end to end (${sink} sink): dashboards and rules on real-broker scenarios`,
    () => acceptanceSuite(sink),
  );
}

function matches(alert: Alert, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => alert.labels[k] === v);
}

// The knobs of the generated Prometheus rules: selectors, windows, thresholds, severities, `for:` durations.
//
// Defaults live in one frozen constant; `resolveRuleOptions` merges an operator's partial overrides (a JSON
// file passed to scripts/generate-rules.ts) and rejects a bad value by naming it. deploy/prometheus/README.md
// documents every field.

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What every alert has. */
export interface AlertSettings {
  readonly severity: Severity;
  /** Prometheus `for:`; `0m` fires at once (event alerts hold for `eventWindow` after the last error). */
  readonly for: string;
}

/** An error code an alert is about, by number and registry name (the name is for docs and review). */
export interface NamedCode {
  readonly code: number;
  readonly name: string;
}

export interface RuleOptions {
  /** Raw PromQL matchers added to every selector, e.g. `job="payments"`. @default '' (everything) */
  readonly selector: string;
  /** Target labels every rule keeps, identifying one exporter. @default ['job', 'instance'] */
  readonly groupBy: readonly string[];
  /**
   * Prefix of `runbook_url`: runbooks are `<base>/docs/error-codes.md#<ERROR_NAME>` and
   * `<base>/deploy/prometheus/README.md#<AlertName>`. @default '' (repository-relative links)
   */
  readonly runbookBase: string;
  /** The window event alerts (fatal, non-retriable, authentication, unknown codes) count errors over. */
  readonly eventWindow: string;
  /** The window of the recorded rates and ratios. */
  readonly rateWindow: string;
  readonly fatal: AlertSettings;
  /** Application-visible non-retriable errors: fires when more than `threshold` in `eventWindow`. */
  readonly nonRetriable: AlertSettings & { readonly threshold: number };
  /**
   * One retriable code in more than `ratio` of a client's responses while it arrives faster than `minRate`
   * per second (so that a quiet client's one retry is no storm).
   */
  readonly retriableStorm: AlertSettings & { readonly ratio: number; readonly minRate: number };
  /** The throttle-time `quantile` above `seconds` while more than `minFraction` of responses are throttled. */
  readonly throttling: AlertSettings & {
    readonly quantile: number;
    readonly seconds: number;
    readonly minFraction: number;
  };
  /** The client cannot prove who it is: its connections fail. */
  readonly authentication: AlertSettings & { readonly codes: readonly NamedCode[] };
  /** The client is who it says but may not do what it asks. */
  readonly authorization: AlertSettings & { readonly codes: readonly NamedCode[] };
  /** A broker returned a code the registry does not know (`error_type="UNKNOWN_ERROR_CODE"`). */
  readonly unknownCode: AlertSettings;
  /** The exporter's proxy found no port in its broker port range for a broker (counted in `eventWindow`). */
  readonly proxyBrokerUnmapped: AlertSettings;
  /** The exporter's proxy refuses clients because it cannot connect to a broker (a rate over `rateWindow`). */
  readonly proxyUpstreamUnreachable: AlertSettings;
  /** The exporter's proxy closed connections for protocol reasons (counted in `eventWindow`). */
  readonly proxyClosedConnections: AlertSettings;
  /** Exceptions caught inside the exporter's hooks or decoding (counted in `eventWindow`). */
  readonly captureFailures: AlertSettings;
}

/** The shipped defaults (deploy/prometheus/kafka-client.rules.yml is generated from exactly these). */
export const DEFAULT_RULE_OPTIONS: RuleOptions = deepFreeze({
  selector: '',
  groupBy: ['job', 'instance'],
  runbookBase: '',
  eventWindow: '10m',
  rateWindow: '5m',
  fatal: { severity: 'critical', for: '0m' },
  nonRetriable: { severity: 'warning', for: '0m', threshold: 0 },
  retriableStorm: { severity: 'warning', for: '15m', ratio: 0.1, minRate: 0.1 },
  throttling: { severity: 'warning', for: '15m', quantile: 0.99, seconds: 1, minFraction: 0.05 },
  authentication: {
    severity: 'critical',
    for: '0m',
    codes: [
      { code: 33, name: 'UNSUPPORTED_SASL_MECHANISM' },
      { code: 34, name: 'ILLEGAL_SASL_STATE' },
      { code: 58, name: 'SASL_AUTHENTICATION_FAILED' },
      { code: 61, name: 'DELEGATION_TOKEN_AUTH_DISABLED' },
      { code: 62, name: 'DELEGATION_TOKEN_NOT_FOUND' },
      { code: 63, name: 'DELEGATION_TOKEN_OWNER_MISMATCH' },
      { code: 66, name: 'DELEGATION_TOKEN_EXPIRED' },
    ],
  },
  authorization: {
    severity: 'warning',
    for: '0m',
    codes: [
      { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED' },
      { code: 30, name: 'GROUP_AUTHORIZATION_FAILED' },
      { code: 31, name: 'CLUSTER_AUTHORIZATION_FAILED' },
      { code: 53, name: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' },
      { code: 64, name: 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED' },
      { code: 65, name: 'DELEGATION_TOKEN_AUTHORIZATION_FAILED' },
    ],
  },
  unknownCode: { severity: 'info', for: '0m' },
  proxyBrokerUnmapped: { severity: 'critical', for: '0m' },
  proxyUpstreamUnreachable: { severity: 'warning', for: '5m' },
  proxyClosedConnections: { severity: 'warning', for: '0m' },
  captureFailures: { severity: 'warning', for: '0m' },
} satisfies RuleOptions);

/** A partial override of every field, as read from JSON. */
export type RuleOverrides = {
  readonly [K in keyof RuleOptions]?: RuleOptions[K] extends readonly unknown[]
    ? RuleOptions[K]
    : RuleOptions[K] extends object
      ? Partial<RuleOptions[K]>
      : RuleOptions[K];
};

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Merges `overrides` onto the defaults. Throws naming the first bad value. */
export function resolveRuleOptions(overrides: RuleOverrides = {}): RuleOptions {
  const merged: Record<string, unknown> = { ...DEFAULT_RULE_OPTIONS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_RULE_OPTIONS)) throw new Error(`Unknown rule option: ${key}`);
    const base = (DEFAULT_RULE_OPTIONS as unknown as Record<string, unknown>)[key];
    const isSection = typeof base === 'object' && base !== null && !Array.isArray(base);
    merged[key] = isSection ? { ...base, ...(value as object) } : value;
  }
  const options = merged as unknown as RuleOptions;
  validate(options);
  return deepFreeze(options);
}

function validate(o: RuleOptions): void {
  for (const w of [o.eventWindow, o.rateWindow]) {
    if (!DURATION.test(w)) throw new Error(`Invalid window: ${JSON.stringify(w)} (want a duration like 10m)`);
  }
  for (const label of o.groupBy) {
    if (!LABEL_NAME.test(label)) throw new Error(`Invalid groupBy label name: ${JSON.stringify(label)}`);
  }
  if (typeof o.selector !== 'string') throw new Error(`Invalid selector: ${JSON.stringify(o.selector)}`);
  for (const name of ALERT_SECTIONS) {
    const s = o[name];
    if (!SEVERITIES.includes(s.severity)) {
      throw new Error(
        `Invalid ${name}.severity: ${JSON.stringify(s.severity)} (want ${SEVERITIES.join(', ')})`,
      );
    }
    if (!DURATION.test(s.for)) throw new Error(`Invalid ${name}.for: ${JSON.stringify(s.for)}`);
  }
  const numbers: [string, number][] = [
    ['nonRetriable.threshold', o.nonRetriable.threshold],
    ['retriableStorm.ratio', o.retriableStorm.ratio],
    ['retriableStorm.minRate', o.retriableStorm.minRate],
    ['throttling.seconds', o.throttling.seconds],
    ['throttling.minFraction', o.throttling.minFraction],
  ];
  for (const [name, value] of numbers) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`Invalid ${name}: ${JSON.stringify(value)} (want a number ≥ 0)`);
    }
  }
  const q = o.throttling.quantile;
  if (typeof q !== 'number' || !(q > 0 && q < 1)) {
    throw new Error(`Invalid throttling.quantile: ${JSON.stringify(q)} (want 0 < q < 1)`);
  }
  for (const section of ['authentication', 'authorization'] as const) {
    for (const c of o[section].codes) {
      if (!Number.isInteger(c.code) || typeof c.name !== 'string') {
        throw new Error(`Invalid ${section}.codes entry: ${JSON.stringify(c)} (want { code, name })`);
      }
    }
  }
}

const ALERT_SECTIONS = [
  'fatal',
  'nonRetriable',
  'retriableStorm',
  'throttling',
  'authentication',
  'authorization',
  'unknownCode',
  'proxyBrokerUnmapped',
  'proxyUpstreamUnreachable',
  'proxyClosedConnections',
  'captureFailures',
] as const;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

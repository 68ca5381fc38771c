// Every PromQL query of the shipped Grafana dashboards, and their variables expanded as Grafana would.
//
// Shared by the dashboard lint (test/grafana) and the real-Prometheus end-to-end test, which runs each query
// with the variables at their defaults.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_DIR = join(import.meta.dirname, '..', '..', '..', 'grafana', 'dashboards');

export interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly instant?: boolean;
  readonly format?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string } };
  readonly targets?: readonly Target[];
}

export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query: string | { readonly query: string };
  /** What Grafana shows for a query variable; must equal the query. */
  readonly definition?: string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}

/** The shipped dashboards, by file name. */
export function loadDashboards(dir = DASHBOARD_DIR): Map<string, Dashboard> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  return new Map(files.map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard]));
}

export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  readonly instant: boolean;
}

/** Every query of every panel (rows have none). */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      dashboard: dashboard.uid,
      panel: p.title,
      refId: t.refId,
      expr: t.expr,
      instant: t.instant === true,
    })),
  );
}

/** The text of a variable's query (`label_values(...)` or a custom comma list). */
export function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : v.query.query;
}

export interface Expansion {
  /** What `$__rate_interval` becomes (Grafana: at least four scrape intervals). @default '1m' */
  readonly rateInterval?: string;
  /** What `$__range` becomes: the dashboard's time range. @default '1h' */
  readonly range?: string;
  /** Values of dashboard variables; a variable not given takes its default, `.*` (All). */
  readonly variables?: Readonly<Record<string, string>>;
}

/** `expr` with `$var`, `${var}` and Grafana's interval variables replaced as Grafana would at query time. */
export function expand(expr: string, e: Expansion = {}): string {
  const builtins: Record<string, string> = {
    __rate_interval: e.rateInterval ?? '1m',
    __interval: e.rateInterval ?? '1m',
    __range: e.range ?? '1h',
  };
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_match, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      return builtins[name] ?? e.variables?.[name] ?? '.*';
    },
  );
}

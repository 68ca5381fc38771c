// A small typed builder for the Grafana dashboard JSON we ship (schema version 39, Grafana 10.x and later).
//
// It covers only what our dashboards use: stat, timeseries, table and heatmap panels over one Prometheus data
// source chosen by the `datasource` variable. The types make a unit and a description mandatory, and every
// panel and query is bound to `${datasource}`, so the lint tests check what the builder already enforces.

/** The Grafana units our panels use (ids from Grafana's value formats). */
export type Unit = 'cps' | 'reqps' | 'percentunit' | 's' | 'short' | 'none';

/** The data source reference of every panel and query: the dashboard's `datasource` variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Query {
  readonly expr: string;
  /** Legend template, e.g. `{{kafka_api_name}}`. */
  readonly legend?: string;
  /** Instant queries (tables, stats over the dashboard range) evaluate once at the end of the range. */
  readonly instant?: boolean;
  readonly format?: 'time_series' | 'table' | 'heatmap';
}

export interface PanelSpec {
  readonly type: 'stat' | 'timeseries' | 'table' | 'heatmap';
  readonly title: string;
  readonly description: string;
  readonly unit: Unit;
  readonly queries: readonly Query[];
  /** Width in grid columns (of 24) and height in rows. */
  readonly w: number;
  readonly h: number;
  readonly options?: Record<string, unknown>;
  readonly fieldConfig?: Record<string, unknown>;
  readonly overrides?: readonly Record<string, unknown>[];
  readonly transformations?: readonly Record<string, unknown>[];
  /** For stats: what to show when the query returns nothing (no errors at all). */
  readonly noValue?: string;
  readonly thresholds?: readonly { readonly color: string; readonly value: number | null }[];
}

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** A `label_values(...)` query, or a custom list of values. */
  readonly query: string | readonly string[];
  /** Multi-select with an `All` option matching `.*` (the default), or a single value. @default true */
  readonly multi?: boolean;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: readonly VariableSpec[];
  /** Rows of panels, laid out left to right; a row's height is its tallest panel. */
  readonly rows: readonly { readonly title: string; readonly panels: readonly PanelSpec[] }[];
  readonly links?: readonly { readonly title: string; readonly uid: string }[];
}

const REF_IDS = 'ABCDEFGHIJ';

/** Stats show the last value, coloured by threshold, without a sparkline. */
const STAT_OPTIONS = {
  reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
  colorMode: 'value',
  graphMode: 'none',
  textMode: 'value',
};

function panelJson(spec: PanelSpec, id: number, x: number, y: number): Record<string, unknown> {
  const defaults: Record<string, unknown> = { unit: spec.unit, ...spec.fieldConfig };
  if (spec.noValue !== undefined) defaults.noValue = spec.noValue;
  if (spec.thresholds !== undefined) defaults.thresholds = { mode: 'absolute', steps: spec.thresholds };
  if (spec.type === 'timeseries')
    defaults.custom = { fillOpacity: 10, showPoints: 'never', ...spec.fieldConfig };
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { h: spec.h, w: spec.w, x, y },
    fieldConfig: { defaults, overrides: spec.overrides ?? [] },
    options: spec.type === 'stat' ? { ...STAT_OPTIONS, ...spec.options } : (spec.options ?? {}),
    ...(spec.transformations === undefined ? {} : { transformations: spec.transformations }),
    targets: spec.queries.map((q, i) => ({
      refId: REF_IDS[i],
      datasource: DATASOURCE,
      expr: q.expr,
      legendFormat: q.legend ?? '__auto',
      range: q.instant !== true,
      instant: q.instant === true,
      format: q.format ?? (q.instant === true && spec.type === 'table' ? 'table' : 'time_series'),
      editorMode: 'code',
    })),
  };
}

function variableJson(spec: VariableSpec): Record<string, unknown> {
  const multi = spec.multi ?? true;
  const current = multi ? { selected: true, text: ['All'], value: ['$__all'] } : {};
  const common = { name: spec.name, label: spec.label, hide: 0, multi, includeAll: multi, current };
  if (typeof spec.query !== 'string') {
    const options = spec.query.map((v) => ({ selected: false, text: v, value: v }));
    return { ...common, type: 'custom', query: spec.query.join(','), options, allValue: '.*' };
  }
  return {
    ...common,
    type: 'query',
    datasource: DATASOURCE,
    definition: spec.query,
    query: { query: spec.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    sort: 1,
    regex: '',
    options: [],
    ...(multi ? { allValue: '.*' } : {}),
  };
}

/** The dashboard JSON: ids and grid positions assigned in order, a datasource variable first. */
export function dashboard(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      if (x + panel.w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panelJson(panel, id++, x, y));
      x += panel.w;
      rowHeight = Math.max(rowHeight, panel.h);
    }
    y += rowHeight;
  }
  const datasource = {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    hide: 0,
    current: {},
    options: [],
    refresh: 1,
    regex: '',
  };
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    timezone: '',
    annotations: { list: [] },
    links: (spec.links ?? []).map((l) => ({
      type: 'link',
      title: l.title,
      url: `/d/${l.uid}?\${__url_time_range}&\${__all_variables}`,
      targetBlank: false,
      keepTime: false,
      includeVars: false,
    })),
    templating: { list: [datasource, ...spec.variables.map(variableJson)] },
    panels,
  };
}

// Dashboard variables at their defaults, resolved as Grafana does when a dashboard opens: a variable whose
// saved value is All takes its `allValue`; a single-value query variable with nothing saved takes the first of
// its values in the variable's sort order (Grafana's `label_values` against the data source).
import type { Dashboard, Variable } from './dashboard-queries.js';
import { expand, variableQuery } from './dashboard-queries.js';

/** What the shared Variable type leaves out and the defaults depend on. */
interface SavedVariable extends Variable {
  readonly current?: { readonly value?: string | readonly string[] };
  /** Grafana's sort: 0 none, 1/2 alphabetical asc/desc, 3/4 numerical asc/desc, 5/6 case-insensitive. */
  readonly sort?: number;
}

/** Looks up the values of `label` on the series `match` selects (Prometheus's label values API). */
export type LabelValuesLookup = (label: string, match: string | undefined) => Promise<string[]>;

const LABEL_VALUES = /^label_values\(\s*(?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/s;

function sortValues(values: readonly string[], sort: number): string[] {
  const sorted = [...values];
  const numeric = (a: string, b: string): number => Number(a) - Number(b);
  const ci = (a: string, b: string): number => a.toLowerCase().localeCompare(b.toLowerCase());
  const alpha = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const compare = [undefined, alpha, alpha, numeric, numeric, ci, ci][sort];
  if (compare !== undefined) sorted.sort(compare);
  return sort === 2 || sort === 4 || sort === 6 ? sorted.reverse() : sorted;
}

function isAll(v: SavedVariable): boolean {
  const value = v.current?.value;
  return Array.isArray(value) ? value.includes('$__all') : value === '$__all';
}

function savedValue(v: SavedVariable): string | undefined {
  const value = v.current?.value;
  if (Array.isArray(value)) return value.length === 1 ? (value[0] as string) : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The value every variable of `dashboard` takes when it opens with nothing in the URL, in templating order
 * (a later variable's query sees the earlier ones). The data source variable is left out.
 * @throws when a variable would be empty (Grafana would show "None" and its panels nothing).
 */
export async function defaultVariables(
  dashboard: Dashboard,
  lookup: LabelValuesLookup,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const variable of dashboard.templating.list as readonly SavedVariable[]) {
    if (variable.type === 'datasource') continue;
    if (isAll(variable)) {
      values[variable.name] = variable.allValue ?? '.*';
      continue;
    }
    const saved = savedValue(variable);
    if (saved !== undefined) {
      values[variable.name] = saved;
      continue;
    }
    let options: string[];
    if (variable.type === 'custom') {
      options = variableQuery(variable).split(',');
    } else {
      const parsed = LABEL_VALUES.exec(variableQuery(variable).trim());
      if (parsed === null) throw new Error(`${variable.name}: not a label_values() query`);
      const [, selector, label] = parsed;
      const match = selector === undefined ? undefined : expand(selector, { variables: values });
      options = sortValues(await lookup(label!, match), variable.sort ?? 0);
    }
    const first = options[0];
    if (first === undefined) throw new Error(`${dashboard.uid}: variable ${variable.name} has no values`);
    values[variable.name] = first;
  }
  return values;
}

// The two Prometheus HTTP API calls Grafana makes besides instant queries: range queries (time-series panels)
// and label values (query variables), for a running Prometheus at `url`.

/** One series of a range query: its labels and its points as numbers (NaN stays NaN). */
export interface RangeSeries {
  readonly metric: Record<string, string>;
  readonly values: readonly (readonly [seconds: number, value: number])[];
}

export interface RangeWindow {
  readonly start: Date;
  readonly end: Date;
  /** Resolution in seconds. */
  readonly stepSeconds: number;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
  errorType?: string;
}

async function get<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as ApiResponse<T>;
  if (body.status !== 'success') {
    throw new Error(`Prometheus ${body.errorType ?? 'error'}: ${body.error ?? ''}`);
  }
  return body.data;
}

const seconds = (d: Date): string => String(d.getTime() / 1000);

/** `/api/v1/query_range`; throws with Prometheus's message when `expr` does not parse or evaluate. */
export async function queryRange(url: string, expr: string, window: RangeWindow): Promise<RangeSeries[]> {
  const params = new URLSearchParams({
    query: expr,
    start: seconds(window.start),
    end: seconds(window.end),
    step: String(window.stepSeconds),
  });
  const data = await get<{
    resultType: string;
    result: { metric: Record<string, string>; values: [number, string][] }[];
  }>(`${url}/api/v1/query_range?${params.toString()}`);
  if (data.resultType !== 'matrix') throw new Error(`Expected a matrix from ${expr}, got ${data.resultType}`);
  return data.result.map((r) => ({
    metric: r.metric,
    values: r.values.map(([t, v]) => [t, Number(v)] as const),
  }));
}

/** `/api/v1/label/<label>/values`, restricted to the series `match` selects, as Grafana's `label_values`. */
export async function labelValues(url: string, label: string, match?: string): Promise<string[]> {
  const params = new URLSearchParams();
  if (match !== undefined) params.append('match[]', match);
  return get<string[]>(`${url}/api/v1/label/${encodeURIComponent(label)}/values?${params.toString()}`);
}

// Exposition formats and `Accept` negotiation for /metrics: Prometheus text 0.0.4 or OpenMetrics 1.0.0.

/** The content types served, as prom-client's `Registry` spells them. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** A rendered scrape, ready for an HTTP response. */
export interface MetricsResponse {
  readonly contentType: string;
  readonly body: string;
}

/** Anything that can answer a scrape: the prom-client sink and the sidecar's OpenTelemetry pipeline. */
export interface MetricsEndpoint {
  /** Renders the metrics in the format `accept` prefers (Prometheus text when absent or unmatched). */
  metricsResponse(accept?: string): Promise<MetricsResponse>;
}

/**
 * The format an `Accept` header prefers: OpenMetrics when `application/openmetrics-text` has a q-value above
 * zero and at least as high as any range that admits Prometheus text (`text/plain`, `text/*`, `*\/*`).
 * Prometheus sends `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    let q = 1;
    for (const param of params) {
      if (param.startsWith('q=')) {
        const value = Number(param.slice(2));
        q = Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
      }
    }
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

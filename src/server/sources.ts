// What the HTTP server reads, as small interfaces: the sinks, the recorder and the registry implement them.
import type { ErrorCategory } from '../codes/types.js';

/** One rendering of the metrics, in the format the scraper asked for. */
export interface MetricsResponse {
  /** e.g. `text/plain; version=0.0.4; charset=utf-8` or `application/openmetrics-text; version=1.0.0; charset=utf-8`. */
  readonly contentType: string;
  readonly body: string;
}

/** Renders the metrics for a scrape. */
export interface MetricsSource {
  /** @param accept the scraper's `Accept` header, if any: picks Prometheus text or OpenMetrics. */
  metricsResponse(accept: string | undefined): Promise<MetricsResponse>;
}

/** The errors seen so far for one error code (the recorder's summary entries have this shape). */
export interface ErrorSummaryRow {
  /** The code, or `null` for unknown codes folded into `other` past the cap. */
  readonly code: number | null;
  /** The registry name, or `UNKNOWN_ERROR_CODE`. */
  readonly name: string;
  /** The category as labelled (with the user's overrides applied). */
  readonly category: ErrorCategory;
  /** The registry's recovery advice; empty for codes the registry does not know. */
  readonly recovery: string;
  /** Non-zero error codes in broker responses, retried or not. */
  readonly responseErrors: number;
  /** Errors that reached the application. */
  readonly operationErrors: number;
  /** `responseErrors + operationErrors`. */
  readonly count: number;
}

/** The errors seen since start, by code: the landing page's table. */
export interface ErrorSummarySource {
  errorSummary(): readonly ErrorSummaryRow[];
}

/** The error-code registry as `/codes` serves it: the entries as `codes --json` prints them, overrides applied. */
export interface CodeRegistrySource {
  codes(): readonly object[];
}

/** What the landing page says about the running build. */
export interface BuildInfo {
  readonly version: string;
  readonly nodeVersion: string;
}

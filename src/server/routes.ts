// The endpoints of the exporter as a table of path → handler. Handlers are plain functions of the request's
// negotiation headers, so tests call them without a socket.
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { LANDING_PAGE_CSP, renderLandingPage } from './landing-page.js';
import type { BuildInfo, CodeRegistrySource, ErrorSummarySource, MetricsSource } from './sources.js';

const gzip = promisify(gzipCallback);

/** The parts of a request the handlers look at. */
export interface RouteRequest {
  readonly accept: string | undefined;
  readonly acceptEncoding: string | undefined;
}

export interface RouteResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export interface Route {
  /** Probes answer without credentials, so that a kubelet can check the sidecar. */
  readonly public: boolean;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

export interface RouteSources {
  readonly metrics: MetricsSource;
  readonly errors: ErrorSummarySource;
  readonly codes: CodeRegistrySource;
  readonly build: BuildInfo;
  /** Whether the server is ready: `false` once shutdown began. */
  readonly ready: () => boolean;
  /**
   * Further conditions for readiness, e.g. the protocol proxy's listeners are bound; `/readyz` answers 503
   * `not ready` while it returns `false`. @default always ready
   */
  readonly readiness?: () => boolean;
  readonly startedAt: Date;
  readonly now?: () => Date;
}

const TEXT = 'text/plain; charset=utf-8';

/** Compress scrapes above this size when the scraper accepts gzip (Prometheus always does). */
const GZIP_MIN_BYTES = 1024;

/** Whether `Accept-Encoding` accepts gzip with a non-zero quality. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function text(status: number, body: string): RouteResponse {
  return { status, headers: { 'content-type': TEXT }, body: `${body}\n` };
}

/** The route table: every path the exporter answers. Anything else is 404; another method is 405. */
export function createRoutes(sources: RouteSources): ReadonlyMap<string, Route> {
  const now = sources.now ?? (() => new Date());
  let codesJson: string | undefined;
  return new Map<string, Route>([
    [
      '/metrics',
      {
        public: false,
        async handle(request) {
          const rendered = await sources.metrics.metricsResponse(request.accept);
          const headers: Record<string, string> = {
            'content-type': rendered.contentType,
            vary: 'Accept, Accept-Encoding',
          };
          if (Buffer.byteLength(rendered.body) >= GZIP_MIN_BYTES && acceptsGzip(request.acceptEncoding)) {
            return {
              status: 200,
              headers: { ...headers, 'content-encoding': 'gzip' },
              body: await gzip(rendered.body),
            };
          }
          return { status: 200, headers, body: rendered.body };
        },
      },
    ],
    ['/healthz', { public: true, handle: async () => text(200, 'ok') }],
    [
      '/readyz',
      {
        public: true,
        async handle() {
          if (!sources.ready()) return text(503, 'shutting down');
          return sources.readiness === undefined || sources.readiness()
            ? text(200, 'ready')
            : text(503, 'not ready');
        },
      },
    ],
    [
      '/codes',
      {
        public: false,
        async handle() {
          // The registry and its overrides are fixed once the exporter started: render once.
          codesJson ??= `${JSON.stringify(sources.codes.codes(), null, 2)}\n`;
          return {
            status: 200,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: codesJson,
          };
        },
      },
    ],
    [
      '/',
      {
        public: false,
        async handle() {
          const page = renderLandingPage({
            build: sources.build,
            errors: sources.errors.errorSummary(),
            startedAt: sources.startedAt,
            now: now(),
          });
          return {
            status: 200,
            headers: {
              'content-type': 'text/html; charset=utf-8',
              'content-security-policy': LANDING_PAGE_CSP,
              'referrer-policy': 'no-referrer',
              'x-frame-options': 'DENY',
            },
            body: page,
          };
        },
      },
    ],
  ]);
}

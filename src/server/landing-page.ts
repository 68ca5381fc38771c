// The landing page at `/`: what a person sees when they open the exporter in a browser. Self-contained (an
// inline stylesheet, no script, no external asset), and every value is HTML-escaped.
import { createHash } from 'node:crypto';
import { escapeHtml } from './html-escape.js';
import type { BuildInfo, ErrorSummaryRow } from './sources.js';

export interface LandingPageInput {
  readonly build: BuildInfo;
  readonly errors: readonly ErrorSummaryRow[];
  readonly startedAt: Date;
  readonly now: Date;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2430;--muted:#5b6473;--bg:#fff;--line:#d9dee5;--head:#f3f5f8;--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#9aa3b2;--bg:#14171c;--line:#2b313b;--head:#1c2027;--link:#8ab4f8}}
body{margin:0 auto;max-width:72rem;padding:1.5rem 2rem 3rem;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem}
p.lead{margin:0;color:var(--muted)}a{color:var(--link)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:1rem 0 0}dt{color:var(--muted)}dd{margin:0}
ul.endpoints{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.5rem}
ul.endpoints li{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem}
ul.endpoints code{font-weight:600}ul.endpoints span{display:block;color:var(--muted);font-size:.85rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid var(--line)}
th{background:var(--head);font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;white-space:nowrap}
.cat{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.8rem;font-weight:600;white-space:nowrap}
.cat-retriable{background:#fff4d6;color:#7a4d00}.cat-non_retriable{background:#fde2e1;color:#8a1c14}
.cat-fatal{background:#8a1c14;color:#fff}.cat-success{background:#ddf4e4;color:#135c2c}
p.empty{padding:1rem;border:1px dashed var(--line);border-radius:6px;color:var(--muted)}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
`.trim();

/** The `Content-Security-Policy` of the page: nothing but its own inline stylesheet. */
export const LANDING_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const ENDPOINTS: readonly (readonly [string, string])[] = [
  ['/metrics', 'Prometheus text or OpenMetrics, by the Accept header'],
  ['/codes', 'the Kafka error-code registry as JSON'],
  ['/healthz', 'liveness: the process runs'],
  ['/readyz', 'readiness: the server accepts scrapes'],
];

/** Seconds as `3d 4h`, `5m 12s`, `8s`. */
function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const units: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const first = units.findIndex(([value]) => value > 0);
  if (first === -1) return '0s';
  return units
    .slice(first, first + 2)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}

/** What the page says for a code the registry does not know (the seed's advice for unknown codes). */
const UNKNOWN_RECOVERY =
  'Not in the registry: treat as non-retriable, log the error code and message, and report it to the application.';

function num(value: number): string {
  return escapeHtml(value.toLocaleString('en-US'));
}

function errorTable(errors: readonly ErrorSummaryRow[]): string {
  if (errors.length === 0) {
    return '<p class="empty" id="no-errors">No Kafka errors recorded since the exporter started.</p>';
  }
  const rows = [...errors]
    .sort((a, b) => b.count - a.count || (a.code ?? Infinity) - (b.code ?? Infinity))
    .map(
      (row) =>
        `<tr><td class="num">${escapeHtml(row.code ?? 'other')}</td><td class="name">${escapeHtml(row.name)}</td>` +
        `<td><span class="cat cat-${escapeHtml(row.category)}">${escapeHtml(row.category)}</span></td>` +
        `<td class="num">${num(row.count)}</td><td class="num">${num(row.responseErrors)}</td>` +
        `<td class="num">${num(row.operationErrors)}</td><td>${escapeHtml(row.recovery || UNKNOWN_RECOVERY)}</td></tr>`,
    );
  return (
    `<table id="errors"><thead><tr><th class="num">Code</th><th>Name</th><th>Category</th><th class="num">Count</th>` +
    `<th class="num" title="Non-zero error codes in broker responses, retried or not">In responses</th>` +
    `<th class="num" title="Errors that reached the application">At the application</th><th>Recovery</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`
  );
}

/** Renders the landing page. Pure: the same input gives the same page. */
export function renderLandingPage(input: LandingPageInput): string {
  const total = input.errors.reduce((sum, row) => sum + row.count, 0);
  const uptime = formatUptime((input.now.getTime() - input.startedAt.getTime()) / 1000);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="15">
<title>kafka-error-exporter</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>kafka-error-exporter</h1>
<p class="lead">Prometheus and OpenTelemetry metrics for every Kafka protocol error code and throttle time.</p>
<dl>
<dt>Version</dt><dd id="version">${escapeHtml(input.build.version)}</dd>
<dt>Node.js</dt><dd>${escapeHtml(input.build.nodeVersion)}</dd>
<dt>Started</dt><dd>${escapeHtml(input.startedAt.toISOString())} (up ${escapeHtml(uptime)})</dd>
</dl>
</header>
<main>
<h2>Endpoints</h2>
<ul class="endpoints">
${ENDPOINTS.map(([path, what]) => `<li><a href="${escapeHtml(path)}"><code>${escapeHtml(path)}</code></a><span>${escapeHtml(what)}</span></li>`).join('\n')}
</ul>
<h2>Errors seen so far</h2>
<p class="lead">${escapeHtml(total.toLocaleString('en-US'))} errors across ${escapeHtml(input.errors.length)} codes, as of ${escapeHtml(input.now.toISOString())}; this page refreshes every 15 seconds.</p>
${errorTable(input.errors)}
</main>
<footer>"In responses" counts every non-zero error code brokers sent, including those the client retried silently; "At the application" counts errors that reached the application. Categories follow the registry and any configured overrides.</footer>
</body>
</html>
`;
}

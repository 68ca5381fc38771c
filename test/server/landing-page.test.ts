import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/server/html-escape.js';
import { LANDING_PAGE_CSP, renderLandingPage } from '../../src/server/landing-page.js';
import type { ErrorSummaryRow } from '../../src/server/sources.js';
import { BUILD, ROWS } from './support.js';

const startedAt = new Date('2026-01-02T03:04:05.000Z');
const now = new Date('2026-01-02T05:06:15.000Z');

function page(errors: readonly ErrorSummaryRow[]): string {
  return renderLandingPage({ build: BUILD, errors, startedAt, now });
}

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`"'&`, '&quot;&#39;&amp;'],
    ['plain', 'plain'],
    [42, '42'],
  ])('escapes %s', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });
});

describe('the landing page', () => {
  it('links every endpoint and shows the build and uptime', () => {
    const html = page([]);
    for (const path of ['/metrics', '/codes', '/healthz', '/readyz'])
      expect(html).toContain(`<a href="${path}">`);
    expect(html).toContain('<dd id="version">9.8.7</dd>');
    expect(html).toContain('v20.0.0');
    expect(html).toContain('(up 2h 2m)');
  });

  it('says so when no error was seen', () => {
    expect(page([])).toContain('No Kafka errors recorded since the exporter started.');
  });

  it('lists errors most frequent first with both counts and the recovery advice', () => {
    const rows: ErrorSummaryRow[] = [
      ...ROWS,
      {
        code: 27,
        name: 'REBALANCE_IN_PROGRESS',
        category: 'retriable',
        recovery: 'Rejoin.',
        responseErrors: 1200,
        operationErrors: 0,
        count: 1200,
      },
      {
        code: null,
        name: 'UNKNOWN_ERROR_CODE',
        category: 'non_retriable',
        recovery: '',
        responseErrors: 2,
        operationErrors: 0,
        count: 2,
      },
    ];
    const html = page(rows);
    const order = ['REBALANCE_IN_PROGRESS', 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_ERROR_CODE'].map((name) =>
      html.indexOf(name),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).toContain('<td class="num">1,200</td>');
    expect(html).toContain('Refresh metadata and retry.');
    expect(html).toContain('<td class="num">other</td>');
    expect(html).toContain('Not in the registry: treat as non-retriable');
    expect(html).toContain('1,210 errors across 3 codes');
  });

  it('escapes every value that reaches the page', () => {
    const hostile: ErrorSummaryRow = {
      code: 1,
      name: '<img src=x onerror=alert(1)>',
      category: 'fatal" onclick="x' as ErrorSummaryRow['category'],
      recovery: '<script>alert("r")</script>',
      responseErrors: 1,
      operationErrors: 0,
      count: 1,
    };
    const html = renderLandingPage({
      build: { version: '<b>v</b>', nodeVersion: '"n"' },
      errors: [hostile],
      startedAt,
      now,
    });
    expect(html).not.toMatch(/<img|<script|<b>|onclick="x/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(&quot;r&quot;)&lt;/script&gt;');
  });

  it('uses no script and no external asset, and its CSP admits exactly its own stylesheet', () => {
    const html = page(ROWS);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(LANDING_PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(LANDING_PAGE_CSP).toContain("default-src 'none'");
  });
});

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/codes/registry.js';
import { DEFAULT_OPTIONS } from '../../src/config/options.js';
import type { BrokerEndpoint } from '../../src/events.js';
import { createExporter } from '../../src/exporter/create-exporter.js';
import type { Exporter } from '../../src/exporter/create-exporter.js';
import { silentLogger } from '../../src/logger.js';
import { launchChromium } from '../support/chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
let browser: Browser;
let exporter: Exporter;
let url: string;

beforeAll(async () => {
  // The exporter `serve` builds, with a category override. Errors go in as capture reports them.
  exporter = createExporter({
    options: { ...DEFAULT_OPTIONS, host: '127.0.0.1', port: 0, categoryOverrides: { '22': 'fatal' } },
    logger: silentLogger,
  });
  const { recorder } = exporter;
  const broker: BrokerEndpoint = { clientId: 'orders-service', host: '127.0.0.1', port: 9092 };
  for (let i = 0; i < 12; i++) recorder.responseError(broker, 0, 3, 'orders');
  for (let i = 0; i < 3; i++) recorder.responseError(broker, 11, 27);
  recorder.responseError(broker, 8, 22);
  recorder.operationError({ clientId: 'orders-service', operation: 'send', origin: 'broker', code: 10 });
  recorder.operationError({ clientId: 'orders-service', operation: 'send', origin: 'client', code: 13 });
  recorder.responseError(broker, 0, 999, undefined, 'a code from the future');

  ({ url } = await exporter.listen());
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await exporter?.close(1000);
});

describe('the landing page in Chromium', { timeout: 30_000 }, () => {
  it('renders the recorded errors by code, without console errors or blocked requests', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('requestfailed', (req) => problems.push(`failed: ${req.url()}`));
    const requested: string[] = [];
    // Everything the page loads: only itself (a browser's own favicon probe aside).
    page.on('request', (req) => {
      if (!req.url().endsWith('/favicon.ico')) requested.push(req.url());
    });

    const response = await page.goto(`${url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('kafka-error-exporter');

    const rows = await page
      .locator('#errors tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 6).map((td) => td.textContent?.trim())),
      );
    expect(rows).toEqual([
      ['3', 'UNKNOWN_TOPIC_OR_PARTITION', 'retriable', '12', '12', '0'],
      ['27', 'REBALANCE_IN_PROGRESS', 'retriable', '3', '3', '0'],
      ['10', 'MESSAGE_TOO_LARGE', 'non_retriable', '1', '0', '1'],
      ['13', 'NETWORK_EXCEPTION', 'retriable', '1', '0', '1'],
      ['22', 'ILLEGAL_GENERATION', 'fatal', '1', '1', '0'],
      ['999', 'UNKNOWN_ERROR_CODE', 'non_retriable', '1', '1', '0'],
    ]);
    const recovery = await page.locator('#errors tbody tr').first().locator('td').last().textContent();
    expect(recovery).toBe(ERROR_CODES.find((entry) => entry.code === 3)!.recovery);

    // The stylesheet applied under the page's CSP: category badges are styled, the fatal one in red.
    const fatalBadge = page.locator('.cat-fatal').first();
    expect(
      await fatalBadge.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor),
    ).toBe('rgb(138, 28, 20)');
    for (const path of ['/metrics', '/codes', '/healthz', '/readyz']) {
      expect(await page.locator(`a[href="${path}"]`).count()).toBe(1);
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}landing-page.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect(requested).toEqual([`${url}/`]);
    await page.close();
  });
});

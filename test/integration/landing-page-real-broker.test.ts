// Acceptance: the landing page in headless Chromium shows the errors a real broker sent an instrumented kafkajs client.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { instrument } from '../../src/exporter/instrument.js';
import type { InstrumentationHandle } from '../../src/exporter/instrument.js';
import { lookupCode } from '../../src/codes/registry.js';
import { DEFAULT_OPTIONS } from '../../src/config/options.js';
import { createExporter } from '../../src/exporter/create-exporter.js';
import type { Exporter } from '../../src/exporter/create-exporter.js';
import { silentLogger } from '../../src/logger.js';
import { METRICS } from '../../src/metrics/names.js';
import {
  createTopics,
  parseExposition,
  rejection,
  setupKafka,
  warmUpTransactionCoordinator,
  withAdmin,
} from './scenarios/scenario-support.js';
import { describeWithKafka, kafkaEnv, uniqueName } from './support/kafka-env.js';
import { launchChromium } from '../support/chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SCREENSHOT = `${ARTIFACTS}landing-page-real-broker.png`;
// As in test/server/landing-page.browser.test.ts: Debian's Chromium, headless, nothing phoning home.
/** One row of the page's table as text. */
interface TableRow {
  readonly code: string;
  readonly name: string;
  readonly category: string;
  readonly count: string;
  readonly inResponses: string;
  readonly atApplication: string;
  readonly recovery: string;
}

/**
 * What the scenarios below provoke, in the page's order (most frequent first, then by code). Each count is
 * also checked against /metrics; the numbers here say what the broker and kafkajs did.
 */
const EXPECTED: readonly { code: number; name: string; category: string; wire: number; app: number }[] = [
  // Metadata answered 3 on each of the 3 attempts (retries: 2) before the send was rejected once.
  { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', category: 'retriable', wire: 3, app: 1 },
  // One Produce partition error, one rejected send.
  { code: 10, name: 'MESSAGE_TOO_LARGE', category: 'non_retriable', wire: 1, app: 1 },
  // The fenced producer's EndTxn, one rejected commit.
  { code: 47, name: 'INVALID_PRODUCER_EPOCH', category: 'fatal', wire: 1, app: 1 },
  // kafkajs resolves createTopics with `false`: on the wire only.
  { code: 36, name: 'TOPIC_ALREADY_EXISTS', category: 'non_retriable', wire: 1, app: 0 },
];

let browser: Browser | undefined;
let exporter: Exporter | undefined;
let handle: InstrumentationHandle | undefined;
let url = '';

/** Provokes each error of EXPECTED with the instrumented `kafka` (setup steps go through an uninstrumented one). */
async function provokeErrors(kafka: Kafka): Promise<void> {
  const tooLarge = uniqueName('landing-too-large');
  const existing = uniqueName('landing-exists');
  const txnTopic = uniqueName('landing-txn');
  await createTopics([
    { topic: tooLarge, configEntries: [{ name: 'max.message.bytes', value: '1024' }] },
    { topic: existing },
    { topic: txnTopic },
  ]);

  const producer = kafka.producer();
  await producer.connect();
  try {
    // The harness broker has auto.create.topics.enable=false: 3 on every metadata refresh.
    await rejection(producer.send({ topic: uniqueName('landing-missing'), messages: [{ value: 'v' }] }));
    await rejection(producer.send({ topic: tooLarge, acks: -1, messages: [{ value: 'x'.repeat(4096) }] }));
  } finally {
    await producer.disconnect();
  }

  expect(await withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic: existing }] }))).toBe(
    false,
  );

  // Two producers with one transactional id: the second's InitProducerId fences the first.
  const transactionalId = uniqueName('landing-txn-id');
  const fenced = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await fenced.connect();
  try {
    const first = await fenced.transaction();
    await first.send({ topic: txnTopic, messages: [{ value: 'before the fence' }] });
    const successor = setupKafka().producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await successor.connect();
    await (await successor.transaction()).abort();
    await successor.disconnect();
    await rejection(first.commit());
  } finally {
    await fenced.disconnect();
  }
}

/** Sums a counter family of `/metrics` by `kafka_error_code`, with the category it is labelled with. */
function byCode(
  exposition: string,
  family: string,
): Map<string, { count: number; category: string | undefined }> {
  const out = new Map<string, { count: number; category: string | undefined }>();
  for (const sample of parseExposition(exposition)) {
    if (sample.name !== family) continue;
    const code = sample.labels.kafka_error_code!;
    const entry = out.get(code) ?? { count: 0, category: sample.labels.kafka_error_category };
    entry.count += sample.value;
    out.set(code, entry);
  }
  return out;
}

async function tableRows(page: Page): Promise<TableRow[]> {
  const cells = await page
    .locator('#errors tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
  return cells.map(([code, name, category, count, inResponses, atApplication, recovery]) => ({
    code: code!,
    name: name!,
    category: category!,
    count: count!,
    inResponses: inResponses!,
    atApplication: atApplication!,
    recovery: recovery!,
  }));
}

describeWithKafka('the landing page fed by a real broker', () => {
  beforeAll(async () => {
    // The transaction coordinator's first load (retriable coordinator errors) is paid by an uninstrumented client.
    await warmUpTransactionCoordinator();

    // The exporter `serve` builds; the kafkajs capture reports to its recorder.
    exporter = createExporter({
      options: { ...DEFAULT_OPTIONS, host: '127.0.0.1', port: 0 },
      logger: silentLogger,
    });
    const { recorder } = exporter;
    const kafka = new Kafka({
      clientId: uniqueName('landing'),
      brokers: [...kafkaEnv().brokers],
      retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 },
      logLevel: logLevel.NOTHING,
    });
    handle = instrument(kafka, { recorder });
    ({ url } = await exporter.listen());

    await provokeErrors(kafka);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    handle?.detach();
    await exporter?.close(1000);
  });

  it('shows each code the broker sent with name, category, the counts /metrics reports and the advice', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));

    const response = await page.goto(`${url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('kafka-error-exporter');
    const rows = await tableRows(page);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The same pipeline's scrape, after the page: nothing is recorded in between.
    const exposition = await (await fetch(`${url}/metrics`)).text();
    const wire = byCode(exposition, METRICS.responseErrors.name);
    const app = byCode(exposition, METRICS.operationErrors.name);

    expect(rows).toEqual(
      EXPECTED.map((e) => ({
        code: String(e.code),
        name: e.name,
        category: e.category,
        count: String(e.wire + e.app),
        inResponses: String(e.wire),
        atApplication: String(e.app),
        recovery: lookupCode(e.code)!.recovery,
      })),
    );
    // The page and /metrics agree, code by code: counts and the category label.
    for (const row of rows) {
      const inResponses = wire.get(row.code);
      const atApplication = app.get(row.code);
      expect(row).toMatchObject({
        inResponses: String(inResponses?.count ?? 0),
        atApplication: String(atApplication?.count ?? 0),
        count: String((inResponses?.count ?? 0) + (atApplication?.count ?? 0)),
      });
      for (const series of [inResponses, atApplication]) {
        if (series) expect(series.category, `category of ${row.name} in /metrics`).toBe(row.category);
      }
    }
    // Every code /metrics counts is on the page.
    expect(new Set([...wire.keys(), ...app.keys()])).toEqual(new Set(rows.map((row) => row.code)));

    expect(problems).toEqual([]);
    await page.close();
  });
});

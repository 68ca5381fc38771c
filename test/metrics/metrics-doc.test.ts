import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderMetricsDoc } from '../../scripts/generate-metrics-doc.js';
import { LABELS, METRICS } from '../../src/metrics/names.js';

describe('docs/metrics.md', () => {
  const committed = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');

  it('is current with src/metrics/names.ts (run npm run generate:metrics-doc)', () => {
    expect(committed).toBe(renderMetricsDoc());
  });

  it('documents every family and label', () => {
    for (const def of Object.values(METRICS))
      expect(committed).toContain(`| \`${def.name}\` | \`${def.otelName}\` |`);
    for (const [label, key] of Object.entries(LABELS))
      expect(committed).toContain(`| \`${label}\` | \`${key}\` |`);
  });
});

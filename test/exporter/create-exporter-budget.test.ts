import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../../src/config/options.js';
import { createExporter } from '../../src/exporter/create-exporter.js';
import { silentLogger } from '../../src/logger.js';

describe('createExporter and the series budget', () => {
  it('folds label sets beyond options.seriesBudget into one overflow series of the family', async () => {
    const exporter = createExporter({
      options: { ...DEFAULT_OPTIONS, seriesBudget: 3 },
      logger: silentLogger,
    });
    for (let port = 9000; port < 9010; port++)
      exporter.recorder.response({ clientId: 'c', host: 'b', port }, 0);
    const text = (await exporter.prometheus.metricsResponse('text/plain')).body;
    const responses = text.split('\n').filter((line) => line.startsWith('kafka_client_responses_total{'));
    expect(responses).toHaveLength(3);
    expect(responses.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)).toBe(10);
    expect(responses.some((line) => line.includes('server_address="__other__"'))).toBe(true);
  });
});

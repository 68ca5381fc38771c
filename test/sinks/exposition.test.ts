import { describe, expect, it } from 'vitest';
import { negotiateFormat } from '../../src/sinks/exposition.js';

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['text/plain;version=0.0.4;q=1,*/*;q=0.1', 'prometheus'],
    // Prometheus 2.x and 3.x scrape headers
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    [
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,*/*;q=0.1',
      'openmetrics',
    ],
    ['application/openmetrics-text', 'openmetrics'],
    ['Application/OpenMetrics-Text; version=1.0.0', 'openmetrics'],
    ['application/openmetrics-text;q=0.2,text/plain;q=0.9', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['application/openmetrics-text;q=banana', 'prometheus'],
    ['application/json', 'prometheus'],
  ])('serves %j as %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});

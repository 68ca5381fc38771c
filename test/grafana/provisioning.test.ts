import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '..', '..', 'grafana', 'provisioning');

function load(path: string): Record<string, unknown> {
  return parse(readFileSync(join(dir, path), 'utf8')) as Record<string, unknown>;
}

describe('grafana provisioning', () => {
  it('provides one default Prometheus datasource, the type the dashboards’ datasource variable selects', () => {
    const { apiVersion, datasources } = load('datasources/prometheus.yaml') as {
      apiVersion: number;
      datasources: { type: string; isDefault: boolean; url: string; jsonData: { timeInterval: string } }[];
    };
    expect(apiVersion).toBe(1);
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({
      type: 'prometheus',
      isDefault: true,
      url: 'http://prometheus:9090',
    });
    expect(datasources[0]?.jsonData.timeInterval).toMatch(/^\d+s$/);
  });

  it('loads the dashboards from the directory deploy/compose.yaml mounts them at, read-only', () => {
    const { apiVersion, providers } = load('dashboards/kafka-error-exporter.yaml') as {
      apiVersion: number;
      providers: { type: string; allowUiUpdates: boolean; options: { path: string } }[];
    };
    expect(apiVersion).toBe(1);
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({
      type: 'file',
      allowUiUpdates: false,
      options: { path: '/var/lib/grafana/dashboards' },
    });
  });
});

// Checks deploy/compose.yaml offline: its services, pinned images, ports, mounts of files that exist in the
// repository, and the exporter's hardening and configuration (promtool's check of Prometheus' config:
// compose-promtool.system.test.ts).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ExporterOptions } from '../../src/config/options.js';
import { resolveOptions } from '../../src/config/resolve-options.js';
import { formatHostPort } from '../../src/config/value-types.js';
import {
  binds,
  compose,
  deploy,
  exporter,
  grafana,
  hostPathOf,
  kafka,
  pkg,
  prometheus,
  prometheusConfig,
  published,
  repo,
  runtime,
} from './compose-file.js';
import { execForm, lastOf } from './dockerfile-instructions.js';

/** The options `serve` resolves in the exporter service: its command, environment and mounted files. */
function exporterOptions(): ExporterOptions {
  const [, ...argv] = exporter!.command!;
  const env = Object.fromEntries(Object.entries(exporter!.environment ?? {}).map(([k, v]) => [k, String(v)]));
  const readFile = (path: string): string => readFileSync(hostPathOf(exporter!, path) ?? path, 'utf8');
  const result = resolveOptions({ argv, env, readFile });
  if (result.kind !== 'options') throw new Error('serve --help in compose.yaml');
  return result.options;
}

describe('deploy/compose.yaml', () => {
  it('runs Kafka, the exporter, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['exporter', 'grafana', 'kafka', 'prometheus']);
  });

  it.each([
    ['kafka', /^apache\/kafka:\d+\.\d+\.\d+$/],
    ['prometheus', /^prom\/prometheus:v\d+\.\d+\.\d+$/],
    ['grafana', /^grafana\/grafana:\d+\.\d+\.\d+$/],
  ])('pins the official %s image to an exact version', (name, pattern) => {
    expect(compose.services[name]!.image).toMatch(pattern);
  });

  it('builds the exporter from the repository Dockerfile and tags it with the package version', () => {
    expect(existsSync(join(resolve(deploy, exporter!.build!.context), exporter!.build!.dockerfile))).toBe(
      true,
    );
    expect(resolve(deploy, exporter!.build!.context)).toBe(repo);
    expect(exporter!.image).toBe(`kafka-error-exporter:${pkg.version}`);
  });

  it('publishes every port on loopback only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [address] of published(service)) expect(address, name).toBe('127.0.0.1');
    }
  });

  it.each(
    Object.entries(compose.services).flatMap(([name, service]) =>
      binds(service).map((bind) => [name, relative(repo, bind.host)]),
    ),
  )('%s mounts %s, which exists in the repository', (_name, path) => {
    expect(path.startsWith('..')).toBe(false);
    expect(existsSync(join(repo, path))).toBe(true);
  });

  it('declares every named volume it uses', () => {
    const named = Object.values(compose.services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(':')[0]!)
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect([...new Set(named)].sort()).toEqual(Object.keys(compose.volumes).sort());
  });
});

describe('the kafka service', () => {
  const env = kafka!.environment as Record<string, string | number>;

  it('is a single KRaft node that is its own controller quorum', () => {
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(String(env.KAFKA_LISTENERS)).toContain('CONTROLLER://:9093');
  });

  it('advertises kafka:9092 to containers and the published port to the host', () => {
    const advertised = String(env.KAFKA_ADVERTISED_LISTENERS).split(',');
    expect(advertised).toContain('INTERNAL://kafka:9092');
    const [[, hostPort, containerPort]] = published(kafka!) as [[string, number, number]];
    expect(advertised).toContain(`EXTERNAL://localhost:${hostPort}`);
    expect(String(env.KAFKA_LISTENERS)).toContain(`EXTERNAL://:${containerPort}`);
  });

  it('gives every internal topic one replica', () => {
    const factors = Object.entries(env).filter(([key]) => /REPLICATION_FACTOR|MIN_ISR/.test(key));
    expect(factors.length).toBeGreaterThan(0);
    for (const [key, value] of factors) expect(value, key).toBe(1);
  });
});

describe('the exporter service', () => {
  it('runs hardened: read-only root filesystem, tmpfs /tmp, no capabilities, no privilege escalation', () => {
    expect(exporter).toMatchObject({
      read_only: true,
      tmpfs: ['/tmp'],
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
    });
  });

  it('runs `serve` with a configuration the exporter accepts, publishing its metrics port first', () => {
    const [command] = exporter!.command!;
    expect(command).toBe(execForm(lastOf(runtime, 'CMD'))[0]);
    const options = exporterOptions();
    expect(options.config).not.toBeNull();
    expect(published(exporter!)[0]![2]).toBe(options.port);
    expect(lastOf(runtime, 'EXPOSE').args.split(' ').map(Number)).toContain(options.port);
  });
});

describe("the exporter's Kafka proxy", () => {
  const options = exporterOptions();
  const kafkaEnv = kafka!.environment as Record<string, string | number>;
  const proxyPorts = (): number[] => {
    const { first, last } = options.proxyBrokerPorts;
    return [options.proxyListen.port, ...Array.from({ length: last - first + 1 }, (_, i) => first + i)];
  };

  it("forwards to the kafka service's listener for containers", () => {
    expect(options.proxyUpstream?.map(formatHostPort)).toEqual(['kafka:9092']);
    expect(String(kafkaEnv.KAFKA_ADVERTISED_LISTENERS).split(',')).toContain('INTERNAL://kafka:9092');
  });

  it('publishes its bootstrap port and every broker port on the same host port, on loopback', () => {
    const proxied = published(exporter!).filter(([, , container]) => container !== options.port);
    expect(proxied.map(([, host, container]) => [host, container])).toEqual(
      proxyPorts().map((port) => [port, port]),
    );
  });

  it('listens on every interface of the container and tells host clients 127.0.0.1', () => {
    // Inside the container, loopback would be unreachable through the published ports.
    expect(options.proxyListen.host).toBe('0.0.0.0');
    expect(options.proxyAdvertisedHost).toBe(
      published(exporter!).find(([, , port]) => port === options.proxyListen.port)![0],
    );
  });

  it("gives the kafka service's node id a port of its own in the range (node id n on first+n)", () => {
    const { first, last } = options.proxyBrokerPorts;
    const nodeId = Number(kafkaEnv.KAFKA_NODE_ID);
    expect(first + nodeId).toBeLessThanOrEqual(last);
  });

  it('waits for a healthy kafka service, so that its readiness (the cluster reached once) comes quickly', () => {
    expect(exporter!.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(kafka!.healthcheck?.test.length).toBeGreaterThan(0);
  });
});

describe('the prometheus service', () => {
  const config = prometheusConfig();

  it('scrapes the exporter service on its published container port', () => {
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));
    const [, , port] = published(exporter!)[0]!;
    expect(targets).toEqual([`exporter:${port}`]);
  });

  it('loads the rule files of deploy/prometheus/ and none of their promtool tests', () => {
    const loaded = config.rule_files.flatMap((pattern) => {
      const host = hostPathOf(prometheus!, posix.dirname(pattern))!;
      const glob = new RegExp(`^${posix.basename(pattern).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      return readdirSync(host)
        .filter((file) => glob.test(file))
        .map((file) => join(host, file));
    });
    const rules = readdirSync(join(deploy, 'prometheus')).filter(
      (file) => /\.ya?ml$/.test(file) && !/test/.test(file),
    );
    expect(loaded.map((file) => relative(join(deploy, 'prometheus'), file)).sort()).toEqual(rules.sort());
    expect(rules.length).toBeGreaterThan(0);
  });
});

describe('the grafana service', () => {
  const provisioning = (kind: string): Record<string, unknown>[] => {
    const dir = hostPathOf(grafana!, `/etc/grafana/provisioning/${kind}`)!;
    return readdirSync(dir)
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>);
  };

  it('provisions from grafana/provisioning and reads dashboards from grafana/dashboards', () => {
    expect(binds(grafana!).map(({ host, container }) => [relative(repo, host), container])).toEqual([
      ['grafana/provisioning', '/etc/grafana/provisioning'],
      ['grafana/dashboards', '/var/lib/grafana/dashboards'],
    ]);
  });

  it('loads the dashboards from where they are mounted, and finds them there', () => {
    const providers = provisioning('dashboards').flatMap(
      (file) => file.providers as { options: { path: string } }[],
    );
    expect(providers.length).toBeGreaterThan(0);
    for (const provider of providers) {
      const host = hostPathOf(grafana!, provider.options.path)!;
      expect(readdirSync(host).filter((file) => file.endsWith('.json')).length).toBeGreaterThan(0);
    }
  });

  it('queries the prometheus service at its scrape interval', () => {
    const datasources = provisioning('datasources').flatMap(
      (file) => file.datasources as { type: string; url: string; jsonData?: { timeInterval?: string } }[],
    );
    const prom = datasources.filter((datasource) => datasource.type === 'prometheus');
    expect(prom.map((datasource) => datasource.url)).toEqual(['http://prometheus:9090']);
    const config = parse(
      readFileSync(hostPathOf(prometheus!, '/etc/prometheus/prometheus.yml')!, 'utf8'),
    ) as {
      global: { scrape_interval: string };
    };
    expect(prom[0]!.jsonData?.timeInterval).toBe(config.global.scrape_interval);
    expect(published(prometheus!).map(([, , container]) => container)).toEqual([9090]);
  });
});

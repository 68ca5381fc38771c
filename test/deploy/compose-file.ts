// deploy/compose.yaml as the tests read it: its services, bind mounts and published ports.
import { readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { parse } from 'yaml';
import { finalStage, readStages } from './dockerfile-instructions.js';

export const repo = resolve(import.meta.dirname, '../..');
export const deploy = join(repo, 'deploy');
export const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
export const runtime = finalStage(readStages(readFileSync(join(repo, 'Dockerfile'), 'utf8')));

export interface Service {
  image: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

export const compose = parse(readFileSync(join(deploy, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
export const { kafka, exporter, prometheus, grafana } = compose.services;

/** Bind mounts of a service: host path (absolute) → container path; named volumes are left out. */
export function binds(service: Service): { host: string; container: string }[] {
  return (service.volumes ?? [])
    .map((volume) => volume.split(':'))
    .filter(([source]) => source!.startsWith('.') || source!.startsWith('/'))
    .map(([source, container]) => ({ host: resolve(deploy, source!), container: container! }));
}

/** The host file behind a container path, through the service's bind mounts (longest mount wins). */
export function hostPathOf(service: Service, containerPath: string): string | undefined {
  const mount = binds(service)
    .filter(({ container }) => containerPath === container || containerPath.startsWith(`${container}/`))
    .sort((a, b) => b.container.length - a.container.length)[0];
  return mount && join(mount.host, posix.relative(mount.container, containerPath));
}

/** Published ports as [host address, host port, container port]. */
export function published(service: Service): [string, number, number][] {
  return (service.ports ?? []).map((port) => {
    const [address, host, container] = port.split(':');
    return [address!, Number(host), Number(container)];
  });
}

/** Prometheus' configuration as the compose file mounts it. */
export interface PrometheusConfig {
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}

export function prometheusConfig(): PrometheusConfig {
  return parse(
    readFileSync(hostPathOf(prometheus!, '/etc/prometheus/prometheus.yml')!, 'utf8'),
  ) as PrometheusConfig;
}

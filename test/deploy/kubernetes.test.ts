// Validates deploy/kubernetes/ offline: every object against its schema, the kustomization's file list, the
// sidecar's security, probes and configuration, and the wiring between Deployment, Service and PodMonitor.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PodMonitor, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import type { IContainer } from 'kubernetes-models/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ExporterOptions } from '../../src/config/options.js';
import { resolveOptions } from '../../src/config/resolve-options.js';
import { formatHostPort } from '../../src/config/value-types.js';
import { execForm, finalStage, lastOf, readStages } from './dockerfile-instructions.js';

const repo = resolve(import.meta.dirname, '../..');
const dir = join(repo, 'deploy/kubernetes');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
const runtime = finalStage(readStages(readFileSync(join(repo, 'Dockerfile'), 'utf8')));

/** Generated from the same source as deploy/prometheus/ by the rules generator (scripts/generate-rules.ts). */
const RULE_FILE = 'prometheus-rule.yaml';

interface Kustomization {
  resources: string[];
  configMapGenerator: { name: string; files: string[] }[];
  images: { name: string; newName?: string; newTag?: string }[];
}

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
} & Record<string, unknown>;

function readYaml(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
    return doc.toJS() as unknown;
  });
}

const kustomization = readYaml(join(dir, 'kustomization.yaml'))[0] as Kustomization;

/** `config.yaml=exporter-config.yaml` → the key in the ConfigMap and the file it comes from. */
function generatorFiles(entry: Kustomization['configMapGenerator'][number]): { key: string; file: string }[] {
  return entry.files.map((spec) => {
    const [key = '', file = key] = spec.split('=');
    return { key, file };
  });
}

/** The ConfigMaps kustomize generates (before it appends the content hash to their names). */
const generated: Manifest[] = kustomization.configMapGenerator.map((entry) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: entry.name },
  data: Object.fromEntries(
    generatorFiles(entry).map(({ key, file }) => [key, readFileSync(join(dir, file), 'utf8')]),
  ),
}));

const manifests: Manifest[] = [
  ...kustomization.resources.flatMap((file) => readYaml(join(dir, file)) as Manifest[]),
  ...generated,
];

const MODELS: Record<string, (data: Manifest) => { validate(): void }> = {
  'apps/v1/Deployment': (data) => new Deployment(data),
  'v1/Service': (data) => new Service(data),
  'v1/ConfigMap': (data) => new ConfigMap(data),
  'monitoring.coreos.com/v1/PodMonitor': (data) => new PodMonitor(data as never),
  'monitoring.coreos.com/v1/PrometheusRule': (data) => new PrometheusRule(data as never),
};

function only<T extends Manifest>(kind: string): T {
  const found = manifests.filter((manifest) => manifest.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as T;
}

const deployment = only<Manifest & Deployment>('Deployment');
const pod = deployment.spec!.template.spec!;
const sidecar = (pod.initContainers ?? []).find((container) => container.restartPolicy === 'Always')!;
const app = pod.containers[0]!;
const allContainers = [...(pod.initContainers ?? []), ...pod.containers];
const containerPorts = allContainers.flatMap((container) => container.ports ?? []);

describe('deploy/kubernetes kustomization', () => {
  it('lists every file in the folder, and every file it lists exists', () => {
    const listed = [
      'kustomization.yaml',
      ...kustomization.resources,
      ...kustomization.configMapGenerator.flatMap((entry) => generatorFiles(entry).map(({ file }) => file)),
    ];
    expect(readdirSync(dir).sort()).toEqual([...listed].sort());
    expect(kustomization.resources).toContain(RULE_FILE);
  });

  it('rewrites only the exporter image, whose tag is the package version', () => {
    expect(kustomization.images.map((image) => image.name)).toEqual(['kafka-error-exporter']);
    expect(kustomization.images[0]!.newTag).toBeUndefined();
    expect(sidecar.image).toBe(`kafka-error-exporter:${pkg.version}`);
  });
});

describe('deploy/kubernetes objects', () => {
  it.each(manifests.map((manifest) => [`${manifest.kind}/${manifest.metadata.name}`, manifest] as const))(
    '%s validates against its schema',
    (_name, manifest) => {
      const model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(model, `no schema for ${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
      expect(() => model!(manifest).validate()).not.toThrow();
    },
  );

  it.each(allContainers.map((container) => [container.name, container.image] as const))(
    'container %s pins its image to a version tag (%s)',
    (_name, image) => {
      expect(image).toMatch(/^[a-z0-9./-]+:(?!latest$)[\w.-]+$/);
    },
  );
});

/** The options `serve` resolves in the sidecar: its args, its environment and the files mounted into it. */
function sidecarOptions(): ExporterOptions {
  const [, ...argv] = sidecar.args!;
  const files = new Map<string, string>();
  for (const mount of sidecar.volumeMounts ?? []) {
    const volume = pod.volumes!.find((candidate) => candidate.name === mount.name)!;
    const configMap = generated.find((manifest) => manifest.metadata.name === volume.configMap?.name);
    for (const [key, text] of Object.entries((configMap?.data ?? {}) as Record<string, string>)) {
      files.set(`${mount.mountPath}/${key}`, text);
    }
  }
  const env = Object.fromEntries((sidecar.env ?? []).map((variable) => [variable.name, variable.value]));
  const readFile = (path: string): string => {
    const text = files.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
  const result = resolveOptions({ argv, env, readFile });
  if (result.kind !== 'options') throw new Error(`the sidecar's serve resolves to ${result.kind}`);
  return result.options;
}

describe('the exporter sidecar', () => {
  it('is a native sidecar: an init container with restartPolicy Always', () => {
    expect(sidecar).toBeDefined();
    expect(sidecar.name).toBe('kafka-error-exporter');
  });

  it('runs `serve` with a configuration the exporter accepts, listening on its metrics port', () => {
    const [command] = sidecar.args!;
    expect(command).toBe(execForm(lastOf(runtime, 'CMD'))[0]);
    const options = sidecarOptions();
    expect(options.config).not.toBeNull();
    const metrics = sidecar.ports!.find((port) => port.name === 'metrics')!;
    expect(metrics.containerPort).toBe(options.port);
    expect(lastOf(runtime, 'EXPOSE').args.split(' ').map(Number)).toContain(metrics.containerPort);
    // Within the pod's grace period, so that in-flight scrapes and proxied connections finish before the kill.
    expect(options.shutdownTimeout).toBeLessThan((pod.terminationGracePeriodSeconds ?? 30) * 1000);
  });

  it.each([
    ['livenessProbe', '/healthz'],
    ['readinessProbe', '/readyz'],
    ['startupProbe', '/readyz'],
  ] as const)('has a %s on %s of the metrics port', (probe, path) => {
    expect(sidecar[probe]?.httpGet).toMatchObject({ path, port: 'metrics' });
  });

  it('writes only to an emptyDir on /tmp', () => {
    const tmp = sidecar.volumeMounts!.find((mount) => mount.mountPath === '/tmp')!;
    expect(pod.volumes!.find((volume) => volume.name === tmp.name)?.emptyDir).toBeDefined();
    const others = sidecar.volumeMounts!.filter((mount) => mount !== tmp);
    expect(others.every((mount) => mount.readOnly === true)).toBe(true);
  });

  it("runs as the image's USER", () => {
    const [uid, gid] = lastOf(runtime, 'USER').args.split(':').map(Number);
    expect([sidecar.securityContext?.runAsUser, sidecar.securityContext?.runAsGroup]).toEqual([uid, gid]);
  });
});

describe("the sidecar's Kafka proxy", () => {
  const options = sidecarOptions();
  const appEnv = Object.fromEntries((app.env ?? []).map((variable) => [variable.name, variable.value]));
  const proxyPorts = (): number[] => {
    const { first, last } = options.proxyBrokerPorts;
    return [options.proxyListen.port, ...Array.from({ length: last - first + 1 }, (_, i) => first + i)];
  };

  it('forwards to the cluster named in the configuration, not to itself', () => {
    expect(options.proxyUpstream).not.toBeNull();
    expect(options.proxyUpstream!.length).toBeGreaterThan(0);
    for (const server of options.proxyUpstream!) {
      expect(server.host).not.toMatch(/^(127\.|localhost$|::1$)/);
    }
  });

  it("is the application's only bootstrap address: the pod's loopback, where the proxy listens", () => {
    expect(options.proxyListen.host).toBe('127.0.0.1');
    // Rewritten broker addresses carry the listen host too, so every connection stays on the pod.
    expect(options.proxyAdvertisedHost ?? options.proxyListen.host).toBe('127.0.0.1');
    expect(appEnv.KAFKA_BOOTSTRAP_SERVERS).toBe(formatHostPort(options.proxyListen));
    // No variable of the application names a broker: nothing to bypass the proxy with.
    const upstream = options.proxyUpstream!.map(formatHostPort);
    for (const value of Object.values(appEnv)) {
      for (const server of upstream) expect(value ?? '').not.toContain(server);
    }
  });

  it('listens on ports no container of the pod uses, and that neither Service nor pod publishes', () => {
    const taken = new Set(containerPorts.map((port) => port.containerPort));
    for (const port of proxyPorts()) expect(taken.has(port), String(port)).toBe(false);
    expect(proxyPorts()).not.toContain(options.port);
    const service = only<Manifest & Service>('Service');
    const targets = service.spec!.ports!.map((port) => port.targetPort ?? port.port);
    for (const port of proxyPorts()) expect(targets).not.toContain(port);
  });

  it("uses the image's exposed proxy ports", () => {
    const exposed = lastOf(runtime, 'EXPOSE').args.split(' ');
    const { first, last } = options.proxyBrokerPorts;
    expect(exposed).toContain(String(options.proxyListen.port));
    expect(exposed).toContain(`${first}-${last}`);
  });

  it('holds the application back until /readyz, i.e. until the proxy reached the cluster, with room for it', () => {
    const startup = sidecar.startupProbe!;
    expect(startup.httpGet).toMatchObject({ path: '/readyz', port: 'metrics' });
    // The sidecar is an init container: the application container starts only after its startup probe.
    expect(pod.initContainers!.indexOf(sidecar)).toBeGreaterThanOrEqual(0);
    const budgetMs = (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3) * 1000;
    expect(budgetMs).toBeGreaterThanOrEqual(60_000);
    expect(budgetMs).toBeGreaterThan(options.proxyConnectTimeout * 4);
  });
});

describe('pod security', () => {
  it('runs the pod as non-root with the RuntimeDefault seccomp profile and no service account token', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it.each(allContainers.map((container) => [container.name, container] as const))(
    'container %s is restricted: non-root, read-only root filesystem, no escalation, no capabilities',
    (_name, container: IContainer) => {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.securityContext?.capabilities?.add).toBeUndefined();
    },
  );

  it.each(allContainers.map((container) => [container.name, container] as const))(
    'container %s requests and limits CPU and memory',
    (_name, container: IContainer) => {
      for (const kind of ['requests', 'limits'] as const) {
        expect(Object.keys(container.resources?.[kind] ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    },
  );

  it('mounts only volumes the pod declares', () => {
    const declared = new Set(pod.volumes!.map((volume) => volume.name));
    for (const mount of allContainers.flatMap((container) => container.volumeMounts ?? [])) {
      expect(declared.has(mount.name), mount.name).toBe(true);
    }
    expect(app.volumeMounts?.some((mount) => mount.mountPath === '/tmp')).toBe(true);
  });
});

describe('wiring', () => {
  const podLabels = deployment.spec!.template.metadata!.labels!;

  it('selects the pods it manages', () => {
    expect(podLabels).toMatchObject(deployment.spec!.selector.matchLabels!);
  });

  it('Service selects the pods and targets ports they declare', () => {
    const service = only<Manifest & Service>('Service');
    expect(podLabels).toMatchObject(service.spec!.selector!);
    for (const port of service.spec!.ports!) {
      const target = port.targetPort ?? port.port;
      const found = containerPorts.find((candidate) =>
        typeof target === 'number' ? candidate.containerPort === target : candidate.name === target,
      );
      expect(found, `${port.name} → ${target}`).toBeDefined();
    }
  });

  it('PodMonitor selects the pods and scrapes /metrics on the sidecar metrics port', () => {
    const monitor = only<Manifest & PodMonitor>('PodMonitor');
    expect(podLabels).toMatchObject(monitor.spec.selector.matchLabels!);
    expect(monitor.spec.podMetricsEndpoints).toHaveLength(1);
    const endpoint = monitor.spec.podMetricsEndpoints[0]!;
    expect(endpoint).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect(sidecar.ports!.map((port) => port.name)).toContain(endpoint.port);
  });

  it('PrometheusRule carries the KafkaClient and KafkaErrorExporter alerts of deploy/prometheus/', () => {
    const rule = only<Manifest & PrometheusRule>('PrometheusRule');
    const fromFiles = readdirSync(join(repo, 'deploy/prometheus'))
      .filter((file) => /\.rules\.ya?ml$/.test(file))
      .flatMap(
        (file) => (readYaml(join(repo, 'deploy/prometheus', file))[0] as PrometheusRule['spec']).groups ?? [],
      );
    // The same rules as the files Prometheus loads directly (compose), so both installs alert alike.
    expect(rule.spec.groups).toEqual(fromFiles);
    const alerts = (rule.spec.groups ?? [])
      .flatMap((group) => group.rules ?? [])
      .flatMap((r) => r.alert ?? []);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((name) => /^Kafka(Client|ErrorExporter)[A-Z]/.test(name))).toBe(true);
    expect(alerts.some((name) => name.startsWith('KafkaErrorExporter'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/config/config-error.js';
import { OPTION_TABLE } from '../../src/config/option-table.js';
import { DEFAULT_OPTIONS } from '../../src/config/options.js';
import type { ExporterOptions } from '../../src/config/options.js';
import { resolveOptions } from '../../src/config/resolve-options.js';

type Files = Record<string, string>;

function reader(files: Files) {
  return (path: string): string => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

function resolve(argv: string[], env: Record<string, string> = {}, files: Files = {}): ExporterOptions {
  const result = resolveOptions({ argv, env, readFile: reader(files) });
  if (result.kind !== 'options') throw new Error('expected options');
  return result.options;
}

function failure(
  argv: string[],
  env: Record<string, string> = {},
  files: Files = {},
): { key: string; message: string } {
  try {
    resolve(argv, env, files);
  } catch (error) {
    if (isConfigError(error)) return { key: error.key, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveOptions', () => {
  it('gives the frozen defaults when nothing is set', () => {
    const options = resolve([]);
    expect(options).toEqual(DEFAULT_OPTIONS);
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(DEFAULT_OPTIONS)).toBe(true);
  });

  it('ignores environment variables without the prefix', () => {
    expect(resolve([], { PORT: '1', HOME: '/root' })).toEqual(DEFAULT_OPTIONS);
  });

  it('returns help for --help and -h, whatever else is given', () => {
    for (const argv of [['--help'], ['-h'], ['--bogus', '--help']]) {
      expect(resolveOptions({ argv, env: {}, readFile: reader({}) })).toEqual({ kind: 'help' });
    }
  });

  describe('precedence: flags > environment > file > defaults', () => {
    const file = { '/c.yaml': 'port: 1001\nlogLevel: debug\nhost: 127.0.0.1\n' };
    it.each([
      ['the file over the default', [], {}, 1001],
      ['the environment over the file', [], { KAFKA_ERROR_EXPORTER_PORT: '1002' }, 1002],
      ['a flag over the environment', ['--port', '1003'], { KAFKA_ERROR_EXPORTER_PORT: '1002' }, 1003],
      ['an empty variable counts as unset', [], { KAFKA_ERROR_EXPORTER_PORT: '' }, 1001],
    ])('%s', (_name, argv, env, port) => {
      const options = resolve(['--config', '/c.yaml', ...argv], env, file);
      expect(options.port).toBe(port);
      expect(options.logLevel).toBe('debug');
      expect(options.host).toBe('127.0.0.1');
      expect(options.config).toBe('/c.yaml');
    });

    it('finds the file through its environment variable', () => {
      expect(resolve([], { KAFKA_ERROR_EXPORTER_CONFIG: '/c.yaml' }, file).port).toBe(1001);
    });

    it('reads JSON files', () => {
      expect(
        resolve(['--config', '/c.json'], {}, { '/c.json': '{"port": 2000, "topicLabel": true}' }),
      ).toMatchObject({
        port: 2000,
        topicLabel: true,
      });
    });

    it('treats an empty file as no settings', () => {
      expect(resolve(['--config', '/e.yaml'], {}, { '/e.yaml': '' })).toEqual({
        ...DEFAULT_OPTIONS,
        config: '/e.yaml',
      });
    });

    it('merges category overrides entry by entry, the higher source winning per code', () => {
      const options = resolve(
        [
          '--config',
          '/o.yaml',
          '--category-override',
          '3=fatal',
          '--category-override=REBALANCE_IN_PROGRESS=fatal',
        ],
        { KAFKA_ERROR_EXPORTER_CATEGORY_OVERRIDES: '3=retriable, 7=fatal' },
        { '/o.yaml': 'categoryOverrides:\n  7: retriable\n  "10": fatal\n' },
      );
      expect(options.categoryOverrides).toEqual({
        '3': 'fatal',
        '7': 'fatal',
        '10': 'fatal',
        '27': 'fatal',
      });
      expect(Object.isFrozen(options.categoryOverrides)).toBe(true);
    });
  });

  describe('values', () => {
    it.each<[string, string[], Partial<ExporterOptions>]>([
      ['a port', ['--port', '0'], { port: 0 }],
      ['a port with =', ['--port=65535'], { port: 65535 }],
      ['an IPv6 host in brackets', ['--host', '[::1]'], { host: '::1' }],
      ['a boolean switch', ['--topic-label'], { topicLabel: true }],
      ['a negated switch', ['--topic-label', '--no-topic-label'], { topicLabel: false }],
      ['a boolean with =', ['--topic-label=false'], { topicLabel: false }],
      ['a cap', ['--topic-label-cap', '5', '--client-id-cap', '0'], { topicLabelCap: 5, clientIdCap: 0 }],
      ['a frame limit', ['--max-frame-bytes', '67108864'], { maxFrameBytes: 67_108_864 }],
      ['a duration in seconds', ['--shutdown-timeout', '30s'], { shutdownTimeout: 30_000 }],
      ['a duration in milliseconds', ['--shutdown-timeout', '250ms'], { shutdownTimeout: 250 }],
      ['a duration in minutes', ['--otlp-interval', '1.5m'], { otlpInterval: 90_000 }],
      [
        'a URL',
        ['--otlp-endpoint', 'http://127.0.0.1:4318/v1/metrics'],
        { otlpEndpoint: 'http://127.0.0.1:4318/v1/metrics' },
      ],
      ['a log level', ['--log-level', 'silent'], { logLevel: 'silent' }],
      [
        'a code override with leading zeros',
        ['--category-override', '027=fatal'],
        { categoryOverrides: { '27': 'fatal' } },
      ],
      [
        'a negative code override',
        ['--category-override', '-1=fatal'],
        { categoryOverrides: { '-1': 'fatal' } },
      ],
    ])('reads %s', (_name, argv, expected) => {
      expect(resolve(argv)).toMatchObject(expected);
    });

    it('reads typed values from a file', () => {
      const yaml = 'port: "9000"\ntopicLabel: "true"\nshutdownTimeout: 2s\notlpEndpoint: null\n';
      expect(resolve(['--config', '/t.yaml'], {}, { '/t.yaml': yaml })).toMatchObject({
        port: 9000,
        topicLabel: true,
        shutdownTimeout: 2000,
        otlpEndpoint: null,
      });
    });
  });

  describe('errors name the key and the value', () => {
    it.each<[string, string[], Record<string, string>, Files, string, RegExp]>([
      [
        'an unknown flag, with a suggestion',
        ['--prot', '1'],
        {},
        {},
        '--prot',
        /unknown option "--prot" \(did you mean --port\?\)/,
      ],
      [
        'an unknown flag far from any',
        ['--zzzzzzzz'],
        {},
        {},
        '--zzzzzzzz',
        /^unknown option "--zzzzzzzz"; see serve --help$/,
      ],
      ['a positional argument', ['9464'], {}, {}, '9464', /unexpected argument "9464"/],
      ['a flag without its value', ['--port'], {}, {}, 'port', /option --port needs a value <port>/],
      ['a flag followed by another flag', ['--port', '--host', 'x'], {}, {}, 'port', /--port needs a value/],
      [
        'a port that is not a number',
        ['--port', 'http'],
        {},
        {},
        'port',
        /invalid value "http" for port \(--port\): expected an integer from 0 to 65535/,
      ],
      [
        'a port out of range',
        [],
        { KAFKA_ERROR_EXPORTER_PORT: '70000' },
        {},
        'port',
        /invalid value "70000" for port \(KAFKA_ERROR_EXPORTER_PORT\)/,
      ],
      ['a fractional port', ['--port', '80.5'], {}, {}, 'port', /invalid value "80.5" for port/],
      [
        'an unknown variable, with a suggestion',
        [],
        { KAFKA_ERROR_EXPORTER_PROT: '1' },
        {},
        'KAFKA_ERROR_EXPORTER_PROT',
        /unknown environment variable KAFKA_ERROR_EXPORTER_PROT \(did you mean KAFKA_ERROR_EXPORTER_PORT\?\)/,
      ],
      [
        'a bad log level',
        ['--log-level', 'loud'],
        {},
        {},
        'logLevel',
        /invalid value "loud" for logLevel \(--log-level\): expected one of debug, info, warn, error, silent/,
      ],
      [
        'a bad boolean',
        [],
        { KAFKA_ERROR_EXPORTER_TOPIC_LABEL: 'yes please' },
        {},
        'topicLabel',
        /invalid value "yes please" for topicLabel .*expected true or false/,
      ],
      [
        'a duration without a unit',
        ['--shutdown-timeout', '10'],
        {},
        {},
        'shutdownTimeout',
        /invalid value "10" for shutdownTimeout .*with a unit/,
      ],
      [
        'a duration out of range',
        ['--otlp-interval', '10ms'],
        {},
        {},
        'otlpInterval',
        /invalid value "10ms" for otlpInterval .*from 1s to 1h/,
      ],
      [
        'a cap out of range',
        ['--topic-label-cap', '-1'],
        {},
        {},
        'topicLabelCap',
        /invalid value "-1" for topicLabelCap/,
      ],
      [
        'a frame limit below 1 KiB',
        ['--max-frame-bytes', '100'],
        {},
        {},
        'maxFrameBytes',
        /invalid value "100" for maxFrameBytes/,
      ],
      [
        'a URL with another scheme',
        ['--otlp-endpoint', 'ftp://x'],
        {},
        {},
        'otlpEndpoint',
        /invalid value "ftp:\/\/x" for otlpEndpoint .*http:\/\/ or https:\/\//,
      ],
      [
        'a URL with credentials, not echoed',
        ['--otlp-endpoint', 'http://u:s3cret@h/'],
        {},
        {},
        'otlpEndpoint',
        /^otlpEndpoint \(--otlp-endpoint\) must not contain credentials$/,
      ],
      [
        'a bad category',
        ['--category-override', '27=sometimes'],
        {},
        {},
        'categoryOverrides.27',
        /invalid value "sometimes" for categoryOverrides.27 \(--category-override\): expected retriable, non_retriable, fatal/,
      ],
      [
        'a bad code key',
        [],
        { KAFKA_ERROR_EXPORTER_CATEGORY_OVERRIDES: 'rebalance=fatal' },
        {},
        'categoryOverrides.rebalance',
        /invalid value "rebalance" for categoryOverrides.rebalance/,
      ],
      [
        'an override without =',
        ['--category-override', '27'],
        {},
        {},
        'categoryOverrides',
        /invalid value "27" for categoryOverrides/,
      ],
      [
        'an unknown key in the file',
        ['--config', '/u.yaml'],
        {},
        { '/u.yaml': 'prot: 1\n' },
        'prot',
        /unknown key "prot" in \/u.yaml \(did you mean port\?\)/,
      ],
      [
        'a bad value in the file',
        ['--config', '/b.yaml'],
        {},
        { '/b.yaml': 'port: [1]\n' },
        'port',
        /invalid value "\[1\]" for port \(\/b.yaml\)/,
      ],
      [
        'the config key inside the file',
        ['--config', '/s.yaml'],
        {},
        { '/s.yaml': 'config: other.yaml\n' },
        'config',
        /key "config" cannot be set inside \/s.yaml/,
      ],
      [
        'a missing file',
        ['--config', '/missing.yaml'],
        {},
        {},
        'config',
        /cannot read config file "\/missing.yaml": ENOENT/,
      ],
      [
        'a file that does not parse',
        ['--config', '/p.yaml'],
        {},
        { '/p.yaml': 'port: [1\n' },
        'config',
        /cannot parse config file "\/p.yaml"/,
      ],
      [
        'a JSON file that does not parse',
        ['--config', '/p.json'],
        {},
        { '/p.json': '{port:' },
        'config',
        /cannot parse config file "\/p.json"/,
      ],
      [
        'a file that is a list',
        ['--config', '/l.yaml'],
        {},
        { '/l.yaml': '- 1\n' },
        'config',
        /must hold a mapping/,
      ],
    ])('%s', (_name, argv, env, files, key, message) => {
      const error = failure(argv, env, files);
      expect(error.key).toBe(key);
      expect(error.message).toMatch(message);
    });

    it('bounds a huge value in the message', () => {
      const error = failure(['--port', 'x'.repeat(10_000)]);
      expect(error.message.length).toBeLessThan(200);
    });
  });
});

describe('proxy options', () => {
  it('reads upstream lists from a flag, a variable and a file list', () => {
    expect(resolve(['--proxy-upstream', 'kafka-1:9092, 10.0.0.2:9093,[::1]:9094']).proxyUpstream).toEqual([
      { host: 'kafka-1', port: 9092 },
      { host: '10.0.0.2', port: 9093 },
      { host: '::1', port: 9094 },
    ]);
    expect(resolve([], { KAFKA_ERROR_EXPORTER_PROXY_UPSTREAM: 'b:1' }).proxyUpstream).toEqual([
      { host: 'b', port: 1 },
    ]);
    const files = { '/c.yaml': 'proxyUpstream: [a:9092, b:9092]\nproxyBrokerPorts: 20000-20099\n' };
    const options = resolve(['--config', '/c.yaml'], {}, files);
    expect(options.proxyUpstream).toHaveLength(2);
    expect(options.proxyBrokerPorts).toEqual({ first: 20000, last: 20099 });
  });

  it('defaults to no proxy, a loopback bootstrap listener on 19092 and broker ports above it', () => {
    const options = resolve([]);
    expect(options.proxyUpstream).toBeNull();
    expect(options.proxyListen).toEqual({ host: '127.0.0.1', port: 19092 });
    expect(options.proxyBrokerPorts).toEqual({ first: 19093, last: 19192 });
    expect(options.proxyMaxConnections).toBe(1000);
  });

  it('reads the connection limit from a flag and a variable', () => {
    expect(resolve(['--proxy-max-connections', '64']).proxyMaxConnections).toBe(64);
    expect(resolve([], { KAFKA_ERROR_EXPORTER_PROXY_MAX_CONNECTIONS: '5000' }).proxyMaxConnections).toBe(
      5000,
    );
  });

  it.each<[string[], RegExp]>([
    [
      ['--proxy-upstream', 'kafka-1'],
      /invalid value "kafka-1" for proxyUpstream \(--proxy-upstream\): expected host:port/,
    ],
    [['--proxy-upstream', 'a:0'], /proxyUpstream.*port 1-65535/],
    [['--proxy-upstream', ' , '], /expected a comma-separated list of host:port/],
    [['--proxy-listen', 'x:99999'], /proxyListen/],
    [['--proxy-broker-ports', '20-10'], /expected a port range first-last/],
    [['--proxy-broker-ports', '1000-90000'], /proxyBrokerPorts/],
    [['--proxy-broker-ports', '19000-19100'], /includes the port of proxyListen \(19092\)/],
    [['--proxy-max-connections', '0'], /proxyMaxConnections \(--proxy-max-connections\)/],
  ])('refuses %j', (argv, message) => {
    expect(failure(argv).message).toMatch(message);
  });
});

describe('resolveOptions for zero-code mode: the options only serve uses', () => {
  const serveOnly = OPTION_TABLE.filter((spec) => !spec.entryPoints.includes('zero-code'));
  const zeroCode = (env: Record<string, string>, files: Files = {}) =>
    resolveOptions({ entryPoint: 'zero-code', argv: [], env, readFile: reader(files) });

  it('are the Kafka proxy options', () => {
    expect(serveOnly.map((spec) => spec.key)).toEqual([
      'proxyUpstream',
      'proxyListen',
      'proxyBrokerPorts',
      'proxyAdvertisedHost',
      'proxyConnectTimeout',
      'proxyMaxConnections',
      'proxyTls',
      'proxyTlsCaFile',
      'proxyTlsCertFile',
      'proxyTlsKeyFile',
      'proxyTlsServerName',
    ]);
  });

  it.each(serveOnly.map((spec) => [spec.key] as const))(
    'sets %s of the configuration file aside, unvalidated: its variable may name a file serve shares',
    (key) => {
      const files = { '/c.yaml': `port: 1\n${key}: not a value of any type\n` };
      expect(zeroCode({ KAFKA_ERROR_EXPORTER_CONFIG: '/c.yaml' }, files)).toEqual({
        kind: 'options',
        options: { ...DEFAULT_OPTIONS, port: 1, config: '/c.yaml' },
        ignoredSettings: [`key "${key}" in /c.yaml`],
      });
    },
  );

  it('sets their variables aside, unvalidated, and lists them', () => {
    const env = Object.fromEntries(serveOnly.map((spec) => [spec.env, 'not a value of any type']));
    const result = zeroCode({ ...env, KAFKA_ERROR_EXPORTER_PORT: '1' });
    expect(result).toEqual({
      kind: 'options',
      options: { ...DEFAULT_OPTIONS, port: 1 },
      ignoredSettings: serveOnly.map((spec) => spec.env),
    });
  });

  it('still refuses an unknown variable', () => {
    expect(() => zeroCode({ KAFKA_ERROR_EXPORTER_PROXY_UPSTREM: 'x:1' })).toThrow(
      /unknown environment variable KAFKA_ERROR_EXPORTER_PROXY_UPSTREM \(did you mean KAFKA_ERROR_EXPORTER_PROXY_UPSTREAM\?\)/,
    );
  });

  it('takes every other option, from variables and the file alike', () => {
    const files = {
      '/c.yaml':
        'otlpEndpoint: http://collector:4318/v1/metrics\notlpInterval: 5s\ntopicLabel: true\nmaxFrameBytes: 2048\n',
    };
    const result = zeroCode(
      { KAFKA_ERROR_EXPORTER_CONFIG: '/c.yaml', KAFKA_ERROR_EXPORTER_SHUTDOWN_TIMEOUT: '2s' },
      files,
    );
    expect(result).toMatchObject({
      kind: 'options',
      options: {
        otlpEndpoint: 'http://collector:4318/v1/metrics',
        otlpInterval: 5_000,
        shutdownTimeout: 2_000,
        topicLabel: true,
        maxFrameBytes: 2048,
      },
      ignoredSettings: [],
    });
  });
});

describe('proxy TLS options', () => {
  it('reads TLS to the brokers and its files', () => {
    const options = resolve([
      '--proxy-upstream',
      'k:9093',
      '--proxy-tls',
      '--proxy-tls-ca-file',
      '/etc/kafka/ca.pem',
      '--proxy-tls-server-name',
      'kafka.internal',
    ]);
    expect(options).toMatchObject({
      proxyTls: true,
      proxyTlsCaFile: '/etc/kafka/ca.pem',
      proxyTlsServerName: 'kafka.internal',
      proxyTlsCertFile: null,
    });
  });

  it.each<[string[], RegExp]>([
    [['--proxy-tls-ca-file', '/ca.pem'], /proxyTlsCaFile given without proxyTls: set --proxy-tls/],
    [['--proxy-tls', '--proxy-tls-cert-file', '/c.pem'], /proxyTlsCertFile and proxyTlsKeyFile go together/],
  ])('refuses %j', (argv, message) => {
    expect(failure(argv).message).toMatch(message);
  });
});

describe('series budget', () => {
  it('reads the budget, default 2000, and refuses 0', () => {
    expect(resolve([]).seriesBudget).toBe(2000);
    expect(resolve(['--series-budget', '500']).seriesBudget).toBe(500);
    expect(resolve([], { KAFKA_ERROR_EXPORTER_SERIES_BUDGET: '750' }).seriesBudget).toBe(750);
    expect(failure(['--series-budget', '0']).message).toMatch(/seriesBudget.*an integer from 1 to 1000000/);
  });
});

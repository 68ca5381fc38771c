// Flags > environment > file > defaults, validated once into one frozen options object.
import { validateOverrides } from '../codes/classify.js';
import { ConfigError, quoteValue } from './config-error.js';
import { notUsedBy } from './entry-points.js';
import type { EntryPoint } from './entry-points.js';
import { readMappingFile } from './config-file.js';
import type { ReadTextFile } from './config-file.js';
import { OPTION_TABLE } from './option-table.js';
import type { OptionSpec } from './option-table.js';
import { DEFAULT_OPTIONS, ENV_PREFIX } from './options.js';
import type { ExporterOptions } from './options.js';
import { parseArgv } from './parse-argv.js';
import type { RawValue } from './parse-argv.js';
import { suggest } from './suggest.js';
import { parseValue } from './value-types.js';

export interface ResolveInput {
  /** Who asks: options it does not use are refused (flags, file keys) or set aside (variables). @default 'serve' */
  readonly entryPoint?: EntryPoint;
  /** The arguments after `serve`. */
  readonly argv: readonly string[];
  /** The process environment; only variables starting with the prefix are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: ReadTextFile;
}

export type ResolveResult =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'options';
      readonly options: ExporterOptions;
      /**
       * Settings for options the entry point does not use, neither validated nor applied: variables, and keys of
       * a configuration file named by a variable, since the environment (and so the file) may be shared with the
       * other entry point. Warn about them once (`ignoredSettingsWarning`).
       */
      readonly ignoredSettings: readonly string[];
    };

const BY_ENV = new Map(OPTION_TABLE.map((spec) => [spec.env, spec]));
const BY_KEY = new Map(OPTION_TABLE.map((spec) => [spec.key as string, spec]));

function fromEnv(env: ResolveInput['env']): RawValue[] {
  const values: RawValue[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX)) continue;
    const spec = BY_ENV.get(name);
    if (!spec) {
      const hint = suggest(name, [...BY_ENV.keys()]);
      throw new ConfigError(
        name,
        `unknown environment variable ${name}${hint ? ` (did you mean ${hint}?)` : ''}; see serve --help`,
      );
    }
    // An empty variable is "not set", as shells and Kubernetes manifests often leave them.
    if (raw === undefined || raw === '') continue;
    values.push({ spec, raw, where: name });
  }
  return values;
}

/**
 * The values of a configuration file. Keys of options `entry` does not use are refused, or, in a file named by an
 * environment variable (which the other entry point may share), set aside in `ignored`.
 */
function fromFile(
  path: string,
  readFile: ReadTextFile,
  entry: EntryPoint,
  shared: boolean,
): { values: RawValue[]; ignored: string[] } {
  const mapping = readMappingFile(path, 'config', readFile);
  const ignored: string[] = [];
  const values = Object.entries(mapping).flatMap(([key, raw]): RawValue[] => {
    const spec = BY_KEY.get(key);
    if (!spec) {
      const hint = suggest(key, [...BY_KEY.keys()]);
      throw new ConfigError(
        key,
        `unknown key ${quoteValue(key)} in ${path}${hint ? ` (did you mean ${hint}?)` : ''}; see serve --help`,
      );
    }
    if (spec.notInFile) throw new ConfigError(key, `key ${quoteValue(key)} cannot be set inside ${path}`);
    if (!spec.entryPoints.includes(entry)) {
      const what = `key ${quoteValue(key)} in ${path}`;
      if (!shared) throw new ConfigError(key, notUsedBy(what, spec.entryPoints, entry));
      ignored.push(what);
      return [];
    }
    return [{ spec, raw, where: path }];
  });
  return { values, ignored };
}

function apply(target: Record<string, unknown>, value: RawValue): void {
  const parsed = parseValue(value.spec.type, value.raw, { key: value.spec.key, where: value.where });
  if (value.spec.type.kind === 'category-map') {
    target[value.spec.key] = Object.freeze({ ...(target[value.spec.key] as object), ...(parsed as object) });
  } else {
    target[value.spec.key] = parsed;
  }
}

/**
 * Resolves the options of an entry point: defaults, then the configuration file (`--config` or its environment
 * variable), then environment variables, then flags, each validated by the option table. A flag or file key of
 * an option the entry point does not use is refused; such a variable, or such a key of a file named by a variable,
 * is set aside, unvalidated, and listed in `ignoredSettings`.
 * @returns `help` when `--help` was asked for, else the frozen options.
 * @throws ConfigError naming the key and value at fault (exit code 2), or the entry point that does not use it.
 */
export function resolveOptions(input: ResolveInput): ResolveResult {
  const entry = input.entryPoint ?? 'serve';
  const argv = parseArgv(input.argv);
  if (argv.help) return { kind: 'help' };
  for (const value of argv.values) {
    if (!value.spec.entryPoints.includes(entry)) {
      throw new ConfigError(
        value.spec.key,
        notUsedBy(`option ${value.where}`, value.spec.entryPoints, entry),
      );
    }
  }
  const allEnv = fromEnv(input.env);
  const env = allEnv.filter((value) => value.spec.entryPoints.includes(entry));
  const ignoredSettings = allEnv.filter((value) => !env.includes(value)).map((value) => value.where);
  const configSpec = BY_KEY.get('config') as OptionSpec;
  const configValue = [...argv.values, ...env].find((value) => value.spec === configSpec);
  const configPath = configValue
    ? (parseValue(configSpec.type, configValue.raw, { key: 'config', where: configValue.where }) as string)
    : null;
  // A file named by a flag is this process's own; one named by a variable may be shared with the other entry point.
  const fromFlag = configValue !== undefined && argv.values.includes(configValue);
  const { values: file, ignored } =
    configPath === null
      ? { values: [], ignored: [] }
      : fromFile(configPath, input.readFile, entry, !fromFlag);
  ignoredSettings.push(...ignored);

  const resolved: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const value of [...file, ...env, ...argv.values]) apply(resolved, value);
  try {
    // The registry's own rules on top of the syntax: INT16 codes, no override of code 0.
    validateOverrides(resolved.categoryOverrides);
  } catch (error) {
    throw new ConfigError('categoryOverrides', `invalid categoryOverrides: ${(error as Error).message}`);
  }
  checkProxyPorts(resolved as unknown as ExporterOptions);
  checkProxyTls(resolved as unknown as ExporterOptions);
  return {
    kind: 'options',
    options: Object.freeze(resolved) as unknown as ExporterOptions,
    ignoredSettings: Object.freeze(ignoredSettings),
  };
}

/** TLS files only with TLS on, and a client certificate only with its key. */
function checkProxyTls(options: ExporterOptions): void {
  const files = ['proxyTlsCaFile', 'proxyTlsCertFile', 'proxyTlsKeyFile', 'proxyTlsServerName'] as const;
  const given = files.filter((key) => options[key] !== null);
  if (!options.proxyTls && given.length > 0) {
    throw new ConfigError(
      given[0]!,
      `${given.join(', ')} given without proxyTls: set --proxy-tls (KAFKA_ERROR_EXPORTER_PROXY_TLS=true) to speak TLS to the brokers`,
    );
  }
  if ((options.proxyTlsCertFile === null) !== (options.proxyTlsKeyFile === null)) {
    throw new ConfigError(
      'proxyTlsCertFile',
      'proxyTlsCertFile and proxyTlsKeyFile go together: give both or neither',
    );
  }
}

/** The bootstrap listener and the broker listeners must not share a port. */
function checkProxyPorts(options: ExporterOptions): void {
  const { proxyListen: listen, proxyBrokerPorts: range } = options;
  if (listen.port >= range.first && listen.port <= range.last) {
    throw new ConfigError(
      'proxyBrokerPorts',
      `proxyBrokerPorts ${range.first}-${range.last} includes the port of proxyListen (${listen.port}): give the broker listeners a range of their own`,
    );
  }
}

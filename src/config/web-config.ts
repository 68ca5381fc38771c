// The web configuration file, in the format of Prometheus exporter-toolkit: TLS and basic auth for the server.
// https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, quoteValue } from './config-error.js';
import { readMappingFile } from './config-file.js';
import type { ReadTextFile } from './config-file.js';

/** exporter-toolkit's TLS version names and Node's. */
const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;
export type TlsVersion = (typeof TLS_VERSIONS)[TlsVersionName];

export interface TlsSettings {
  /** PEM certificate chain, read from `cert_file`. */
  readonly cert: string;
  /** PEM private key, read from `key_file`. A secret: never logged. */
  readonly key: string;
  readonly certFile: string;
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
}

export interface WebConfig {
  readonly tls: TlsSettings | null;
  /** User → bcrypt hash. Secrets: never logged or echoed. */
  readonly basicAuthUsers: ReadonlyMap<string, string> | null;
}

/** No TLS, no auth: the configuration when no web configuration file is given. */
export const NO_WEB_CONFIG: WebConfig = Object.freeze({ tls: null, basicAuthUsers: null });

const BCRYPT_HASH = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;
const TOP_KEYS = ['tls_server_config', 'basic_auth_users'];
const TLS_KEYS = ['cert_file', 'key_file', 'min_version', 'max_version'];

function mapping(value: unknown, key: string, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(key, `${key} in ${path} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function checkKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
  path: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(
        `${prefix}${key}`,
        `unknown key ${quoteValue(`${prefix}${key}`)} in web config ${path}; supported: ${allowed.map((k) => prefix + k).join(', ')}`,
      );
    }
  }
}

function tlsVersion(value: unknown, key: string, fallback: TlsVersionName, path: string): TlsVersion {
  if (value === undefined) return TLS_VERSIONS[fallback];
  if (typeof value === 'string' && value in TLS_VERSIONS) return TLS_VERSIONS[value as TlsVersionName];
  throw new ConfigError(
    key,
    `invalid value ${quoteValue(value)} for ${key} in web config ${path}: expected one of ${Object.keys(TLS_VERSIONS).join(', ')}`,
  );
}

function readTls(raw: unknown, path: string, readFile: ReadTextFile): TlsSettings {
  const tls = mapping(raw, 'tls_server_config', path);
  checkKeys(tls, TLS_KEYS, 'tls_server_config.', path);
  const file = (name: 'cert_file' | 'key_file'): { path: string; text: string } => {
    const key = `tls_server_config.${name}`;
    const value = tls[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError(key, `${key} in web config ${path} must be a file path`);
    }
    // As exporter-toolkit does: relative paths are relative to the web configuration file.
    const full = isAbsolute(value) ? value : resolve(dirname(path), value);
    try {
      return { path: full, text: readFile(full) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError(key, `cannot read ${key} ${quoteValue(full)}: ${code}`, { cause: error });
    }
  };
  const cert = file('cert_file');
  const key = file('key_file');
  if (!cert.text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError('tls_server_config.cert_file', `${quoteValue(cert.path)} holds no PEM certificate`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.text)) {
    throw new ConfigError('tls_server_config.key_file', `${quoteValue(key.path)} holds no PEM private key`);
  }
  const minVersion = tlsVersion(tls.min_version, 'tls_server_config.min_version', 'TLS12', path);
  const maxVersion = tlsVersion(tls.max_version, 'tls_server_config.max_version', 'TLS13', path);
  if (minVersion > maxVersion) {
    throw new ConfigError(
      'tls_server_config.min_version',
      `tls_server_config.min_version is above max_version in ${path}`,
    );
  }
  return Object.freeze({ cert: cert.text, key: key.text, certFile: cert.path, minVersion, maxVersion });
}

function readUsers(raw: unknown, path: string): ReadonlyMap<string, string> {
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(mapping(raw, 'basic_auth_users', path))) {
    // RFC 7617: the user-id cannot contain a colon.
    if (user === '' || user.includes(':')) {
      throw new ConfigError(
        'basic_auth_users',
        `invalid user name ${quoteValue(user)} in ${path}: empty or has a colon`,
      );
    }
    // The hash is a secret: name the user, never echo the value.
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      throw new ConfigError(
        `basic_auth_users.${user}`,
        `basic_auth_users.${user} in ${path} is not a bcrypt hash`,
      );
    }
    users.set(user, hash);
  }
  return users;
}

/**
 * Reads and validates a web configuration file. Certificate and key are read now, so that a missing or
 * unreadable file stops `serve` at start with exit code 2.
 * @throws ConfigError naming the key at fault.
 */
export function loadWebConfig(path: string, readFile: ReadTextFile): WebConfig {
  const raw = readMappingFile(path, 'webConfigFile', readFile);
  checkKeys(raw, TOP_KEYS, '', path);
  const tls =
    raw.tls_server_config === undefined || raw.tls_server_config === null
      ? null
      : readTls(raw.tls_server_config, path, readFile);
  const users =
    raw.basic_auth_users === undefined || raw.basic_auth_users === null
      ? null
      : readUsers(raw.basic_auth_users, path);
  return Object.freeze({ tls, basicAuthUsers: users && users.size > 0 ? users : null });
}

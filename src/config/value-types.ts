// The value types an option can have: how each is parsed from a flag, an environment variable or a file,
// validated, described in help and docs, and how its default is shown.
import { lookupName } from '../codes/registry.js';
import { ConfigError, quoteValue } from './config-error.js';
import type { OverrideCategory } from './options.js';

export type ValueType =
  | { readonly kind: 'path' }
  | { readonly kind: 'host' }
  | { readonly kind: 'port' }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'duration'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'url' }
  | { readonly kind: 'category-map' }
  | { readonly kind: 'address' }
  | { readonly kind: 'address-list' }
  | { readonly kind: 'port-range' };

/** A `host:port` pair, as the proxy options give them. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** An inclusive range of TCP ports. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/** Where a raw value came from, for messages: `--port`, `KAFKA_ERROR_EXPORTER_PORT`, `/etc/x.yaml`. */
export interface ValueOrigin {
  readonly key: string;
  readonly where: string;
}

const OVERRIDE_CATEGORIES: readonly OverrideCategory[] = ['retriable', 'non_retriable', 'fatal'];
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const CODE_KEY = /^[+-]?\d{1,6}$/;
const NAME_KEY = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

function invalid(origin: ValueOrigin, raw: unknown, expected: string): ConfigError {
  return new ConfigError(
    origin.key,
    `invalid value ${quoteValue(raw)} for ${origin.key} (${origin.where}): expected ${expected}`,
  );
}

function parseInteger(raw: unknown, min: number, max: number, origin: ValueOrigin): number {
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(origin, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

function parseDuration(raw: unknown, minMs: number, maxMs: number, origin: ValueOrigin): number {
  const expected = `a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} with a unit (ms, s, m, h), e.g. 30s`;
  const match = typeof raw === 'string' ? DURATION.exec(raw.trim()) : null;
  if (!match) throw invalid(origin, raw, expected);
  const ms = Math.round(Number(match[1]) * DURATION_UNIT_MS[match[2]!]!);
  if (ms < minMs || ms > maxMs) throw invalid(origin, raw, expected);
  return ms;
}

/** Code → category from a flag (`27=fatal`, repeatable), an environment variable (`27=fatal,3=retriable`) or a file map. */
function parseCategoryMap(raw: unknown, origin: ValueOrigin): Record<string, OverrideCategory> {
  const expected = 'code or NAME mapped to one of retriable, non_retriable, fatal (e.g. 27=fatal)';
  let pairs: [string, unknown][];
  if (typeof raw === 'string' || Array.isArray(raw)) {
    const items = (Array.isArray(raw) ? raw : raw.split(',')).map((item) => String(item).trim());
    pairs = items
      .filter((item) => item !== '')
      .map((item) => {
        const eq = item.indexOf('=');
        if (eq <= 0) throw invalid(origin, item, expected);
        return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
      });
  } else if (raw !== null && typeof raw === 'object') {
    pairs = Object.entries(raw);
  } else {
    throw invalid(origin, raw, expected);
  }
  const result: Record<string, OverrideCategory> = {};
  for (const [key, category] of pairs) {
    const at = { ...origin, key: `${origin.key}.${key}` };
    let code: number;
    if (CODE_KEY.test(key)) {
      code = Number(key);
    } else {
      const entry = NAME_KEY.test(key) ? lookupName(key) : undefined;
      if (!entry) throw invalid(at, key, `an error code number or a name the registry knows, ${expected}`);
      code = entry.code;
    }
    if (!OVERRIDE_CATEGORIES.includes(category as OverrideCategory)) {
      throw invalid(at, category, OVERRIDE_CATEGORIES.join(', '));
    }
    // Keyed by code, so that `27` and `REBALANCE_IN_PROGRESS` from two sources merge as one entry.
    result[String(code)] = category as OverrideCategory;
  }
  return result;
}

const HOST = /^[A-Za-z0-9._-]{1,253}$/;

/** `host:port` or `[ipv6]:port`; `port` between `minPort` and 65535. */
function parseHostPort(raw: string, origin: ValueOrigin, minPort: number): HostPort {
  const expected = `host:port, e.g. kafka-1:9092 or 127.0.0.1:19092 (port ${minPort}-65535)`;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw.trim());
  const host = match?.[1] ?? match?.[2];
  if (!match || host === undefined || (match[2] !== undefined && !HOST.test(host)))
    throw invalid(origin, raw, expected);
  const port = Number(match[3]);
  if (port < minPort || port > 65535) throw invalid(origin, raw, expected);
  return { host, port };
}

function parseAddressList(raw: unknown, origin: ValueOrigin): readonly HostPort[] | null {
  if (raw === null) return null;
  const items = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : null;
  const list = items?.map((item) => item.trim()).filter((item) => item !== '') ?? [];
  if (list.length === 0)
    throw invalid(origin, raw, 'a comma-separated list of host:port, e.g. kafka-1:9092,kafka-2:9092');
  return Object.freeze(list.map((item) => Object.freeze(parseHostPort(item, origin, 1))));
}

function parsePortRange(raw: unknown, origin: ValueOrigin): PortRange {
  const expected = 'a port range first-last, e.g. 19093-19192 (1-65535, at most 10000 ports)';
  const match = typeof raw === 'string' ? /^(\d{1,5})-(\d{1,5})$/.exec(raw.trim()) : null;
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1 || last > 65535 || first > last || last - first >= 10_000)
    throw invalid(origin, raw, expected);
  return Object.freeze({ first, last });
}

/**
 * Parses and validates one raw value. Strings come from flags and environment variables; files may also give
 * numbers, booleans, maps and `null` (which resets an optional path or URL to "not set").
 * @throws ConfigError naming the key, where the value came from, the value and what was expected.
 */
export function parseValue(type: ValueType, raw: unknown, origin: ValueOrigin): unknown {
  switch (type.kind) {
    case 'path':
    case 'url': {
      if (raw === null) return null;
      if (typeof raw !== 'string' || raw.trim() === '' || raw.includes('\0')) {
        throw invalid(origin, raw, type.kind === 'path' ? 'a file path' : 'an http:// or https:// URL');
      }
      if (type.kind === 'url') {
        let url: URL | undefined;
        try {
          url = new URL(raw.trim());
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
          throw invalid(origin, raw, 'an http:// or https:// URL');
        }
        // Credentials in a URL would end up in logs and errors: refuse them.
        if (url.username !== '' || url.password !== '') {
          throw new ConfigError(origin.key, `${origin.key} (${origin.where}) must not contain credentials`);
        }
      }
      return raw.trim();
    }
    case 'host': {
      if (typeof raw !== 'string' || !/^[A-Za-z0-9.:[\]_-]{1,253}$/.test(raw.trim())) {
        throw invalid(origin, raw, 'a host name or IP address, e.g. 0.0.0.0, 127.0.0.1 or ::');
      }
      return raw.trim().replace(/^\[(.*)\]$/, '$1');
    }
    case 'port':
      return parseInteger(raw, 0, 65535, origin);
    case 'integer':
      return parseInteger(raw, type.min, type.max, origin);
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw invalid(origin, raw, 'true or false');
    }
    case 'enum': {
      if (typeof raw === 'string' && type.values.includes(raw.trim())) return raw.trim();
      throw invalid(origin, raw, `one of ${type.values.join(', ')}`);
    }
    case 'duration':
      return parseDuration(raw, type.minMs, type.maxMs, origin);
    case 'category-map':
      return parseCategoryMap(raw, origin);
    case 'address':
      if (typeof raw !== 'string') throw invalid(origin, raw, 'host:port, e.g. 127.0.0.1:19092');
      return Object.freeze(parseHostPort(raw, origin, 0));
    case 'address-list':
      return parseAddressList(raw, origin);
    case 'port-range':
      return parsePortRange(raw, origin);
  }
}

/** A duration in milliseconds as the shortest exact `ms`/`s`/`m`/`h` text. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The type as help and docs show it. */
export function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'path':
      return 'path';
    case 'host':
      return 'address';
    case 'port':
      return 'port (0-65535)';
    case 'integer':
      return `integer (${type.min}-${type.max})`;
    case 'boolean':
      return 'boolean';
    case 'enum':
      return type.values.join(' | ');
    case 'duration':
      return 'duration (e.g. 500ms, 30s, 1m)';
    case 'url':
      return 'URL';
    case 'category-map':
      return 'map: code or NAME → retriable | non_retriable | fatal';
    case 'address':
      return 'host:port';
    case 'address-list':
      return 'list of host:port';
    case 'port-range':
      return 'port range (first-last)';
  }
}

/** A value (a default) as help and docs show it. */
export function formatValue(type: ValueType, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (type.kind === 'duration' && typeof value === 'number') return formatDuration(value);
  if (type.kind === 'address') return formatHostPort(value as HostPort);
  if (type.kind === 'address-list') return (value as readonly HostPort[]).map(formatHostPort).join(',');
  if (type.kind === 'port-range') return `${(value as PortRange).first}-${(value as PortRange).last}`;
  if (type.kind === 'category-map') {
    const entries = Object.entries(value as Record<string, string>);
    return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}=${v}`).join(',');
  }
  return String(value);
}

/** `host:port`, with brackets around an IPv6 address. */
export function formatHostPort(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

// HTTP basic auth against bcrypt hashes, as Prometheus exporter-toolkit does it: constant-time comparisons,
// a dummy verification for unknown users, and a cache of successful verifications because bcrypt is slow.
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../config/config-error.js';

/** Checks the `Authorization` header of a request. */
export interface BasicAuthenticator {
  /** Resolves `true` when the header carries a known user and the right password. Never rejects. */
  verify(authorization: string | undefined): Promise<boolean>;
}

/** The `WWW-Authenticate` header of a 401. */
export const WWW_AUTHENTICATE = 'Basic realm="kafka-error-exporter", charset="UTF-8"';

/** Longest `Authorization` header considered; a longer one is refused without hashing it. */
const MAX_AUTHORIZATION_LENGTH = 1024;

/**
 * bcrypt verifications running at once. Past it, uncached credentials are refused without hashing: a flood
 * of wrong passwords cannot starve the process, while a scraper whose credentials are cached is unaffected.
 */
export const MAX_CONCURRENT_VERIFICATIONS = 4;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function parse(authorization: string): { user: string; password: string } | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The one bcrypt cost of all `users`' hashes. A wrong password costs one bcrypt round at the user's cost, and an
 * unknown user one at this cost: were the costs mixed, the time of a refusal would tell which users exist.
 * @throws ConfigError naming each user's cost (never the hash) when they differ.
 */
function sharedCost(users: ReadonlyMap<string, string>): number {
  const costs = new Map<number, string[]>();
  for (const [user, hash] of users) {
    const cost = Number(hash.split('$')[2]) || 10;
    costs.set(cost, [...(costs.get(cost) ?? []), user]);
  }
  if (costs.size > 1) {
    const list = [...costs].map(([cost, names]) => `cost ${cost}: ${names.join(', ')}`).join('; ');
    throw new ConfigError(
      'basic_auth_users',
      `basic_auth_users mix bcrypt costs (${list}): hash every password with the same cost, so that the time of a refused request cannot tell which users exist`,
    );
  }
  return Math.max(4, ...costs.keys());
}

/**
 * An authenticator for `users` (user → bcrypt hash). A successful verification is cached per user as the
 * SHA-256 digest of user and password (never the password itself), so later scrapes cost one hash and one
 * constant-time comparison instead of a bcrypt round. The cache holds one entry per configured user. An unknown
 * user is checked against a dummy hash of the same cost, made on first need (bcrypt at cost 10 takes ~70 ms).
 * @throws ConfigError when the hashes do not all have the same cost.
 */
export function createBasicAuthenticator(users: ReadonlyMap<string, string>): BasicAuthenticator {
  const verified = new Map<string, Buffer>();
  const cost = sharedCost(users);
  let dummy: Promise<string> | undefined;
  let running = 0;
  return {
    async verify(authorization) {
      if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_LENGTH) return false;
      const credentials = parse(authorization);
      if (!credentials) return false;
      const hash = users.get(credentials.user);
      const candidate = digest(`${credentials.user}\0${credentials.password}`);
      const cached = hash === undefined ? undefined : verified.get(credentials.user);
      if (cached && timingSafeEqual(cached, candidate)) return true;
      if (running >= MAX_CONCURRENT_VERIFICATIONS) return false;
      running++;
      try {
        dummy ??= bcrypt.hash('kafka-error-exporter: no such user', cost);
        const ok = await bcrypt.compare(credentials.password, hash ?? (await dummy));
        if (ok && hash !== undefined) {
          verified.set(credentials.user, candidate);
          return true;
        }
      } catch {
        // A malformed hash cannot verify anything; validation at start makes this unreachable in practice.
      } finally {
        running--;
      }
      return false;
    },
  };
}

import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isConfigError } from '../../src/config/config-error.js';
import { createBasicAuthenticator, MAX_CONCURRENT_VERIFICATIONS } from '../../src/server/basic-auth.js';
import { basic } from './support.js';

const users = new Map([
  ['alice', bcrypt.hashSync('wonderland', 4)],
  ['bob', bcrypt.hashSync('pa:ss wörd', 4)],
]);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createBasicAuthenticator', () => {
  it.each<[string, string | undefined, boolean]>([
    ['the right password', basic('alice', 'wonderland').authorization, true],
    ['a password with a colon, a space and UTF-8', basic('bob', 'pa:ss wörd').authorization, true],
    ['a lower-case scheme', basic('alice', 'wonderland').authorization!.replace('Basic', 'basic'), true],
    ['a wrong password', basic('alice', 'Wonderland').authorization, false],
    ['another user’s password', basic('bob', 'wonderland').authorization, false],
    ['an unknown user', basic('carol', 'wonderland').authorization, false],
    ['an empty password', basic('alice', '').authorization, false],
    ['no header', undefined, false],
    ['an empty header', '', false],
    ['a Bearer token', 'Bearer abc', false],
    ['no colon', `Basic ${Buffer.from('alice').toString('base64')}`, false],
    ['not base64', 'Basic !!!', false],
    ['an over-long header', `Basic ${'A'.repeat(2000)}`, false],
  ])('%s → %s', async (_name, header, expected) => {
    expect(await createBasicAuthenticator(users).verify(header)).toBe(expected);
  });

  it('verifies with bcrypt once per user and password, then from the cache', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const auth = createBasicAuthenticator(users);
    const right = basic('alice', 'wonderland').authorization;
    expect(await auth.verify(right)).toBe(true);
    expect(await auth.verify(right)).toBe(true);
    expect(await auth.verify(right)).toBe(true);
    expect(compare).toHaveBeenCalledTimes(1);
    // A wrong password is never answered from the cache: it goes to bcrypt each time.
    expect(await auth.verify(basic('alice', 'nope').authorization)).toBe(false);
    expect(await auth.verify(basic('alice', 'nope').authorization)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(3);
  });

  it('spends a bcrypt verification on an unknown user too', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    expect(await createBasicAuthenticator(users).verify(basic('mallory', 'x').authorization)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
  });

  it('bounds concurrent bcrypt work under a flood of wrong passwords, and keeps cached credentials working', async () => {
    const auth = createBasicAuthenticator(users);
    const right = basic('alice', 'wonderland').authorization;
    expect(await auth.verify(right)).toBe(true);
    const compare = vi.spyOn(bcrypt, 'compare');
    const flood = Array.from({ length: 20 }, (_, i) =>
      auth.verify(basic('alice', `guess-${i}`).authorization),
    );
    expect(await auth.verify(right)).toBe(true);
    expect(await Promise.all(flood)).toEqual(Array.from({ length: 20 }, () => false));
    expect(compare).toHaveBeenCalledTimes(MAX_CONCURRENT_VERIFICATIONS);
    // Once the flood is over, uncached credentials are verified again.
    expect(await auth.verify(basic('bob', 'pa:ss wörd').authorization)).toBe(true);
  });

  it('checks an unknown user against a hash of the same cost as the users, so that refusals take as long', async () => {
    const cost6 = new Map([['alice', bcrypt.hashSync('wonderland', 6)]]);
    const compare = vi.spyOn(bcrypt, 'compare');
    const auth = createBasicAuthenticator(cost6);
    expect(await auth.verify(basic('alice', 'wrong').authorization)).toBe(false);
    expect(await auth.verify(basic('mallory', 'wrong').authorization)).toBe(false);
    const costs = compare.mock.calls.map(([, hash]) => hash.split('$')[2]);
    expect(costs).toEqual(['06', '06']);
  });

  it('refuses users whose hashes mix bcrypt costs, naming users and costs but no hash', () => {
    const mixed = new Map([
      ['alice', bcrypt.hashSync('wonderland', 4)],
      ['bob', bcrypt.hashSync('builder', 5)],
      ['carol', bcrypt.hashSync('singer', 4)],
    ]);
    try {
      createBasicAuthenticator(mixed);
      expect.unreachable('mixed costs must be refused');
    } catch (error) {
      expect(isConfigError(error) && error.key).toBe('basic_auth_users');
      expect((error as Error).message).toMatch(
        /^basic_auth_users mix bcrypt costs \(cost 4: alice, carol; cost 5: bob\): hash every password with the same cost/,
      );
      for (const hash of mixed.values()) expect((error as Error).message).not.toContain(hash.slice(7));
    }
  });
});

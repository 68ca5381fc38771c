import { describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/config/config-error.js';
import { loadWebConfig } from '../../src/config/web-config.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
// bcrypt of "secret" at cost 4.
const HASH = '$2b$04$Od096/wNJt8w/Vvqo2FYM.SUP4MdW87j2fq5EAgKlQQTPwcEQvDcO';

function reader(files: Record<string, string>) {
  return (path: string): string => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

function failure(web: string, extra: Record<string, string> = {}): { key: string; message: string } {
  try {
    loadWebConfig('/etc/web.yaml', reader({ '/etc/web.yaml': web, ...extra }));
  } catch (error) {
    if (isConfigError(error)) return { key: error.key, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadWebConfig', () => {
  it('reads TLS with files relative to the web config, and users', () => {
    const config = loadWebConfig(
      '/etc/web.yaml',
      reader({
        '/etc/web.yaml': `tls_server_config:\n  cert_file: tls/s.crt\n  key_file: /keys/s.key\n  min_version: TLS13\nbasic_auth_users:\n  prom: "${HASH}"\n`,
        '/etc/tls/s.crt': CERT,
        '/keys/s.key': KEY,
      }),
    );
    expect(config.tls).toMatchObject({
      cert: CERT,
      key: KEY,
      certFile: '/etc/tls/s.crt',
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
    expect([...(config.basicAuthUsers ?? [])]).toEqual([['prom', HASH]]);
  });

  it('defaults TLS to 1.2 through 1.3', () => {
    const config = loadWebConfig(
      '/w.yaml',
      reader({ '/w.yaml': 'tls_server_config:\n  cert_file: /c\n  key_file: /k\n', '/c': CERT, '/k': KEY }),
    );
    expect(config.tls).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(config.basicAuthUsers).toBeNull();
  });

  it('reads an empty file as no TLS and no auth', () => {
    expect(loadWebConfig('/w.yaml', reader({ '/w.yaml': '' }))).toEqual({ tls: null, basicAuthUsers: null });
  });

  it.each<[string, string, Record<string, string>, string, RegExp]>([
    [
      'an unknown top-level key',
      'http_server_config: {}\n',
      {},
      'http_server_config',
      /unknown key "http_server_config" in web config \/etc\/web.yaml; supported: tls_server_config, basic_auth_users/,
    ],
    [
      'an unknown TLS key',
      'tls_server_config:\n  client_ca_file: x\n',
      {},
      'tls_server_config.client_ca_file',
      /unknown key "tls_server_config.client_ca_file"/,
    ],
    [
      'a missing certificate file',
      'tls_server_config:\n  cert_file: /nope.crt\n  key_file: /k\n',
      { '/k': KEY },
      'tls_server_config.cert_file',
      /cannot read tls_server_config.cert_file "\/nope.crt": ENOENT/,
    ],
    [
      'a missing key path',
      'tls_server_config:\n  cert_file: /c\n',
      { '/c': CERT },
      'tls_server_config.key_file',
      /tls_server_config.key_file in web config \/etc\/web.yaml must be a file path/,
    ],
    [
      'a certificate that is not PEM',
      'tls_server_config:\n  cert_file: /c\n  key_file: /k\n',
      { '/c': 'junk', '/k': KEY },
      'tls_server_config.cert_file',
      /"\/c" holds no PEM certificate/,
    ],
    [
      'a key that is not PEM',
      'tls_server_config:\n  cert_file: /c\n  key_file: /k\n',
      { '/c': CERT, '/k': 'junk' },
      'tls_server_config.key_file',
      /"\/k" holds no PEM private key/,
    ],
    [
      'a bad TLS version',
      'tls_server_config:\n  cert_file: /c\n  key_file: /k\n  min_version: TLS14\n',
      { '/c': CERT, '/k': KEY },
      'tls_server_config.min_version',
      /invalid value "TLS14" for tls_server_config.min_version .*expected one of TLS10, TLS11, TLS12, TLS13/,
    ],
    [
      'min above max',
      'tls_server_config:\n  cert_file: /c\n  key_file: /k\n  min_version: TLS13\n  max_version: TLS12\n',
      { '/c': CERT, '/k': KEY },
      'tls_server_config.min_version',
      /above max_version/,
    ],
    [
      'users that are a list',
      'basic_auth_users:\n  - a\n',
      {},
      'basic_auth_users',
      /basic_auth_users in \/etc\/web.yaml must be a mapping/,
    ],
    [
      'a user with a colon',
      `basic_auth_users:\n  "a:b": "${HASH}"\n`,
      {},
      'basic_auth_users',
      /invalid user name "a:b"/,
    ],
  ])('rejects %s', (_name, web, extra, key, message) => {
    const error = failure(web, extra);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });

  it('names the user but never echoes a bad hash', () => {
    const error = failure('basic_auth_users:\n  prom: plaintext-password\n');
    expect(error.key).toBe('basic_auth_users.prom');
    expect(error.message).toMatch(/basic_auth_users.prom in \/etc\/web.yaml is not a bcrypt hash/);
    expect(error.message).not.toContain('plaintext-password');
  });
});

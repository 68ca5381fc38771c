// A self-signed TLS certificate for loopback tests, made by the real openssl.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes `<name>.key` and `<name>.crt` into `dir`: an EC P-256 certificate for CN=localhost valid one day, with
 * the subject alternative names 127.0.0.1 and localhost. Returns the two paths.
 */
export function writeSelfSignedCertificate(dir: string, name: string): { keyFile: string; certFile: string } {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile };
}

// Self-signed TLS certificates for loopback tests: checked-in fixtures, so that unit tests start no process.
//
// Made once with the real openssl (EC P-256, CN=localhost, subject alternative names 127.0.0.1 and localhost,
// valid 100 years), for each NAME in a, b and server:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//     -keyout NAME.key -out NAME.crt -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost
// The keys are test fixtures, trusted by nothing but these tests.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./certificates/', import.meta.url));
const NAMES = ['a', 'b', 'server'];

/**
 * Writes `<name>.key` and `<name>.crt` into `dir` (`name` one of a, b, server: each a different key). Returns
 * the two paths.
 */
export function writeSelfSignedCertificate(dir: string, name: string): { keyFile: string; certFile: string } {
  if (!NAMES.includes(name)) throw new Error(`no certificate fixture ${name}: one of ${NAMES.join(', ')}`);
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  copyFileSync(join(FIXTURES, `${name}.key`), keyFile);
  copyFileSync(join(FIXTURES, `${name}.crt`), certFile);
  return { keyFile, certFile };
}

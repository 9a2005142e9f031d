import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  /** PEM of the CA: what `--ca` is given. */
  caFile: string;
  ca: Buffer;
  /** The hub's certificate (for 127.0.0.1 and localhost) and key, signed by the CA. */
  certFile: string;
  keyFile: string;
}

/**
 * A private CA and a server certificate for 127.0.0.1 signed by it, made with the system's openssl
 * in `dir` (P-256 keys: fast to generate). Valid for two days.
 */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const path = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '2', '-subj', '/CN=supergrep test CA']);
  await run('openssl', ['req', ...ec, '-keyout', path('hub.key'), '-out', path('hub.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(path('hub.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509', '-req', '-in', path('hub.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-out', path('hub.pem'), '-days', '2', '-extfile', path('hub.ext'),
  ]);
  return { caFile: path('ca.pem'), ca: await readFile(path('ca.pem')), certFile: path('hub.pem'), keyFile: path('hub.key') };
}

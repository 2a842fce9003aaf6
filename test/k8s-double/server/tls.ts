/** A self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI at start. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TlsMaterial {
  key: string;
  cert: string;
}

const run = promisify(execFile);

export async function makeCertificate(dir: string): Promise<TlsMaterial> {
  const keyPath = join(dir, 'tls.key');
  const certPath = join(dir, 'tls.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=k8s-double',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
}

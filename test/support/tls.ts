// A certificate of a test's own for localhost, made with openssl in a
// temporary folder (no key is committed): for https servers in front of a
// target, trusted by a client through `ca` or NODE_EXTRA_CA_CERTS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalhostCertificate {
  key: string;
  cert: string;
  /** The certificate's file (PEM), e.g. for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  /** Removes the folder with the key and the certificate. */
  remove(): void;
}

/** A self-signed certificate for localhost (CN and subjectAltName), valid one day. */
export function localhostCertificate(prefix = 'pc-tls-'): LocalhostCertificate {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', ...subject],
    {
      stdio: 'ignore',
    },
  );
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    certPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

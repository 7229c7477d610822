import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemProgram } from './system-programs.mjs';

export interface SelfSignedCertificate {
  /** Path of the PEM certificate, for a TLS listener's `cert`. */
  readonly cert: string;
  /** Path of the PEM private key, for a TLS listener's `key`. */
  readonly key: string;
  /** The certificate's PEM text: the only CA a client must trust to connect. */
  readonly ca: string;
  /** Deletes the certificate and key. */
  readonly remove: () => void;
}

/** A throwaway self-signed EC certificate for localhost and 127.0.0.1, valid for a day. Runs `openssl`. */
export function selfSignedCertificate(): SelfSignedCertificate {
  // Found first: a machine without openssl gets the install sentence and no directory left behind.
  const openssl = systemProgram('openssl');
  const dir = mkdtempSync(join(tmpdir(), 'firehose-tls-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    // prettier-ignore
    execFileSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    return { cert, key, ca: readFileSync(cert, 'utf8'), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1,
 * made with the real `openssl` in a temporary folder, for tests that start a
 * nats-server with TLS. Fails loudly when openssl is missing (tests never skip).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of the generated PEM files. */
export interface TestCertificates {
  /** The CA certificate clients trust (`--nats-ca`). */
  readonly caFile: string;
  /** Server certificate (SAN IP 127.0.0.1 and DNS localhost) and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** nats-server arguments that require TLS with this certificate. */
  readonly serverArgs: readonly string[];
  /** Removes the folder. */
  dispose(): void;
}

/** Creates a CA and a server certificate signed by it, valid for two days. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'marketpipe-tls-'));
  const at = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem'].concat([
      '-days',
      '2',
      '-subj',
      '/CN=marketpipe test CA',
    ]),
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr'].concat([
      '-subj',
      '/CN=127.0.0.1',
    ]),
  );
  writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial'].concat([
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ]),
  );
  return {
    caFile: at('ca.pem'),
    certFile: at('server.pem'),
    keyFile: at('server-key.pem'),
    serverArgs: ['--tls', '--tlscert', at('server.pem'), '--tlskey', at('server-key.pem')],
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

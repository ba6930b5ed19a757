// Throwaway key pairs and self-signed certificates made with the real `openssl` CLI: for signing
// registry tokens (the certificate goes into the registry's rootcertbundle) and for https fronts
// (the action trusts it through NODE_EXTRA_CA_CERTS, as a runner would trust a private CA).

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  /** The certificate in DER, base64 (not base64url): a JWS `x5c` entry. */
  derBase64: string;
  remove(): Promise<void>;
}

/** An RSA 2048 key and a self-signed certificate for `commonName`, valid for the given IPs. */
export async function makeCertificate(commonName: string, ips: string[] = []): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${commonName}`];
  if (ips.length) args.push('-addext', `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}`);
  await new Promise<void>((resolve, reject) => {
    execFile('openssl', args, { encoding: 'utf8' }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl req failed (is openssl installed?): ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
  const certPem = await readFile(certPath, 'utf8');
  const keyPem = await readFile(keyPath, 'utf8');
  return {
    certPath,
    keyPath,
    certPem,
    keyPem,
    derBase64: new X509Certificate(certPem).raw.toString('base64'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * An IPv4 address of this machine that is not loopback: a registry there is neither loopback nor
 * insecure to the action, so it must be https — what a real registry is. Throws if there is none.
 */
export function nonLoopbackAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  throw new Error('this machine has no non-loopback IPv4 address; the https e2e tests need one (any interface, e.g. docker0)');
}

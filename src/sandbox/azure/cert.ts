/**
 * The self-signed certificate of the ARM listener (HTTPS, so the SDK's bearer-token policy stays
 * on). An RSA key from Node's native generator (fast) and a certificate built and signed with
 * node-forge; kept beside the state file (reused while valid for another week) or in a temp dir.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import forge from 'node-forge';

export interface SandboxCertificate {
  /** PEM of the certificate: trust it as a CA (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, tlsOptions.ca). */
  certPem: string;
  keyPem: string;
  /** Where the certificate's PEM is on disk. */
  certPath: string;
  /** A temp dir to remove on close (when there was no state file). */
  cleanup?: () => void;
}

const VALID_DAYS = 825;
const DAY = 24 * 3600 * 1000;

export function generateCertificate(now = Date.now()): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${Math.floor(now / 1000).toString(16)}`;
  cert.validity.notBefore = new Date(now - DAY);
  cert.validity.notAfter = new Date(now + VALID_DAYS * DAY);
  const attrs = [
    { name: 'commonName', value: 'Snapkeeper Sandbox (127.0.0.1)' },
    { name: 'organizationName', value: 'Snapkeeper Sandbox' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}

function stillValid(certPem: string, now: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return new Date(cert.validTo).getTime() > now + 7 * DAY && cert.checkIP('127.0.0.1') !== undefined;
  } catch {
    return false;
  }
}

/** The certificate beside `statePath` (`<state>.azure-ca.pem` / `.azure-ca.key`), else in a temp dir. */
export function loadOrCreateCertificate(statePath: string | undefined, now = Date.now()): SandboxCertificate {
  if (statePath) {
    const certPath = `${statePath}.azure-ca.pem`;
    const keyPath = `${statePath}.azure-ca.key`;
    if (existsSync(certPath) && existsSync(keyPath)) {
      const certPem = readFileSync(certPath, 'utf8');
      const keyPem = readFileSync(keyPath, 'utf8');
      if (stillValid(certPem, now)) {
        return { certPem, keyPem, certPath };
      }
    }
    const fresh = generateCertificate(now);
    mkdirSync(dirname(certPath), { recursive: true });
    writeFileSync(keyPath, fresh.keyPem, { mode: 0o600 });
    writeFileSync(certPath, fresh.certPem);
    return { ...fresh, certPath };
  }
  const dir = mkdtempSync(join(tmpdir(), 'snapkeeper-azure-ca-'));
  const fresh = generateCertificate(now);
  const certPath = join(dir, 'azure-ca.pem');
  writeFileSync(certPath, fresh.certPem);
  return { ...fresh, certPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

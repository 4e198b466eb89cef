// Certificates made in the test, nothing downloaded: a CA the client is told to trust, leaves it
// signs (valid, expired, for another name) and a self-signed leaf, plus an HTTPS receiver on
// 127.0.0.1 serving one of them. RSA keys come from node:crypto (fast); node-forge builds and signs
// the X.509 certificates, which node:crypto cannot.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';

export interface Issued {
  certPem: string;
  keyPem: string;
}

interface Authority extends Issued {
  certificate: forge.pki.Certificate;
  privateKey: forge.pki.rsa.PrivateKey;
}

const DAY_MS = 86_400_000;

function rsaKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    keyPem,
    privateKey: forge.pki.privateKeyFromPem(keyPem),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

interface CertificateSpec {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}

function build(
  spec: CertificateSpec,
  publicKey: forge.pki.rsa.PublicKey,
  issuer: { name: forge.pki.CertificateField[]; key: forge.pki.rsa.PrivateKey } | null,
  ownKey: forge.pki.rsa.PrivateKey,
) {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  // Positive, 16 bytes: the leading bit cleared.
  certificate.serialNumber = '1' + randomBytes(15).toString('hex');
  certificate.validity.notBefore = spec.notBefore;
  certificate.validity.notAfter = spec.notAfter;
  const subject = [{ name: 'commonName', value: spec.commonName }];
  certificate.setSubject(subject);
  certificate.setIssuer(issuer?.name ?? subject);
  certificate.setExtensions(spec.extensions);
  certificate.sign(issuer?.key ?? ownKey, forge.md.sha256.create());
  return certificate;
}

/** A CA for the test's client to trust (HOOKRELAY_EXTRA_CA_CERTS_FILE / the client's extraCaCertificates). */
export function createTestAuthority(commonName = 'hookrelay test CA'): Authority {
  const keys = rsaKeys();
  const now = Date.now();
  const certificate = build(
    {
      commonName,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 365 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
    keys.publicKey,
    null,
    keys.privateKey,
  );
  return { certificate, privateKey: keys.privateKey, certPem: forge.pki.certificateToPem(certificate), keyPem: keys.keyPem };
}

export interface LeafOptions {
  /** DNS names in the subjectAltName (default localhost). */
  dnsNames?: string[];
  /** IP addresses in the subjectAltName (default 127.0.0.1). */
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

/** A server certificate signed by `authority`, or self-signed when it is null. */
export function issueLeaf(authority: Authority | null, options: LeafOptions = {}): Issued {
  const keys = rsaKeys();
  const now = Date.now();
  const dnsNames = options.dnsNames ?? ['localhost'];
  const ipAddresses = options.ipAddresses ?? ['127.0.0.1'];
  const certificate = build(
    {
      commonName: dnsNames[0] ?? ipAddresses[0] ?? 'leaf',
      notBefore: options.notBefore ?? new Date(now - DAY_MS),
      notAfter: options.notAfter ?? new Date(now + 30 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ipAddresses.map((ip) => ({ type: 7, ip }))],
        },
      ],
    },
    keys.publicKey,
    authority && { name: authority.certificate.subject.attributes, key: authority.privateKey },
    keys.privateKey,
  );
  return { certPem: forge.pki.certificateToPem(certificate), keyPem: keys.keyPem };
}

export interface HttpsReceiver {
  port: number;
  /** Request bodies received, as bytes. */
  bodies: Buffer[];
  close(): Promise<void>;
}

/** An HTTPS receiver on 127.0.0.1 with this certificate; answers 200 "ok" after reading the body. */
export async function startHttpsReceiver(issued: Issued): Promise<HttpsReceiver> {
  const bodies: Buffer[] = [];
  const server: Server = createServer({ cert: issued.certPem, key: issued.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.end('ok');
    });
  });
  // A refused handshake is the point of some tests: keep the server quiet about it.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

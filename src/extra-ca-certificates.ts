// HOOKRELAY_EXTRA_CA_CERTS_FILE: a PEM file of CA certificates the worker trusts for https://
// receivers besides Node's bundled roots (a private CA). Read once at start (loadConfigOrExit):
// a missing file or one without a valid certificate stops the process with the variable named.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in the file as PEM text, or what is wrong with the file. */
export function readPemCertificates(path: string): { certificates: string } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problem: `cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) return { problem: `${JSON.stringify(path)} holds no PEM certificate` };
  for (const [index, pem] of certificates.entries()) {
    try {
      new X509Certificate(pem);
    } catch {
      return { problem: `certificate ${index + 1} in ${JSON.stringify(path)} is not a valid X.509 certificate` };
    }
  }
  return { certificates: certificates.join('\n') };
}

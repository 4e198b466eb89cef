// Why a TLS handshake failed, named from the error code Node's TLS layer (OpenSSL) gives: the
// attempt log keeps error kind `tls` and records one of these reasons beside it. Pure.

export const TLS_FAILURE_REASONS = [
  /** The receiver's certificate (or one in its chain) is past its notAfter date. */
  'certificate_expired',
  /** Its notBefore date is still ahead (often a receiver's clock, or a certificate issued for later). */
  'certificate_not_yet_valid',
  /** The certificate is valid but not for the host name of the endpoint URL. */
  'hostname_mismatch',
  /** The chain does not lead to a trusted root: self-signed, a private CA, or a missing intermediate. */
  'unknown_ca',
  /** The certificate was refused for another reason (bad signature, wrong purpose, revoked, malformed). */
  'certificate_invalid',
  /** No TLS session was agreed: protocol version, ciphers, or not TLS at all (an http:// server on an https:// URL). */
  'handshake_failed',
  /** A TLS failure none of the above describes. */
  'other',
] as const;

export type TlsFailureReason = (typeof TLS_FAILURE_REASONS)[number];

/** A Map, not an object: a code such as `constructor` must not find Object.prototype's. */
const REASON_BY_CODE: ReadonlyMap<string, TlsFailureReason> = new Map(
  Object.entries({
    CERT_HAS_EXPIRED: 'certificate_expired',
    CRL_HAS_EXPIRED: 'certificate_expired',
    CERT_NOT_YET_VALID: 'certificate_not_yet_valid',
    ERR_TLS_CERT_ALTNAME_INVALID: 'hostname_mismatch',
    HOSTNAME_MISMATCH: 'hostname_mismatch',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown_ca',
    SELF_SIGNED_CERT_IN_CHAIN: 'unknown_ca',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown_ca',
    UNABLE_TO_GET_ISSUER_CERT: 'unknown_ca',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown_ca',
    CERT_UNTRUSTED: 'unknown_ca',
    CERT_SIGNATURE_FAILURE: 'certificate_invalid',
    CERT_REJECTED: 'certificate_invalid',
    CERT_REVOKED: 'certificate_invalid',
    INVALID_CA: 'certificate_invalid',
    INVALID_PURPOSE: 'certificate_invalid',
    PATH_LENGTH_EXCEEDED: 'certificate_invalid',
    UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'certificate_invalid',
    ERROR_IN_CERT_NOT_BEFORE_FIELD: 'certificate_invalid',
    ERROR_IN_CERT_NOT_AFTER_FIELD: 'certificate_invalid',
  } satisfies Record<string, TlsFailureReason>),
);

/** The reason for a TLS error's code (`CERT_HAS_EXPIRED`, `ERR_SSL_…`); `other` for one not known. */
export function tlsFailureReason(code: string): TlsFailureReason {
  const known = REASON_BY_CODE.get(code);
  if (known) return known;
  // OpenSSL's handshake-level failures: ERR_SSL_WRONG_VERSION_NUMBER, ERR_SSL_…_ALERT_HANDSHAKE_FAILURE, …
  if (code.startsWith('ERR_SSL_')) return 'handshake_failed';
  return 'other';
}

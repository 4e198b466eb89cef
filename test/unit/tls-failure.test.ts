// The TLS failure reasons the attempt log records, from Node's certificate and handshake error codes.
import { TLS_FAILURE_REASONS, tlsFailureReason } from '../../src/domain/tls-failure';

describe('TLS failure reasons', () => {
  it.each([
    ['CERT_HAS_EXPIRED', 'certificate_expired'],
    ['CERT_NOT_YET_VALID', 'certificate_not_yet_valid'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname_mismatch'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'unknown_ca'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown_ca'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown_ca'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown_ca'],
    ['CERT_SIGNATURE_FAILURE', 'certificate_invalid'],
    ['CERT_REVOKED', 'certificate_invalid'],
    ['INVALID_PURPOSE', 'certificate_invalid'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake_failed'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'handshake_failed'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'handshake_failed'],
    ['ECONNRESET', 'other'],
    ['', 'other'],
  ] as const)('%s is %s', (code, reason) => {
    expect(tlsFailureReason(code)).toBe(reason);
  });

  it('only ever answers a reason of the documented list', () => {
    for (const code of ['CERT_HAS_EXPIRED', 'ERR_SSL_X', 'whatever', '__proto__', 'constructor']) {
      expect(TLS_FAILURE_REASONS).toContain(tlsFailureReason(code));
    }
  });
});

// How every hookrelay process reaches Temporal: plain gRPC for a dev server, mTLS for a
// self-hosted cluster or Temporal Cloud, or a Temporal Cloud API key (which implies TLS).
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

type TemporalTlsSettings = Pick<
  Config,
  'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_TLS_CA_PATH' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_API_KEY'
>;

/** Reads the certificate files once; the result suits both Connection.connect and NativeConnection.connect. */
export function temporalConnectionOptions(address: string, settings: TemporalTlsSettings): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address };
  const tls: TLSConfig = {};
  if (settings.TEMPORAL_TLS_CERT_PATH && settings.TEMPORAL_TLS_KEY_PATH) {
    tls.clientCertPair = { crt: readFileSync(settings.TEMPORAL_TLS_CERT_PATH), key: readFileSync(settings.TEMPORAL_TLS_KEY_PATH) };
  }
  if (settings.TEMPORAL_TLS_CA_PATH) tls.serverRootCACertificate = readFileSync(settings.TEMPORAL_TLS_CA_PATH);
  if (settings.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = settings.TEMPORAL_TLS_SERVER_NAME;
  if (Object.keys(tls).length > 0) options.tls = tls;
  if (settings.TEMPORAL_API_KEY) {
    options.apiKey = settings.TEMPORAL_API_KEY;
    options.tls ??= true;
  }
  return options;
}

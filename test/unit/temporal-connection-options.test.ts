// Reaching Temporal: plain for a dev server, mTLS from PEM files, an API key for Temporal Cloud.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';

describe('Temporal connection options', () => {
  it('is plain gRPC when nothing is configured', () => {
    expect(temporalConnectionOptions('temporal:7233', parseConfig({}))).toEqual({ address: 'temporal:7233' });
  });

  it('reads the mTLS client certificate, key, CA and server name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-tls-'));
    for (const file of ['client.pem', 'client.key', 'ca.pem']) writeFileSync(path.join(dir, file), `-----${file}-----`);
    const config = parseConfig({
      TEMPORAL_TLS_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_CA_PATH: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'ns.acct.tmprl.cloud',
    });
    const options = temporalConnectionOptions('ns.acct.tmprl.cloud:7233', config);
    expect(options.apiKey).toBeUndefined();
    expect(options.tls).toEqual({
      clientCertPair: { crt: Buffer.from('-----client.pem-----'), key: Buffer.from('-----client.key-----') },
      serverRootCACertificate: Buffer.from('-----ca.pem-----'),
      serverNameOverride: 'ns.acct.tmprl.cloud',
    });
  });

  it('uses an API key over TLS for Temporal Cloud', () => {
    const options = temporalConnectionOptions('us-east-1.aws.api.temporal.io:7233', parseConfig({ TEMPORAL_API_KEY: 'tc-key' }));
    expect(options).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', apiKey: 'tc-key', tls: true });
  });

  it('refuses a certificate without its key', () => {
    expect(() => parseConfig({ TEMPORAL_TLS_CERT_PATH: '/x.pem' })).toThrow(ConfigError);
    expect(() => parseConfig({ TEMPORAL_METRICS_BIND_ADDRESS: 'nine' })).toThrow(/TEMPORAL_METRICS_BIND_ADDRESS/);
  });
});

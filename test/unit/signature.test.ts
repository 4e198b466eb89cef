import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, isSigningSecret, signatureHeader, webhookHeaders } from '../../src/domain/signature';

// The example from the Standard Webhooks specification.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  messageId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: new Date(1614265330 * 1000),
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signature', () => {
  it('matches the specification test vector', () => {
    expect(signatureHeader({ ...vector, secrets: [vector.secret] })).toBe(vector.signature);
  });

  it('produces headers the official library verifies', () => {
    const secret = generateSigningSecret();
    const timestamp = new Date();
    const headers = webhookHeaders({ messageId: 'evt_1', timestamp, body: '{"a":1}', secrets: [secret] });
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(timestamp.getTime() / 1000)));
    expect(new Webhook(secret).verify('{"a":1}', headers)).toEqual({ a: 1 });
  });

  it('signs with every secret during a rotation, and either verifies', () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
    const headers = webhookHeaders({ messageId: 'evt_2', timestamp: new Date(), body: '{}', secrets: [current, previous] });
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify('{}', headers)).not.toThrow();
    expect(() => new Webhook(previous).verify('{}', headers)).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify('{}', headers)).toThrow();
  });

  it('recognises well-formed signing secrets only', () => {
    expect(isSigningSecret(generateSigningSecret())).toBe(true);
    expect(isSigningSecret(vector.secret)).toBe(true);
    expect(isSigningSecret('whsec_short')).toBe(false);
    expect(isSigningSecret('sk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(false);
  });
});

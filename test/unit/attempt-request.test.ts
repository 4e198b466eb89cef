import { Webhook } from 'standardwebhooks';
import { attemptRequest, type AttemptRequestInput } from '../../src/domain/attempt-request';
import { REDACTED } from '../../src/domain/endpoint-auth';
import { envelopeBody } from '../../src/domain/envelope';
import { generateSigningSecret } from '../../src/domain/signature';

const secret = generateSigningSecret();
// Now, so the official library's freshness check accepts the signature.
const timestamp = new Date();

function input(overrides: Partial<AttemptRequestInput> = {}): AttemptRequestInput {
  return {
    event: {
      id: 'evt_01',
      type: 'invoice.activated',
      tenantId: 'ten_01',
      occurredAt: new Date('2026-03-01T11:59:00.000Z'),
      resourceId: 'inv_1',
      operation: 'UPDATE',
      triggeredBy: null,
      data: { amount: 12 },
      previous: null,
    },
    storedCustomHeaders: { 'x-team': 'billing', 'x-api-secret': { sealed: 'sealed-value' } },
    customHeaders: { 'x-team': 'billing', 'x-api-secret': 'opened-secret' },
    auth: { type: 'bearer', token: 'tok_123' },
    signingSecrets: [secret],
    userAgent: 'hookrelay/test',
    timestamp,
    ...overrides,
  };
}

describe('attemptRequest (one attempt assembled from opened stored data)', () => {
  it('sends the envelope as the body', () => {
    const request = attemptRequest(input());
    expect(request.body).toBe(envelopeBody(input().event));
    expect(JSON.parse(request.body)).toMatchObject({ id: 'evt_01', type: 'invoice.activated', data: { amount: 12 } });
  });

  it('carries custom headers, auth, content type, user agent and a signature the official library verifies', () => {
    const request = attemptRequest(input());
    expect(request.headers).toMatchObject({
      'x-team': 'billing',
      'x-api-secret': 'opened-secret',
      authorization: 'Bearer tok_123',
      'content-type': 'application/json',
      'user-agent': 'hookrelay/test',
      'webhook-id': 'evt_01',
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    });
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual(JSON.parse(request.body));
  });

  it('is deterministic: the same input gives the same request', () => {
    expect(attemptRequest(input())).toEqual(attemptRequest(input()));
  });

  it('signs with every secret in force (a rotation)', () => {
    const previous = generateSigningSecret();
    const request = attemptRequest(input({ signingSecrets: [secret, previous] }));
    expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(2);
  });

  it('redacts credentials and secret custom headers in what is recorded, nothing else', () => {
    const request = attemptRequest(input({ auth: { type: 'header', name: 'x-key', value: 'k' } }));
    expect(request.headers['x-key']).toBe('k');
    expect(request.redactedHeaders).toMatchObject({ 'x-key': REDACTED, 'x-api-secret': REDACTED, 'x-team': 'billing' });
    expect(request.redactedHeaders['webhook-signature']).toBe(request.headers['webhook-signature']);
  });

  it('sends no authorization without auth', () => {
    const request = attemptRequest(input({ auth: { type: 'none' }, storedCustomHeaders: {}, customHeaders: {} }));
    expect(request.headers.authorization).toBeUndefined();
  });

  it('refuses to assemble a request it cannot sign', () => {
    expect(() => attemptRequest(input({ signingSecrets: [] }))).toThrow(/signing secret/);
  });
});

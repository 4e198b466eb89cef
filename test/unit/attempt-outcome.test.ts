import { attemptOutcome } from '../../src/domain/attempt-outcome';
import type { SentAttempt } from '../../src/workflows/contracts';

const now = new Date('2026-12-02T10:00:00Z');
const sent = (response: Partial<NonNullable<SentAttempt['response']>> | null, error: SentAttempt['error'] = null): SentAttempt => ({
  deliveryId: 'dlv_1',
  attemptNumber: 1,
  trigger: 'scheduled',
  startedAt: now.toISOString(),
  durationMs: 5,
  request: { url: 'http://127.0.0.1/x', headers: {} },
  response: response && { status: 200, headers: {}, bodyBase64: '', bodyTruncated: false, bodyLength: 0, ...response },
  error,
  endpoint: { id: 'ep_1', tenantId: 't', enabled: true, failingSince: null },
  retryPolicy: null,
});

describe('attemptOutcome', () => {
  it('succeeds on a complete 2xx', () => {
    expect(attemptOutcome(sent({ status: 204 }), now)).toEqual({ outcome: 'succeeded', status: 204 });
  });
  it('fails a 2xx that broke off mid-body', () => {
    expect(attemptOutcome(sent({ status: 200 }, { kind: 'connection', message: 'reset' }), now)).toMatchObject({
      outcome: 'failed',
      status: 200,
      errorKind: 'connection',
    });
  });
  it('fails without an answer, with the error kind', () => {
    expect(attemptOutcome(sent(null, { kind: 'timeout', message: 't' }), now)).toMatchObject({
      outcome: 'failed',
      status: null,
      errorKind: 'timeout',
    });
  });
  it('reads Retry-After on 429 and 503 only', () => {
    expect(attemptOutcome(sent({ status: 429, headers: { 'retry-after': '30' } }), now)).toMatchObject({ retryAfterSeconds: 30 });
    expect(attemptOutcome(sent({ status: 503, headers: { 'retry-after': 'Wed, 02 Dec 2026 10:01:00 GMT' } }), now)).toMatchObject({
      retryAfterSeconds: 60,
    });
    expect(attemptOutcome(sent({ status: 500, headers: { 'retry-after': '30' } }), now)).toMatchObject({ retryAfterSeconds: null });
  });
  it('marks 410 as gone', () => {
    expect(attemptOutcome(sent({ status: 410 }), now)).toMatchObject({ outcome: 'failed', gone: true });
  });
});

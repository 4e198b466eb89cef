// How errors that are nobody's input mistake map to problems: rate limits and our own outages.
import { toProblem } from '../../src/api/problems';
import { RateLimitedError } from '../../src/domain/errors';

describe('problems for limits and outages', () => {
  it('maps a rate limit to 429', () => {
    expect(toProblem(new RateLimitedError(3))).toMatchObject({
      status: 429,
      title: 'Too many requests',
      detail: expect.stringContaining('3 s'),
    });
  });

  it('maps an unreachable PostgreSQL or Temporal to 503, and anything else unknown to 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const wrapped = new Error('query failed', { cause: refused });
    const grpc = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
    for (const error of [refused, shutdown, wrapped, grpc, new Error('Connection terminated unexpectedly')]) {
      expect(toProblem(error)).toMatchObject({ status: 503, type: expect.stringMatching(/unavailable$/) });
    }
    expect(toProblem(new Error('a bug'))).toMatchObject({ status: 500 });
    expect(toProblem(Object.assign(new Error('unique violation'), { code: '23505' }))).toMatchObject({ status: 500 });
  });
});

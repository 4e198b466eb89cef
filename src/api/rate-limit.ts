// Per-API-key request rate limit: a steady rate per second plus a burst allowance, counted in
// memory by rate-limiter-flexible (its BurstyRateLimiter: a fixed one-second window, and a
// 10-second window of extra requests a key may spend on top). Each API process counts on its own.
import type { RequestHandler } from 'express';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../domain/errors';
import { principalOf } from './auth';

export interface ApiRateLimit {
  /** Requests per second per key; 0 turns the limit off. */
  perSecond: number;
  /** Extra requests per 10 s a key may make above the steady rate. */
  burst: number;
}

const BURST_WINDOW_SECONDS = 10;

/** Runs after authentication: the admin key and each tenant key have their own allowance. */
export function rateLimitPerKey(limit: ApiRateLimit): RequestHandler {
  if (limit.perSecond <= 0) return (_req, _res, next) => next();
  const steady = new RateLimiterMemory({ keyPrefix: 'api', points: limit.perSecond, duration: 1 });
  const limiter =
    limit.burst > 0
      ? new BurstyRateLimiter(
          steady,
          new RateLimiterMemory({ keyPrefix: 'api-burst', points: limit.burst, duration: BURST_WINDOW_SECONDS }),
        )
      : steady;
  return async (req, _res, next) => {
    const principal = principalOf(req);
    const key = principal.kind === 'admin' ? 'admin' : principal.keyId;
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    }
    next();
  };
}

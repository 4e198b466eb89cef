import { LEASE_MARGIN_MS, concurrencyFallbackAtMs, leaseExpiresAtMs } from '../../src/domain/concurrency-limit';

describe('concurrency limit arithmetic', () => {
  it('lets a lease outlive its POST timeout by the margin', () => {
    expect(leaseExpiresAtMs(1000, 15_000)).toBe(16_000 + LEASE_MARGIN_MS);
  });

  it('spreads fallback timers by rounds of `limit` waiters, one lease lifetime apart', () => {
    const base = { nowMs: 1000, soonestExpiryMs: 21_000, limit: 2, timeoutMs: 10_000 };
    const lifetime = 10_000 + LEASE_MARGIN_MS;
    expect(concurrencyFallbackAtMs({ ...base, position: 0 })).toBe(21_000);
    expect(concurrencyFallbackAtMs({ ...base, position: 1 })).toBe(21_000);
    expect(concurrencyFallbackAtMs({ ...base, position: 2 })).toBe(21_000 + lifetime);
    expect(concurrencyFallbackAtMs({ ...base, position: 7 })).toBe(21_000 + 3 * lifetime);
  });

  it('never sets a fallback in the past', () => {
    expect(concurrencyFallbackAtMs({ nowMs: 5000, soonestExpiryMs: 4000, position: 0, limit: 1, timeoutMs: 100 })).toBe(5000);
    expect(concurrencyFallbackAtMs({ nowMs: 5000, soonestExpiryMs: null, position: 0, limit: 1, timeoutMs: 100 })).toBe(5000);
  });
});

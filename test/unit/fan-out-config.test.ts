// The fan-out settings (issue 11 part 4): their defaults and bounds. Their effect is tested end to
// end (test/e2e/fan-out.test.ts, test/api/endpoint-limit.test.ts).
import { ConfigError, parseConfig } from '../../src/config';

describe('fan-out configuration', () => {
  it('defaults to 32 starts at a time, inline starts up to 100 deliveries, 25,000 endpoints per tenant', () => {
    const config = parseConfig({});
    expect(config.HOOKRELAY_WORKFLOW_START_CONCURRENCY).toBe(32);
    expect(config.HOOKRELAY_INLINE_START_MAX_DELIVERIES).toBe(100);
    expect(config.HOOKRELAY_MAX_ENDPOINTS_PER_TENANT).toBe(25_000);
  });

  it('refuses a start concurrency below 1, a negative inline limit and an endpoint limit below 1', () => {
    expect(() => parseConfig({ HOOKRELAY_WORKFLOW_START_CONCURRENCY: '0' })).toThrow(ConfigError);
    expect(() => parseConfig({ HOOKRELAY_WORKFLOW_START_CONCURRENCY: 'many' })).toThrow(/HOOKRELAY_WORKFLOW_START_CONCURRENCY/);
    expect(() => parseConfig({ HOOKRELAY_INLINE_START_MAX_DELIVERIES: '-1' })).toThrow(/HOOKRELAY_INLINE_START_MAX_DELIVERIES/);
    expect(() => parseConfig({ HOOKRELAY_MAX_ENDPOINTS_PER_TENANT: '0' })).toThrow(/HOOKRELAY_MAX_ENDPOINTS_PER_TENANT/);
    // 0 inline: every publish answers right after its commit.
    expect(parseConfig({ HOOKRELAY_INLINE_START_MAX_DELIVERIES: '0' }).HOOKRELAY_INLINE_START_MAX_DELIVERIES).toBe(0);
  });
});

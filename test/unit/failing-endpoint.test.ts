import { failingEndpointDisableReason } from '../../src/domain/failing-endpoint';

const day = 24 * 3_600_000;
const since = '2026-03-01T00:00:00.000Z';
const after = (ms: number) => new Date(Date.parse(since) + ms);

describe('failingEndpointDisableReason (the failing-for-days rule)', () => {
  it('disables an enabled endpoint failing for at least the limit, saying for how long and since when', () => {
    expect(failingEndpointDisableReason({ enabled: true, failingSince: since }, after(5 * day), 5 * day)).toBe(
      `every delivery failed for 120 h (since ${since})`,
    );
  });

  it('leaves it alone before the limit', () => {
    expect(failingEndpointDisableReason({ enabled: true, failingSince: since }, after(5 * day - 1), 5 * day)).toBeNull();
  });

  it('leaves alone an endpoint not failing, or already disabled', () => {
    expect(failingEndpointDisableReason({ enabled: true, failingSince: null }, after(10 * day), 5 * day)).toBeNull();
    expect(failingEndpointDisableReason({ enabled: false, failingSince: since }, after(10 * day), 5 * day)).toBeNull();
  });
});

// The measuring helpers the receiver-protection tests rely on: if they miscounted, those tests
// would pass or fail for the wrong reason.
import { maxInWindow, mostInFlight } from '../support/windows';

describe('maxInWindow', () => {
  it('counts the most timestamps in any half-open window', () => {
    expect(maxInWindow([0, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(maxInWindow([], 1000)).toBe(0);
  });
});

describe('mostInFlight', () => {
  it('counts overlapping requests from arrival to answer', () => {
    expect(
      mostInFlight([
        { receivedAt: 0, answeredAt: 100 },
        { receivedAt: 50, answeredAt: 150 },
        { receivedAt: 120, answeredAt: 200 },
      ]),
    ).toBe(2);
  });

  it('counts an answer before an arrival at the same instant, and an unanswered request as still held', () => {
    expect(
      mostInFlight([
        { receivedAt: 0, answeredAt: 100 },
        { receivedAt: 100, answeredAt: 200 },
      ]),
    ).toBe(1);
    expect(mostInFlight([{ receivedAt: 0 }, { receivedAt: 500, answeredAt: 600 }])).toBe(2);
    expect(mostInFlight([])).toBe(0);
  });
});

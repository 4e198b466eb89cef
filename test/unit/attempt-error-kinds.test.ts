// The status classes the delivery log filters by.
import { RESPONSE_STATUS_CLASSES, statusClassRange } from '../../src/domain/attempt-error-kinds';

describe('response status classes', () => {
  it.each([
    ['2xx', 200, 299],
    ['3xx', 300, 399],
    ['4xx', 400, 499],
    ['5xx', 500, 599],
  ] as const)('%s covers %d to %d', (statusClass, min, max) => {
    expect(statusClassRange(statusClass)).toEqual({ min, max });
  });

  it('has a class for every final answer and none for informational ones', () => {
    expect(RESPONSE_STATUS_CLASSES).toEqual(['2xx', '3xx', '4xx', '5xx']);
  });
});

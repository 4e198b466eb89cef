import {
  describeHead,
  endpointOrderingSchema,
  ORDERING_FALLBACK_WAIT_MS,
  orderingDeferral,
  orderingLine,
  parseEndpointOrdering,
  type LineHead,
} from '../../src/domain/delivery-ordering';

const head: LineHead = {
  id: 'dlv_head',
  status: 'retrying',
  attemptCount: 3,
  nextAttemptAt: new Date('2026-12-02T22:00:00.000Z'),
  lastResponseStatus: 500,
  lastErrorKind: null,
  waitReason: null,
};

describe('endpoint ordering setting', () => {
  it('accepts fifo for the whole endpoint or per resourceId, and nothing else', () => {
    expect(endpointOrderingSchema.parse({ mode: 'fifo' })).toEqual({ mode: 'fifo' });
    expect(endpointOrderingSchema.parse({ mode: 'fifo', key: null })).toEqual({ mode: 'fifo', key: null });
    expect(endpointOrderingSchema.parse({ mode: 'fifo', key: 'resourceId' })).toEqual({ mode: 'fifo', key: 'resourceId' });
    for (const bad of [{ mode: 'lifo' }, { mode: 'fifo', key: 'eventType' }, { mode: 'fifo', extra: 1 }, {}, 'fifo']) {
      expect(endpointOrderingSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('reads a stored value it does not understand as unordered', () => {
    expect(parseEndpointOrdering(null)).toBeNull();
    expect(parseEndpointOrdering({ mode: 'priority' })).toBeNull();
    expect(parseEndpointOrdering({ mode: 'fifo', key: 'resourceId' })).toEqual({ mode: 'fifo', key: 'resourceId' });
  });

  it('puts a delivery in the endpoint-wide line, or in the line of its resource id (null included)', () => {
    expect(orderingLine({ mode: 'fifo' }, { endpointId: 'ep_1', resourceId: 'inv_1' })).toEqual({ endpointId: 'ep_1' });
    expect(orderingLine({ mode: 'fifo', key: 'resourceId' }, { endpointId: 'ep_1', resourceId: 'inv_1' })).toEqual({
      endpointId: 'ep_1',
      resourceId: 'inv_1',
    });
    expect(orderingLine({ mode: 'fifo', key: 'resourceId' }, { endpointId: 'ep_1', resourceId: null })).toEqual({
      endpointId: 'ep_1',
      resourceId: null,
    });
  });
});

describe('what a waiter says', () => {
  it('names the head, its state, its last failure and its next attempt', () => {
    expect(describeHead(head)).toBe(
      'waiting behind dlv_head (retrying, attempt 3 failed with 500, next attempt at 2026-12-02T22:00:00.000Z)',
    );
    expect(describeHead({ ...head, lastResponseStatus: null, lastErrorKind: 'timeout' })).toBe(
      'waiting behind dlv_head (retrying, attempt 3 failed (timeout), next attempt at 2026-12-02T22:00:00.000Z)',
    );
    expect(describeHead({ ...head, status: 'pending', attemptCount: 0, nextAttemptAt: null })).toBe(
      'waiting behind dlv_head (pending, not attempted yet)',
    );
    expect(describeHead({ ...head, status: 'waiting', waitReason: 'rate_limit' })).toContain('itself waiting: rate_limit');
  });

  it('defers with reason ordering until the fallback re-check', () => {
    const now = new Date('2026-12-02T21:00:00.000Z');
    expect(orderingDeferral(head, now)).toEqual({
      until: new Date(now.getTime() + ORDERING_FALLBACK_WAIT_MS).toISOString(),
      waitReason: 'ordering',
      reason: describeHead(head),
    });
  });
});

import { batchIdempotencyLockKeys, fieldErrorsOfBatchItem, idempotencyLockKey } from '../../src/domain/publish-batch';

describe('batch publish rules', () => {
  it("points an event's field errors at its place in the batch", () => {
    expect(
      fieldErrorsOfBatchItem(3, [
        { path: 'body.type', message: 'unknown' },
        { path: 'body.data.amount', message: 'must be integer' },
        { path: 'data.x', message: 'unstorable' },
        { path: '', message: 'whole event' },
      ]),
    ).toEqual([
      { path: 'body.events.3.type', message: 'unknown' },
      { path: 'body.events.3.data.amount', message: 'must be integer' },
      { path: 'events.3.data.x', message: 'unstorable' },
      { path: 'events.3', message: 'whole event' },
    ]);
  });

  it('locks each idempotency key once, in one order whatever the order of the batch', () => {
    const events = [
      { tenantId: 't1', idempotencyKey: 'b' },
      { tenantId: 't1' },
      { tenantId: 't1', idempotencyKey: 'a' },
      { tenantId: 't2', idempotencyKey: 'a' },
      { tenantId: 't1', idempotencyKey: 'b' },
    ];
    const keys = batchIdempotencyLockKeys(events);
    expect(keys).toEqual([idempotencyLockKey('t1', 'a'), idempotencyLockKey('t1', 'b'), idempotencyLockKey('t2', 'a')]);
    expect(batchIdempotencyLockKeys([...events].reverse())).toEqual(keys);
  });
});

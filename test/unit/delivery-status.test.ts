import {
  DELIVERY_STATUSES,
  FINISHED_DELIVERY_STATUSES,
  isFinishedDeliveryStatus,
  isOpenDeliveryStatus,
  OPEN_DELIVERY_STATUSES,
} from '../../src/domain/delivery-status';

describe('delivery statuses', () => {
  it('splits every status into open or finished, never both', () => {
    expect([...OPEN_DELIVERY_STATUSES, ...FINISHED_DELIVERY_STATUSES].sort()).toEqual([...DELIVERY_STATUSES].sort());
    for (const status of DELIVERY_STATUSES) expect(isOpenDeliveryStatus(status)).toBe(!isFinishedDeliveryStatus(status));
  });

  it('treats pending, retrying and waiting as open, the rest as finished', () => {
    expect(DELIVERY_STATUSES.filter(isOpenDeliveryStatus)).toEqual(['pending', 'retrying', 'waiting']);
    expect(DELIVERY_STATUSES.filter(isFinishedDeliveryStatus)).toEqual(['succeeded', 'failed', 'cancelled']);
  });
});

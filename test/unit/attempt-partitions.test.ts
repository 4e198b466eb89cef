// The attempt log's daily partitions as values: names, the day a name holds, the window kept ready.
import { ATTEMPT_PARTITIONS_AHEAD_DAYS, partitionDay, partitionName, partitionWindow, utcDay } from '../../src/domain/attempt-partitions';

describe('attempt partitions', () => {
  it('names the UTC day a time falls in', () => {
    expect(partitionName(new Date('2026-12-03T23:59:59.999Z'))).toBe('attempts_p20261203');
    expect(partitionName(new Date('2026-12-04T00:00:00.000Z'))).toBe('attempts_p20261204');
    expect(partitionName(new Date('2026-12-04T00:30:00.000+01:00'))).toBe('attempts_p20261203');
  });

  it('reads the day back from a name, and nothing from a table that is not a day partition', () => {
    expect(partitionDay('attempts_p20261203')).toEqual(new Date('2026-12-03T00:00:00.000Z'));
    for (const name of ['attempts', 'attempts_p2026120', 'attempts_p20261399', 'attempts_before_partitioning', 'xattempts_p20261203']) {
      expect(partitionDay(name)).toBeUndefined();
    }
  });

  it('keeps yesterday to a week ahead ready', () => {
    const window = partitionWindow(new Date('2026-12-03T12:00:00Z'));
    expect(window.from).toEqual(new Date('2026-12-02T00:00:00Z'));
    expect(window.to).toEqual(new Date(Date.parse('2026-12-03T00:00:00Z') + ATTEMPT_PARTITIONS_AHEAD_DAYS * 86_400_000));
    expect(utcDay(new Date('2026-12-03T12:00:00Z'))).toEqual(new Date('2026-12-03T00:00:00Z'));
  });
});

import { recoverKey } from '../../src/domain/recover-key';

describe('recoverKey', () => {
  const since = new Date('2026-12-01T10:00:00.000Z');
  const until = new Date('2026-12-02T10:00:00.000Z');

  it('names the same request the same way, however its instants were written', () => {
    expect(recoverKey('ep_1', { since, until })).toBe(
      recoverKey('ep_1', { since: new Date('2026-12-01T11:00:00+01:00'), until: new Date(until.getTime()) }),
    );
    expect(recoverKey('ep_1', { since, until })).toBe('ep_1:2026-12-01T10:00:00.000Z/2026-12-02T10:00:00.000Z');
  });

  it('names an open window by its start alone, so a repeat later is the same request', () => {
    expect(recoverKey('ep_1', { since })).toBe('ep_1:2026-12-01T10:00:00.000Z/');
    expect(recoverKey('ep_1', { since })).not.toBe(recoverKey('ep_1', { since, until }));
  });

  it('tells endpoints and windows apart', () => {
    const keys = [
      recoverKey('ep_1', { since, until }),
      recoverKey('ep_2', { since, until }),
      recoverKey('ep_1', { since: new Date(since.getTime() + 1), until }),
      recoverKey('ep_1', { since, until: new Date(until.getTime() + 1) }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

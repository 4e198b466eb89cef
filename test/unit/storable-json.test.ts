// What text and nesting hookrelay refuses before anything reaches PostgreSQL.
import { MAX_JSON_DEPTH, textProblem, unstorableJsonIssues } from '../../src/domain/storable-json';

describe('storable JSON', () => {
  it('accepts ordinary text, emoji, RTL marks and combining characters', () => {
    for (const text of ['', 'plain', 'ünïcödé', '😀 pairs', '\u202eRTL', 'e\u0301', '日本語']) expect(textProblem(text)).toBeNull();
  });

  it('refuses NUL characters and unpaired surrogates', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    for (const text of ['\ud800', 'a\ud800b', '\udfff', 'x\udc00', '\ud83d\ud83d', '😀\ude00'])
      expect(textProblem(text)).toMatch(/surrogate/);
  });

  it('reports the path of every bad value and key', () => {
    const value = { a: 'ok', b: ['fine', 'x\u0000'], c: { 'k\u0000': 1 }, d: { e: '\ud800' } };
    expect(unstorableJsonIssues(value, 'body')).toEqual(
      expect.arrayContaining([
        { path: 'body.b.1', message: expect.stringMatching(/NUL/) },
        { path: 'body.c', message: expect.stringMatching(/key/) },
        { path: 'body.d.e', message: expect.stringMatching(/surrogate/) },
      ]),
    );
    expect(unstorableJsonIssues({ a: [1, true, null, { b: 'c' }] }, 'body')).toEqual([]);
  });

  it('refuses nesting past the limit without recursing, however deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(unstorableJsonIssues(deep, 'body')).toEqual([
      { path: 'body' + '.a'.repeat(MAX_JSON_DEPTH), message: expect.stringMatching(/deeper/) },
    ]);
    let fits: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) fits = [fits];
    expect(unstorableJsonIssues(fits, 'body')).toEqual([]);
  });
});

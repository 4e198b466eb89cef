import { declaredLength, presentBody, storableHeaders, storableText } from '../../src/domain/response-body';

describe('presentBody', () => {
  it('shows valid UTF-8 as text', () => {
    expect(presentBody(Buffer.from('héllo ✓'), false)).toEqual({ body: 'héllo ✓', bodyEncoding: 'utf8' });
  });
  it('shows an empty body as empty text', () => {
    expect(presentBody(Buffer.alloc(0), false)).toEqual({ body: '', bodyEncoding: 'utf8' });
  });
  it('shows a body with NUL as base64 (PostgreSQL text cannot carry it)', () => {
    const bytes = Buffer.from('ok\u0000done');
    expect(presentBody(bytes, false)).toEqual({ body: bytes.toString('base64'), bodyEncoding: 'base64' });
  });
  it('shows invalid UTF-8 and binary as base64', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    expect(presentBody(bytes, false)).toEqual({ body: bytes.toString('base64'), bodyEncoding: 'base64' });
    expect(presentBody(Buffer.from([0xc3, 0x28]), false).bodyEncoding).toBe('base64');
  });
  it('keeps a leading byte-order mark in the text', () => {
    expect(presentBody(Buffer.from('\ufeffhi'), false).body).toBe('\ufeffhi');
  });
  it('shows a truncated body cut inside a character as text without the partial character', () => {
    const bytes = Buffer.from('ab✓').subarray(0, 4); // "ab" and the first two of three bytes of ✓
    expect(presentBody(bytes, true)).toEqual({ body: 'ab', bodyEncoding: 'utf8' });
    expect(presentBody(bytes, false).bodyEncoding).toBe('base64');
  });
  it('does not excuse invalid bytes in the middle of a truncated body', () => {
    expect(presentBody(Buffer.from([0x61, 0xff, 0x61]), true).bodyEncoding).toBe('base64');
  });
  it('works on a view into a larger buffer', () => {
    const whole = Buffer.from('xxhelloxx');
    expect(presentBody(whole.subarray(2, 7), false)).toEqual({ body: 'hello', bodyEncoding: 'utf8' });
    const binary = Buffer.from([1, 0xff, 2, 3]);
    expect(presentBody(binary.subarray(1, 3), false).body).toBe(Buffer.from([0xff, 2]).toString('base64'));
  });
});

describe('storable headers', () => {
  it('replaces NUL, which text and jsonb refuse', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('plain')).toBe('plain');
  });
  it('joins repeated values and makes names and values storable', () => {
    expect(storableHeaders({ 'set-cookie': ['a=1', 'b=2'], 'x-\u0000': 'v\u0000', skipped: undefined })).toEqual({
      'set-cookie': 'a=1, b=2',
      'x-\uFFFD': 'v\uFFFD',
    });
  });
});

describe('declaredLength', () => {
  it.each([
    ['123', 123],
    [' 42 ', 42],
    ['0', 0],
    ['-1', null],
    ['1e3', null],
    ['12, 12', null],
    ['9999999999999999', null],
  ])('%j → %j', (value, expected) => {
    expect(declaredLength(value)).toBe(expected);
  });
  it('is null when absent or repeated', () => {
    expect(declaredLength(undefined)).toBeNull();
    expect(declaredLength(['1', '1'])).toBeNull();
  });
});

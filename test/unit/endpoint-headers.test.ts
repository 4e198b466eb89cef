// Custom endpoint headers: valid names only, and none that override what hookrelay controls.
import {
  customHeadersSchema,
  openCustomHeaders,
  REDACTED,
  redactCustomHeaders,
  resealCustomHeaders,
  reservedHeaderReason,
  sealCustomHeaders,
  secretHeaderNames,
} from '../../src/domain/endpoint-headers';

describe('reservedHeaderReason', () => {
  it.each(['X-Api-Version', 'x-tenant', 'Accept', 'X-Custom_Header', 'x.dotted', "x-!#$%&'*+^`|~"])('accepts %s', (name) => {
    expect(reservedHeaderReason(name)).toBeNull();
  });

  it.each([
    'host',
    'Host',
    'content-length',
    'Content-Length',
    'content-type',
    'content-encoding',
    'transfer-encoding',
    'connection',
    'keep-alive',
    'upgrade',
    'te',
    'trailer',
    'expect',
    'user-agent',
    'authorization',
    'cookie',
  ])('refuses %s: hookrelay sets it', (name) => {
    expect(reservedHeaderReason(name)).toBe('is set by hookrelay and cannot be overridden');
  });

  it.each([
    'webhook-id',
    'Webhook-Signature',
    'webhook-timestamp',
    'webhook-anything',
    'proxy-authorization',
    'sec-fetch-mode',
    'x-forwarded-for',
    'X-Forwarded-Host',
  ])('refuses %s: reserved prefix', (name) => {
    expect(reservedHeaderReason(name)).toBe('is reserved and cannot be overridden');
  });

  it.each(['', 'bad header', 'x:y', 'x\r\ny', 'ünïcode', 'x(y)', 'x"y', 'x/y', 'x\ty'])('refuses %j: not a valid header name', (name) => {
    expect(reservedHeaderReason(name)).toBe('is not a valid HTTP header name');
  });
});

describe('customHeadersSchema', () => {
  it('accepts ordinary custom headers', () => {
    expect(customHeadersSchema.parse({ 'X-Api-Version': '2', 'x-tenant': 'acme' })).toEqual({ 'X-Api-Version': '2', 'x-tenant': 'acme' });
  });

  it('names every refused header in the issues', () => {
    const result = customHeadersSchema.safeParse({ Host: 'evil.example', 'webhook-signature': 'v1,forged', 'x-ok': 'fine' });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(messages).toEqual([
      ['Host', 'header "Host" is set by hookrelay and cannot be overridden'],
      ['webhook-signature', 'header "webhook-signature" is reserved and cannot be overridden'],
    ]);
  });

  it.each(['a\r\nInjected: yes', 'a\nb', 'nul\0byte'])('refuses the value %j (header injection)', (value) => {
    expect(customHeadersSchema.safeParse({ 'x-ok': value }).success).toBe(false);
  });

  it('limits the number and size of headers', () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`x-h${i}`, 'v']));
    expect(customHeadersSchema.safeParse(many).success).toBe(false);
    expect(customHeadersSchema.safeParse({ 'x-big': 'v'.repeat(8193) }).success).toBe(false);
    expect(customHeadersSchema.safeParse({ ['x-' + 'n'.repeat(300)]: 'v' }).success).toBe(false);
  });
});

describe('secret custom headers', () => {
  const box = {
    seal: (plaintext: string) => `v2.k2.${Buffer.from(plaintext).toString('base64')}`,
    open: (sealed: string) => Buffer.from(sealed.split('.').pop()!, 'base64').toString(),
    isCurrent: (sealed: string) => sealed.startsWith('v2.k2.'),
  };

  it('accepts plain strings and { value, secret } next to each other', () => {
    const input = customHeadersSchema.parse({
      'x-plain': 'a',
      'X-Api-Key': { value: 'k3y', secret: true },
      'x-not': { value: 'b', secret: false },
    });
    const stored = sealCustomHeaders(input, box.seal);
    expect(stored).toEqual({ 'x-plain': 'a', 'X-Api-Key': { sealed: box.seal('k3y') }, 'x-not': 'b' });
    expect(openCustomHeaders(stored, box)).toEqual({ 'x-plain': 'a', 'X-Api-Key': 'k3y', 'x-not': 'b' });
    expect(secretHeaderNames(stored)).toEqual(['x-api-key']);
    expect(redactCustomHeaders(stored)).toEqual({ 'x-plain': 'a', 'X-Api-Key': { value: REDACTED, secret: true }, 'x-not': 'b' });
  });

  it('keeps the stored value when a secret header comes back redacted, as answers show it', () => {
    const current = { 'x-api-key': { sealed: 'v2.k1.b2xk' } };
    expect(sealCustomHeaders({ 'X-API-KEY': { value: REDACTED, secret: true } }, box.seal, current)).toEqual({
      'X-API-KEY': current['x-api-key'],
    });
    expect(() => sealCustomHeaders({ 'x-other': { value: REDACTED, secret: true } }, box.seal, current)).toThrow(/Redacted header value/);
  });

  it('refuses secret values with control characters, and unknown fields', () => {
    expect(customHeadersSchema.safeParse({ 'x-k': { value: 'a\r\nInjected: 1', secret: true } }).success).toBe(false);
    expect(customHeadersSchema.safeParse({ 'x-k': { value: 'a', secret: true, extra: 1 } }).success).toBe(false);
    expect(customHeadersSchema.safeParse({ 'x-k': { secret: true } }).success).toBe(false);
  });

  it('re-seals only values not sealed by the current key', () => {
    const stored = {
      'x-plain': 'a',
      'x-old': { sealed: 'v2.k1.' + Buffer.from('old').toString('base64') },
      'x-new': { sealed: box.seal('new') },
    };
    const resealed = resealCustomHeaders(stored, box)!;
    expect(resealed).toEqual({ 'x-plain': 'a', 'x-old': { sealed: box.seal('old') }, 'x-new': { sealed: box.seal('new') } });
    expect(resealCustomHeaders(resealed, box)).toBeNull();
  });

  it.each(['tab\tok', 'latin-1 é', 'visible ~!'])('accepts the value %j', (value) => {
    expect(customHeadersSchema.safeParse({ 'x-ok': value }).success).toBe(true);
  });

  it.each(['\u0001', 'del\u007f', 'euro €', 'cr\r'])('refuses the value %j: HTTP cannot carry it', (value) => {
    expect(customHeadersSchema.safeParse({ 'x-ok': value }).success).toBe(false);
  });
});

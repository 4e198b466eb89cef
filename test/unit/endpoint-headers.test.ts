// Custom endpoint headers: valid names only, and none that override what hookrelay controls.
import { customHeadersSchema, reservedHeaderReason } from '../../src/domain/endpoint-headers';

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

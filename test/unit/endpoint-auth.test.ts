// How hookrelay authenticates to a receiver: what may be configured, and what is redacted.
import { endpointAuthSchema, redactHeaders, sensitiveHeaderNames } from '../../src/domain/endpoint-auth';

const refused = (auth: unknown) => {
  const result = endpointAuthSchema.safeParse(auth);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('endpoint auth', () => {
  it.each(['host', 'Content-Length', 'webhook-signature', 'transfer-encoding', 'x-forwarded-for', 'cookie', 'bad name'])(
    'refuses the auth header name %j, like a custom header',
    (name) => {
      expect(refused({ type: 'header', name, value: 'v' })).toEqual([expect.stringMatching(new RegExp(`^name: header "${name}" is`))]);
    },
  );

  it.each(['X-Api-Key', 'Authorization', 'x-token'])('accepts the auth header name %j', (name) => {
    expect(refused({ type: 'header', name, value: 'v' })).toEqual([]);
  });

  it.each([
    [{ type: 'bearer', token: 'abc\r\nX-Injected: 1' }, 'token'],
    [{ type: 'bearer', token: 'nul\0' }, 'token'],
    [{ type: 'bearer', token: 'lf\n' }, 'token'],
    [{ type: 'header', name: 'x-api-key', value: 'v\r\n' }, 'value'],
    [{ type: 'header', name: 'x-api-key', value: 'v\0' }, 'value'],
    [{ type: 'basic', username: 'u\n', password: 'p' }, 'username'],
    [{ type: 'basic', username: 'u', password: 'p\r' }, 'password'],
    [{ type: 'basic', username: 'u', password: 'p\0' }, 'password'],
  ])('refuses CR, LF or NUL in %j', (auth, field) => {
    expect(refused(auth)).toEqual([expect.stringMatching(new RegExp(`^${field}: must not contain CR, LF, NUL`))]);
  });

  it('accepts any other text in a basic password (it is sent base64-encoded)', () => {
    expect(refused({ type: 'basic', username: 'jürgen', password: 'pässwörd €' })).toEqual([]);
  });

  it('redacts the auth header and every secret custom header', () => {
    const names = sensitiveHeaderNames(
      { type: 'header', name: 'X-Api-Key', value: 'k' },
      { 'X-Secret': { sealed: 'v2.k.x.y.z' }, 'x-plain': 'p' },
    );
    expect(names.sort()).toEqual(['authorization', 'x-api-key', 'x-secret']);
    expect(redactHeaders({ 'x-api-key': 'k', 'x-secret': 's', 'x-plain': 'p' }, names)).toEqual({
      'x-api-key': '[redacted]',
      'x-secret': '[redacted]',
      'x-plain': 'p',
    });
  });
});

// Endpoint URL rules checked before anything is stored or contacted (SPEC §8).
import { endpointUrlProblem, type UrlPolicy } from '../../src/domain/endpoint-url';

const production: UrlPolicy = { allowHttp: false, allowPrivateNetworks: false };
const httpAllowed: UrlPolicy = { allowHttp: true, allowPrivateNetworks: false };
const development: UrlPolicy = { allowHttp: true, allowPrivateNetworks: true };

describe('endpointUrlProblem', () => {
  it('accepts https URLs on public names and addresses', () => {
    for (const url of [
      'https://example.com/webhook',
      'https://hooks.example.com:8443/a?b=c',
      'https://8.8.8.8/hook',
      'https://[2606:4700::1111]/hook',
    ]) {
      expect(endpointUrlProblem(url, production)).toBeNull();
    }
  });

  it('refuses http unless HOOKRELAY_ALLOW_HTTP is on', () => {
    expect(endpointUrlProblem('http://example.com/webhook', production)).toBe('must use https');
    expect(endpointUrlProblem('http://example.com/webhook', httpAllowed)).toBeNull();
  });

  it.each([
    'ftp://example.com/x',
    'file:///etc/passwd',
    'gopher://example.com/',
    'javascript:alert(1)',
    'ws://example.com/',
    'data:text/plain,hi',
  ])('refuses the scheme of %s', (url) => {
    expect(endpointUrlProblem(url, production)).toBe('must use https');
    expect(endpointUrlProblem(url, development)).toBe('must use http or https');
  });

  it('refuses what is not an absolute URL, embedded credentials and overlong URLs', () => {
    expect(endpointUrlProblem('example.com/webhook', production)).toBe('must be an absolute URL');
    expect(endpointUrlProblem('/webhook', production)).toBe('must be an absolute URL');
    expect(endpointUrlProblem('https://user:pass@example.com/', production)).toMatch(/must not contain credentials/);
    expect(endpointUrlProblem(`https://example.com/${'a'.repeat(2048)}`, production)).toBe('must be at most 2048 characters');
  });

  // Literal internal addresses are refused up front, whatever their spelling; the URL parser
  // normalises the spelling first and the classifier judges the normalised address.
  it.each([
    ['https://127.0.0.1/hook', '127.0.0.1', 'loopback'],
    ['https://2130706433/hook', '127.0.0.1', 'loopback'],
    ['https://0177.0.0.1/hook', '127.0.0.1', 'loopback'],
    ['https://0x7f.0.0.1/hook', '127.0.0.1', 'loopback'],
    ['https://127.1/hook', '127.0.0.1', 'loopback'],
    ['https://10.1/hook', '10.0.0.1', 'private'],
    ['https://192.168.0.10:8443/hook', '192.168.0.10', 'private'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254', 'cloudMetadata'],
    ['https://100.64.1.1/hook', '100.64.1.1', 'carrierGradeNat'],
    ['https://0.0.0.0/hook', '0.0.0.0', 'unspecified'],
    ['https://[::1]/hook', '::1', 'loopback'],
    ['https://[::ffff:127.0.0.1]/hook', '::ffff:7f00:1', 'loopback (ipv4Mapped of 127.0.0.1)'],
    ['https://[::ffff:7f00:1]/hook', '::ffff:7f00:1', 'loopback (ipv4Mapped of 127.0.0.1)'],
    ['https://[fd00:ec2::254]/hook', 'fd00:ec2::254', 'cloudMetadata'],
    ['https://[fe80::1]/hook', 'fe80::1', 'linkLocal'],
    ['https://[2001:db8::1]/hook', '2001:db8::1', 'documentation'],
  ])('refuses %s when private networks are not allowed', (url, address, range) => {
    expect(endpointUrlProblem(url, production)).toBe(`must not point to an internal address (${address} is ${range})`);
    expect(endpointUrlProblem(url, development)).toBeNull();
  });

  it.each(['https://localhost/hook', 'https://LOCALHOST:8443/hook', 'https://api.localhost/hook', 'https://localhost./hook'])(
    'refuses %s when private networks are not allowed',
    (url) => {
      expect(endpointUrlProblem(url, production)).toBe('must not point to localhost');
      expect(endpointUrlProblem(url, development)).toBeNull();
    },
  );

  it('leaves other names to the connect-time guard, which judges what they resolve to', () => {
    expect(endpointUrlProblem('https://rebind.example.com/hook', production)).toBeNull();
    expect(endpointUrlProblem('https://localhost.example.com/hook', production)).toBeNull();
  });
});

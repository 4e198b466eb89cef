// The address classifier behind the SSRF guard. Allowed addresses here are only classified,
// never contacted.
import { classifyAddress, isLocalhostName, isPublicAddress } from '../../src/domain/network-policy';

describe('classifyAddress', () => {
  // [spelling, expected range (null = allowed), normalised address]
  const blocked: Array<[string, string, string]> = [
    // IPv4 loopback, including every odd spelling inet_aton accepts
    ['127.0.0.1', 'loopback', '127.0.0.1'],
    ['127.255.255.254', 'loopback', '127.255.255.254'],
    ['2130706433', 'loopback', '127.0.0.1'],
    ['0177.0.0.1', 'loopback', '127.0.0.1'],
    ['0x7f.0.0.1', 'loopback', '127.0.0.1'],
    ['0x7F.0x0.0x0.0x1', 'loopback', '127.0.0.1'],
    ['0x7f000001', 'loopback', '127.0.0.1'],
    ['017700000001', 'loopback', '127.0.0.1'],
    ['127.1', 'loopback', '127.0.0.1'],
    ['127.0.1', 'loopback', '127.0.0.1'],
    // RFC 1918
    ['10.0.0.1', 'private', '10.0.0.1'],
    ['10.1', 'private', '10.0.0.1'],
    ['167772161', 'private', '10.0.0.1'],
    ['012.0.0.1', 'private', '10.0.0.1'],
    ['172.16.0.1', 'private', '172.16.0.1'],
    ['172.31.255.255', 'private', '172.31.255.255'],
    ['192.168.1.1', 'private', '192.168.1.1'],
    ['0xc0.0xa8.1.1', 'private', '192.168.1.1'],
    // link-local and cloud metadata
    ['169.254.0.1', 'linkLocal', '169.254.0.1'],
    ['169.254.169.254', 'cloudMetadata', '169.254.169.254'],
    ['2852039166', 'cloudMetadata', '169.254.169.254'],
    ['169.254.170.2', 'cloudMetadata', '169.254.170.2'],
    ['168.63.129.16', 'cloudMetadata', '168.63.129.16'],
    ['100.100.100.200', 'cloudMetadata', '100.100.100.200'],
    ['192.0.0.192', 'cloudMetadata', '192.0.0.192'],
    // CGNAT, unspecified, broadcast, multicast, reserved
    ['100.64.0.1', 'carrierGradeNat', '100.64.0.1'],
    ['100.127.255.254', 'carrierGradeNat', '100.127.255.254'],
    ['0.0.0.0', 'unspecified', '0.0.0.0'],
    ['0', 'unspecified', '0.0.0.0'],
    ['0.1.2.3', 'unspecified', '0.1.2.3'],
    ['255.255.255.255', 'broadcast', '255.255.255.255'],
    ['224.0.0.1', 'multicast', '224.0.0.1'],
    ['239.255.255.250', 'multicast', '239.255.255.250'],
    ['240.0.0.1', 'reserved', '240.0.0.1'],
    ['192.0.0.8', 'ietfProtocolAssignments', '192.0.0.8'],
    // documentation and benchmarking
    ['192.0.2.1', 'documentation', '192.0.2.1'],
    ['198.51.100.7', 'documentation', '198.51.100.7'],
    ['203.0.113.9', 'documentation', '203.0.113.9'],
    ['198.18.0.1', 'benchmarking', '198.18.0.1'],
    ['198.19.255.255', 'benchmarking', '198.19.255.255'],
    // IPv6 loopback, unspecified, link-local, unique-local, site-local, multicast
    ['::1', 'loopback', '::1'],
    ['[::1]', 'loopback', '::1'],
    ['0:0:0:0:0:0:0:1', 'loopback', '::1'],
    ['::', 'unspecified', '::'],
    ['fe80::1', 'linkLocal', 'fe80::1'],
    ['fe80::1%eth0', 'linkLocal', 'fe80::1%eth0'],
    ['fc00::1', 'uniqueLocal', 'fc00::1'],
    ['fd12:3456:789a::1', 'uniqueLocal', 'fd12:3456:789a::1'],
    ['fd00:ec2::254', 'cloudMetadata', 'fd00:ec2::254'],
    ['fec0::1', 'deprecatedSiteLocal', 'fec0::1'],
    ['ff02::1', 'multicast', 'ff02::1'],
    ['ff05::1:3', 'multicast', 'ff05::1:3'],
    // IPv6 documentation, benchmarking, discard, unallocated
    ['2001:db8::1', 'documentation', '2001:db8::1'],
    ['3fff::1', 'documentation', '3fff::1'],
    ['2001:2::1', 'benchmarking', '2001:2::1'],
    ['100::1', 'discard', '100::1'],
    ['4000::1', 'reserved', '4000::1'],
    ['1::8.8.8.8', 'reserved', '1::808:808'],
    // IPv4 inside IPv6: mapped, compatible, translated, NAT64, 6to4, Teredo
    ['::ffff:127.0.0.1', 'loopback (ipv4Mapped of 127.0.0.1)', '::ffff:7f00:1'],
    ['::ffff:7f00:1', 'loopback (ipv4Mapped of 127.0.0.1)', '::ffff:7f00:1'],
    ['[::ffff:7f00:1]', 'loopback (ipv4Mapped of 127.0.0.1)', '::ffff:7f00:1'],
    ['::ffff:10.0.0.1', 'private (ipv4Mapped of 10.0.0.1)', '::ffff:a00:1'],
    ['::ffff:169.254.169.254', 'cloudMetadata (ipv4Mapped of 169.254.169.254)', '::ffff:a9fe:a9fe'],
    ['0:0:0:0:0:ffff:c0a8:101', 'private (ipv4Mapped of 192.168.1.1)', '::ffff:c0a8:101'],
    ['::127.0.0.1', 'loopback (IPv4-compatible)', '::7f00:1'],
    ['::7f00:1', 'loopback (IPv4-compatible)', '::7f00:1'],
    ['::8.8.8.8', 'ipv4Compatible', '::808:808'],
    ['::ffff:0:10.0.0.1', 'private (rfc6145 of 10.0.0.1)', '::ffff:0:a00:1'],
    ['64:ff9b::10.0.0.1', 'private (rfc6052 of 10.0.0.1)', '64:ff9b::a00:1'],
    ['64:ff9b::7f00:1', 'loopback (rfc6052 of 127.0.0.1)', '64:ff9b::7f00:1'],
    ['64:ff9b:1::8.8.8.8', 'nat64LocalUse', '64:ff9b:1::808:808'],
    ['2002:7f00:1::1', 'loopback (6to4 of 127.0.0.1)', '2002:7f00:1::1'],
    ['2002:a00:1::', 'private (6to4 of 10.0.0.1)', '2002:a00:1::'],
    ['2002:a9fe:a9fe::1', 'cloudMetadata (6to4 of 169.254.169.254)', '2002:a9fe:a9fe::1'],
    // Teredo: server 65.54.227.120, client ~(f5ff:fffe) = 10.0.0.1
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private (teredo of 10.0.0.1)', '2001:0:4136:e378:8000:63bf:f5ff:fffe'],
    // Teredo whose server part is internal
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'private (teredo of 10.0.0.1)', '2001:0:a00:1:8000:63bf:f7f7:f7f7'],
  ];

  it.each(blocked)('blocks %s (%s)', (spelling, range, address) => {
    expect(classifyAddress(spelling)).toEqual({ blocked: true, range, address });
    expect(isPublicAddress(spelling)).toBe(false);
  });

  const allowed: Array<[string, string]> = [
    ['8.8.8.8', '8.8.8.8'],
    ['1.1.1.1', '1.1.1.1'],
    ['134744072', '8.8.8.8'],
    ['93.184.215.14', '93.184.215.14'],
    ['172.15.255.255', '172.15.255.255'], // just below 172.16/12
    ['172.32.0.1', '172.32.0.1'], // just above it
    ['100.63.255.255', '100.63.255.255'], // just below CGNAT
    ['100.128.0.1', '100.128.0.1'], // just above it
    ['169.253.255.255', '169.253.255.255'],
    ['11.0.0.1', '11.0.0.1'],
    ['198.20.0.1', '198.20.0.1'], // just above benchmarking
    ['223.255.255.254', '223.255.255.254'], // last unicast before multicast
    ['2606:4700:4700::1111', '2606:4700:4700::1111'],
    ['2a00:1450:4001:81c::200e', '2a00:1450:4001:81c::200e'],
    ['::ffff:8.8.8.8', '::ffff:808:808'], // the kernel connects to 8.8.8.8
    ['64:ff9b::8.8.8.8', '64:ff9b::808:808'],
    ['2002:808:808::1', '2002:808:808::1'],
    // Teredo with public server (65.54.227.120) and public client (~f7f7:f7f7 = 8.8.8.8)
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'],
  ];

  it.each(allowed)('allows %s', (spelling, address) => {
    expect(classifyAddress(spelling)).toEqual({ blocked: false, address });
    expect(isPublicAddress(spelling)).toBe(true);
  });

  it.each(['example.com', 'localhost', 'rebind.hookrelay.test', '08.0.0.1', '1.2.3.4.5', '256.0.0.1', '::g', '', '[]', '1.2.3.4:80'])(
    'says %j is not an IP literal, and refuses to call it public',
    (host) => {
      expect(classifyAddress(host)).toBeNull();
      expect(isPublicAddress(host)).toBe(false);
    },
  );

  it('covers at least 60 spellings', () => {
    expect(blocked.length + allowed.length).toBeGreaterThanOrEqual(60);
  });

  it('agrees with the WHATWG URL parser on odd IPv4 spellings', () => {
    for (const spelling of ['2130706433', '0177.0.0.1', '0x7f.0.0.1', '127.1', '0x7f.1']) {
      const { hostname } = new URL(`http://${spelling}/`);
      expect(hostname).toBe('127.0.0.1');
      expect(classifyAddress(spelling)).toMatchObject({ blocked: true, address: hostname });
    }
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
    expect(classifyAddress(new URL('http://[::ffff:127.0.0.1]/').hostname)).toMatchObject({
      blocked: true,
      range: expect.stringMatching(/^loopback/),
    });
  });
});

describe('isLocalhostName', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['localhost.', true],
    ['api.localhost', true],
    ['localhost.example.com', false],
    ['mylocalhost', false],
    ['example.com', false],
  ])('%s → %s', (name, expected) => {
    expect(isLocalhostName(name)).toBe(expected);
  });
});

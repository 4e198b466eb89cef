// Which IP addresses a webhook may be delivered to (SPEC §8): pure classification, no I/O.
// The delivery client asks it about every address it connects to; endpoint validation asks it
// about literal hosts up front. Parsing and the IANA special-purpose tables come from ipaddr.js.
import ipaddr from 'ipaddr.js';

export type AddressVerdict =
  /** A globally routable unicast address: deliveries may connect to it. */
  | { blocked: false; address: string }
  /** An internal or special-purpose address; `range` names why (e.g. `loopback`, `private`). */
  | { blocked: true; address: string; range: string };

const v4 = (text: string): [ipaddr.IPv4, number] => ipaddr.IPv4.parseCIDR(text);
const v6 = (text: string): [ipaddr.IPv6, number] => ipaddr.IPv6.parseCIDR(text);

// Checked before ipaddr.js's own tables: more precise names for a few ranges it lumps together
// as "reserved", and cloud metadata services, some of which sit on otherwise public addresses.
const EXTRA_IPV4_RANGES: Record<string, Array<[ipaddr.IPv4, number]>> = {
  cloudMetadata: [
    v4('169.254.169.254/32'), // AWS, GCP, Azure, OpenStack, DigitalOcean
    v4('169.254.170.2/32'), // AWS ECS task metadata
    v4('169.254.169.253/32'), // AWS DNS resolver
    v4('168.63.129.16/32'), // Azure wire server (a public address)
    v4('100.100.100.200/32'), // Alibaba Cloud
    v4('192.0.0.192/32'), // Oracle Cloud
  ],
  documentation: [v4('192.0.2.0/24'), v4('198.51.100.0/24'), v4('203.0.113.0/24')],
  benchmarking: [v4('198.18.0.0/15')],
  ietfProtocolAssignments: [v4('192.0.0.0/24')],
};

const EXTRA_IPV6_RANGES: Record<string, Array<[ipaddr.IPv6, number]>> = {
  cloudMetadata: [v6('fd00:ec2::254/128'), v6('fd00:ec2::23/128')],
  documentation: [v6('2001:db8::/32'), v6('3fff::/20')],
  nat64LocalUse: [v6('64:ff9b:1::/48')],
};

// Everything outside 2000::/3 that is not one of the special ranges handled below is
// unallocated; nothing legitimate receives webhooks there.
const IPV6_GLOBAL_UNICAST = v6('2000::/3');

/**
 * Classifies an IP literal, or returns null when `host` is not one (a DNS name).
 * Accepts what resolvers and URL parsers produce: dotted quads, bracketed or zoned IPv6, and the
 * odd IPv4 spellings inet_aton accepts (2130706433, 0177.0.0.1, 0x7f.1, 127.1); the verdict's
 * `address` is the normalised form.
 */
export function classifyAddress(host: string): AddressVerdict | null {
  const literal = withHexIPv4Tail(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
  if (!ipaddr.isValid(literal)) return null;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(literal);
  } catch {
    return null; // e.g. an octal-looking part with digits 8 or 9: not an address
  }
  return parsed.kind() === 'ipv4' ? classifyIPv4(parsed as ipaddr.IPv4) : classifyIPv6(parsed as ipaddr.IPv6);
}

/** True when the address may be connected to; anything that does not parse is refused. */
export function isPublicAddress(address: string): boolean {
  const verdict = classifyAddress(address);
  return verdict !== null && !verdict.blocked;
}

function classifyIPv4(address: ipaddr.IPv4): AddressVerdict {
  const text = address.toString();
  const range = ipaddr.subnetMatch(address, EXTRA_IPV4_RANGES, 'unicast');
  if (range !== 'unicast') return { blocked: true, address: text, range };
  // ipaddr.js names: unspecified, broadcast, multicast, linkLocal, loopback, carrierGradeNat,
  // private, reserved, as112, amt. Anything special-purpose is refused.
  const special = address.range();
  return special === 'unicast' ? { blocked: false, address: text } : { blocked: true, address: text, range: special };
}

function classifyIPv6(address: ipaddr.IPv6): AddressVerdict {
  const text = address.toRFC5952String();
  const parts = address.parts as [number, number, number, number, number, number, number, number];
  const extra = ipaddr.subnetMatch(address, EXTRA_IPV6_RANGES, 'unicast');
  if (extra !== 'unicast') return { blocked: true, address: text, range: extra };

  const special = address.range();
  switch (special) {
    // Forms that carry an IPv4 address the packets end up at: judge that address.
    case 'ipv4Mapped': // ::ffff:a.b.c.d — the kernel connects over IPv4
    case 'rfc6145': // ::ffff:0:a.b.c.d — SIIT translated
    case 'rfc6052': // 64:ff9b::a.b.c.d — NAT64 (the local-use /48 is refused above)
      return embedded(text, special, [ipv4At(parts[6], parts[7])]);
    case '6to4': // 2002:AABB:CCDD::/48 → relay to a.b.c.d
      return embedded(text, special, [ipv4At(parts[1], parts[2])]);
    case 'teredo': // 2001:0:server:server:flags:port:~client:~client
      return embedded(text, special, [ipv4At(parts[2], parts[3]), ipv4At(~parts[6] & 0xffff, ~parts[7] & 0xffff)]);
    case 'unicast':
      break;
    default:
      return { blocked: true, address: text, range: special };
  }
  if (parts.slice(0, 6).every((part) => part === 0)) {
    // ::a.b.c.d, the deprecated IPv4-compatible form (:: and ::1 were matched above).
    const inner = classifyIPv4(ipv4At(parts[6], parts[7]));
    return { blocked: true, address: text, range: inner.blocked ? `${inner.range} (IPv4-compatible)` : 'ipv4Compatible' };
  }
  if (!address.match(IPV6_GLOBAL_UNICAST)) return { blocked: true, address: text, range: 'reserved' };
  return { blocked: false, address: text };
}

function embedded(text: string, form: string, carried: ipaddr.IPv4[]): AddressVerdict {
  for (const ipv4 of carried) {
    const inner = classifyIPv4(ipv4);
    if (inner.blocked) return { blocked: true, address: text, range: `${inner.range} (${form} of ${inner.address})` };
  }
  return { blocked: false, address: text };
}

// Hand-written around an ipaddr.js quirk: it reads "::a.b.c.d" as "::ffff:a.b.c.d". Rewriting a
// dotted IPv4 tail as two hex groups first keeps the deprecated IPv4-compatible form distinct.
function withHexIPv4Tail(literal: string): string {
  const match = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(%.*)?$/.exec(literal);
  if (!match) return literal;
  const octets = match.slice(2, 6).map(Number);
  if (octets.some((octet) => octet > 255)) return literal;
  const [a, b, c, d] = octets as [number, number, number, number];
  return `${match[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${match[6] ?? ''}`;
}

function ipv4At(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** Host names that always mean this machine (RFC 6761), refused without asking DNS. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

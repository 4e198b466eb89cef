// Which endpoint URLs are acceptable before any connection is made (SPEC §8): the scheme, no
// credentials, and — unless private networks are allowed — no literal internal address or
// localhost name. Names that resolve to internal addresses are caught at connect time by the
// delivery HTTP client (src/activities/ssrf-guard.ts), which also defeats DNS rebinding.
import { classifyAddress, isLocalhostName } from './network-policy';

export interface UrlPolicy {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
}

/** Returns why the URL is refused, or null when it is acceptable. */
export function endpointUrlProblem(raw: string, policy: UrlPolicy): string | null {
  if (raw.length > 2048) return 'must be at most 2048 characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return policy.allowHttp ? 'must use http or https' : 'must use https';
  }
  if (url.username || url.password) return 'must not contain credentials; use the endpoint auth settings';
  if (!url.hostname) return 'must have a host';
  if (!policy.allowPrivateNetworks) {
    // The WHATWG parser has already normalised odd IPv4 spellings (0x7f.1, 2130706433, 0177.0.0.1)
    // to dotted quads and IPv6 to its compressed form, so the classifier sees the real address.
    const literal = classifyAddress(url.hostname);
    if (literal?.blocked) return `must not point to an internal address (${literal.address} is ${literal.range})`;
    if (isLocalhostName(url.hostname)) return 'must not point to localhost';
  }
  return null;
}

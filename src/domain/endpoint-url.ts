// Which endpoint URLs are acceptable before any connection is made (SPEC §8). The connect-time
// address check lives in the delivery HTTP client.
export interface UrlPolicy {
  allowHttp: boolean;
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
  return null;
}

// The /v1 API client every screen uses. Who signs the requests (an operator's API key, a portal
// session) and what happens when the credential is refused is set once by the entry module.

export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem?.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
    super([problem?.detail ?? problem?.title ?? `HTTP ${status}`, fields].filter(Boolean).join(' — '));
    this.status = status;
    /** The problem's field errors ({ path, message }), for a screen that shows each at its place. */
    this.errors = problem?.errors ?? [];
  }
}

let credential = () => '';
let onUnauthorized = () => undefined;
let currentTenant = () => null;

/**
 * credential(): the Bearer token for the next request; unauthorized(): called on a 401;
 * tenant(): the tenant whose routes tenantPath() builds.
 */
export function configureApi(options) {
  credential = options.credential;
  onUnauthorized = options.unauthorized ?? onUnauthorized;
  currentTenant = options.tenant;
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${credential() ?? ''}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    throw new ApiError(response.status, payload);
  }
  return payload;
}

export const tenantId = () => currentTenant();
export const tenantPath = (rest = '') => `/v1/tenants/${encodeURIComponent(tenantId())}${rest}`;

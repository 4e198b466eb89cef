// The core's error vocabulary. The API translates these to RFC 9457 problems in one place
// (src/api/problems.ts); nothing else decides HTTP statuses.
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing does not exist, or the caller may not know that it does. → 404 */
export class NotFoundError extends DomainError {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} not found`);
  }
}

/** Input is well-formed but breaks a rule. → 400 / 422 */
export class InvalidInputError extends DomainError {
  constructor(
    message: string,
    readonly errors: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The request conflicts with the current state. → 409 */
export class ConflictError extends DomainError {}

/** The tenant already has as many endpoints as the deployment allows (HOOKRELAY_MAX_ENDPOINTS_PER_TENANT). → 409 */
export class EndpointLimitReachedError extends ConflictError {
  constructor(readonly limit: number) {
    super(`The tenant already has ${limit} endpoints, the most allowed; delete one to create another`);
  }
}

/** No or unknown credentials. → 401 */
export class UnauthenticatedError extends DomainError {}

/** The API key made more requests than its rate limit allows. → 429 with Retry-After */
export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many requests with this API key; retry in ${retryAfterSeconds} s`,
  ) {
    super(message);
  }
}

/** Too many failed authentications from one client address: refused before any key lookup. → 429 with Retry-After */
export class AuthThrottledError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds, `Too many failed authentications from this address; retry in ${retryAfterSeconds} s`);
  }
}

/** Known credentials without the needed scope. → 403 */
export class ForbiddenError extends DomainError {}

/**
 * A sealed secret names an encryption key this deployment does not have (rotated out too early,
 * or a key id reused for other key material). The deployment's fault, not the caller's → 500
 * problem `secret-key-unavailable`. Never retried into success: the delivery path gives up on it.
 */
export class SecretKeyUnavailableError extends DomainError {
  constructor(
    readonly keyId: string,
    readonly reason: 'not-configured' | 'does-not-open',
  ) {
    super(
      reason === 'not-configured'
        ? `A stored secret is sealed with encryption key "${keyId}", which is not configured (HOOKRELAY_ENCRYPTION_KEYS)`
        : `A stored secret names encryption key "${keyId}", but that key does not open it (different key material under the same id?)`,
    );
  }
}

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
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests with this API key; retry in ${retryAfterSeconds} s`);
  }
}

/** Known credentials without the needed scope. → 403 */
export class ForbiddenError extends DomainError {}

// The endpoint form's values → the body of POST / PATCH …/endpoints: only what changed is sent on
// an edit, and an emptied optional field clears the stored value (null).

/** SPEC §5's default schedule, written out when the console adds repeats to it. */
export const DEFAULT_RETRY_POLICY = { strategy: 'schedule', delaysSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000], jitter: 0.2 };

/**
 * values: { name, url, description, eventTypes, authType, authA, authB, headers, retryPolicy,
 * repeatCount, repeatAfter, timeout, rateLimit, maxConcurrent, healthCheckUrl, ordering,
 * orderingChoice } (text as typed; headers and retryPolicy already parsed); endpoint: the stored
 * one on an edit, else null.
 */
export function endpointRequestBody(values, endpoint) {
  const body = { name: values.name.trim(), url: values.url.trim(), description: values.description.trim(), eventTypes: values.eventTypes };
  const type = values.authType;
  const secretGiven = values.authB !== '';
  const authUnchanged =
    endpoint &&
    endpoint.auth.type === type &&
    !secretGiven &&
    (type === 'none' || values.authA === (endpoint.auth.username ?? endpoint.auth.name ?? ''));
  if (!authUnchanged) {
    if (type === 'none') body.auth = { type: 'none' };
    else if (type === 'basic') body.auth = { type, username: values.authA, password: values.authB };
    else if (type === 'bearer') body.auth = { type, token: values.authB };
    else body.auth = { type, name: values.authA, value: values.authB };
  }
  if (values.headers !== undefined || endpoint) body.headers = values.headers ?? {};
  let retryPolicy = values.retryPolicy;
  const repeats = values.repeatCount.trim();
  const pause = values.repeatAfter.trim();
  if (repeats !== '' || pause !== '') {
    // Repeats of the default schedule spell it out: the API repeats only a policy it is given.
    retryPolicy = { ...(retryPolicy ?? DEFAULT_RETRY_POLICY) };
    delete retryPolicy.repeatCount;
    delete retryPolicy.repeatAfterSeconds;
    // As typed: the API answers out-of-bounds values with field errors.
    if (repeats !== '') retryPolicy.repeatCount = Number(repeats);
    if (pause !== '') retryPolicy.repeatAfterSeconds = Number(pause);
  }
  if (retryPolicy !== undefined) body.retryPolicy = retryPolicy;
  else if (endpoint?.retryPolicy) body.retryPolicy = null;
  if (values.timeout.trim()) body.timeoutMs = Number(values.timeout.trim());
  else if (endpoint?.timeoutMs) body.timeoutMs = null;
  if (values.rateLimit.trim()) body.rateLimitPerSecond = Number(values.rateLimit.trim());
  else if (endpoint?.rateLimitPerSecond) body.rateLimitPerSecond = null;
  if (values.maxConcurrent.trim()) body.maxConcurrentRequests = Number(values.maxConcurrent.trim());
  else if (endpoint?.maxConcurrentRequests) body.maxConcurrentRequests = null;
  if (values.healthCheckUrl.trim()) body.healthCheckUrl = values.healthCheckUrl.trim();
  else if (endpoint?.healthCheckUrl) body.healthCheckUrl = null;
  if (values.ordering !== values.orderingChoice) {
    body.ordering = values.ordering === 'none' ? null : { mode: 'fifo', key: values.ordering === 'fifo-resource' ? 'resourceId' : null };
  }
  return body;
}

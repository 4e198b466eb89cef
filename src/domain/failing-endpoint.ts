// The failing-for-days rule (SPEC: an endpoint failing without a single success for too long is
// disabled). Pure: the attempt step asks it after a failed attempt and hands the disabling on.

/** Why the endpoint must be disabled after this failed attempt, or null when it stays as it is. */
export function failingEndpointDisableReason(
  endpoint: { enabled: boolean; failingSince: string | null },
  attemptStartedAt: Date,
  disableAfterMs: number,
): string | null {
  if (!endpoint.failingSince || !endpoint.enabled) return null;
  const failingSince = new Date(endpoint.failingSince);
  const failingForMs = attemptStartedAt.getTime() - failingSince.getTime();
  if (failingForMs < disableAfterMs) return null;
  return `every delivery failed for ${Math.round(failingForMs / 3_600_000)} h (since ${failingSince.toISOString()})`;
}

// The name of a recover request: its endpoint and window (an open window by its start alone), so a
// retried or repeated request finds the resends of the first and resends nothing twice.
export function recoverKey(endpointId: string, window: { since: Date; until?: Date }): string {
  return `${endpointId}:${window.since.toISOString()}/${window.until?.toISOString() ?? ''}`;
}

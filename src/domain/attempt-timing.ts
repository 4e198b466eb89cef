// Where one POST's time went and what it went out on, as the attempt log records it. Whole
// milliseconds; null means the phase did not happen (or, for an attempt recorded before the log
// kept these, was not measured): never a 0 standing in for "unknown".

/** The connection a POST went out on (activities/connection-timing.ts measures it). */
export interface AttemptConnection {
  /** Host name lookup; null for an IP-literal host, on a reused connection, or when no connection was tried. */
  dnsMs: number | null;
  /** TCP connect; null on a reused connection or when it never began (the lookup failed). */
  connectMs: number | null;
  /** TLS handshake; null for http://, on a reused connection, or when it never began. */
  tlsMs: number | null;
  /** true: a kept-alive connection an earlier POST opened; false: opened for this POST; null: none was made. */
  connectionReused: boolean | null;
  /** The address the connection reached (IPv4 or IPv6, no port); null when none was reached. */
  remoteAddress: string | null;
}

export interface AttemptTiming extends AttemptConnection {
  /** From the attempt's start until the status line and headers arrived; null when no answer began. */
  ttfbMs: number | null;
  /** The request body as sent, in bytes. */
  requestBodyBytes: number;
}

// Where the time of one POST goes before the receiver answers: DNS, TCP connect and TLS handshake
// of the connection it went out on, the address that connection reached, and whether it was a
// kept-alive one an earlier POST opened. The connector wrapper times each new socket from its own
// events ('lookup', 'connect', 'secureConnect'); undici's `undici:client:sendHeaders` diagnostics
// channel says which socket carried which request, matched by the request's body Buffer (undici
// keeps a Buffer body as the very object it was given).
import { subscribe } from 'node:diagnostics_channel';
import { isIP, type Socket } from 'node:net';
import type { buildConnector } from 'undici';
import type { AttemptConnection } from '../domain/attempt-timing';

/** What one new connection's opening cost, in whole milliseconds; null: that phase did not happen. */
interface ConnectionTiming {
  /** Null for an IP-literal host: Node looks nothing up. */
  dnsMs: number | null;
  connectMs: number | null;
  /** Null for http:// and when the connection failed before TLS began; connectMs likewise before TCP began. */
  tlsMs: number | null;
  remoteAddress: string | null;
}

interface SocketRecord extends ConnectionTiming {
  /** A request has gone out on it: any later one is a reuse. */
  used: boolean;
}

const socketRecords = new WeakMap<Socket, SocketRecord>();
const CONNECTION_TIMING = Symbol('hookrelay.connectionTiming');

/** buildConnector's connect returns the socket it made (lib/core/connect.js), though its type says void. */
type SocketReturningConnector = (options: buildConnector.Options, callback: buildConnector.Callback) => Socket | undefined;

/** Wraps a connector so that every socket it opens, or fails to open, carries its phase times. */
export function timedConnector(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    const startedAt = performance.now();
    const literal = isIP(options.hostname) !== 0;
    const tls = options.protocol === 'https:';
    let lookedUpAt: number | null = null;
    let lookupFailed = false;
    let connectedAt: number | null = null;
    let remoteAddress: string | null = null;

    /** The phases up to `endedAt`; the one under way then gets the time until then (where it failed). */
    const timing = (endedAt: number): ConnectionTiming => {
      const dnsMs = literal ? null : ms((lookedUpAt ?? endedAt) - startedAt);
      const connectStartedAt = literal ? startedAt : lookedUpAt;
      if (connectStartedAt === null || lookupFailed) return { dnsMs, connectMs: null, tlsMs: null, remoteAddress };
      return {
        dnsMs,
        connectMs: ms((connectedAt ?? endedAt) - connectStartedAt),
        tlsMs: tls && connectedAt !== null ? ms(endedAt - connectedAt) : null,
        remoteAddress,
      };
    };

    const socket = (connect as SocketReturningConnector)(options, (error, ready) => {
      const endedAt = performance.now();
      if (error) {
        carryConnectionTiming(error, timing(endedAt));
        callback(error, null);
        return;
      }
      // Plain http: undici's own 'connect' listener runs before ours, so the connect ends now.
      connectedAt ??= endedAt;
      remoteAddress ??= ready.remoteAddress ?? null;
      socketRecords.set(ready, { ...timing(endedAt), used: false });
      callback(null, ready);
    });
    socket?.once('lookup', (error: Error | null) => {
      lookedUpAt = performance.now();
      lookupFailed = error !== null;
    });
    socket?.once('connect', () => {
      connectedAt = performance.now();
      remoteAddress = socket.remoteAddress ?? null;
    });
  };
}

/** Copies the timing of a socket that was opened but then refused (the SSRF guard's peer check) onto the error. */
export function carrySocketTiming(error: Error, socket: Socket): void {
  const record = socketRecords.get(socket);
  if (record) carryConnectionTiming(error, record);
}

function carryConnectionTiming(error: Error, timing: ConnectionTiming): void {
  Object.defineProperty(error, CONNECTION_TIMING, { value: timing, enumerable: false });
}

const ms = (duration: number) => Math.max(0, Math.round(duration));

/**
 * Follows one POST's body to the socket that carries it. `connection()` answers once the POST
 * has finished (or failed): a new connection with its phases, a reused one without, a failed
 * opening from its error, or nothing known (refused before any socket existed).
 */
export class ConnectionProbe {
  private socket: Socket | null = null;
  private reused = false;

  constructor(readonly body: Buffer) {
    probesByBody.set(body, this);
  }

  /** Called from the diagnostics channel as undici writes the request's head on `socket`. */
  sentOn(socket: Socket): void {
    const record = socketRecords.get(socket);
    this.socket = socket;
    this.reused = record?.used ?? true;
    if (record) record.used = true;
  }

  connection(error: unknown): AttemptConnection {
    probesByBody.delete(this.body);
    if (this.socket) {
      const record = socketRecords.get(this.socket);
      const remoteAddress = record?.remoteAddress ?? this.socket.remoteAddress ?? null;
      if (this.reused || !record) return { dnsMs: null, connectMs: null, tlsMs: null, connectionReused: true, remoteAddress };
      return { dnsMs: record.dnsMs, connectMs: record.connectMs, tlsMs: record.tlsMs, connectionReused: false, remoteAddress };
    }
    const failed = connectionTimingOf(error);
    if (failed) return { ...failed, connectionReused: false };
    return { dnsMs: null, connectMs: null, tlsMs: null, connectionReused: null, remoteAddress: null };
  }
}

function connectionTimingOf(error: unknown): ConnectionTiming | null {
  if (typeof error !== 'object' || error === null) return null;
  const own = (error as Record<symbol, ConnectionTiming | undefined>)[CONNECTION_TIMING];
  if (own) return own;
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? connectionTimingOf(cause) : null;
}

const probesByBody = new WeakMap<object, ConnectionProbe>();

subscribe('undici:client:sendHeaders', (message) => {
  const { request, socket } = message as { request: { body?: unknown }; socket: Socket };
  const body = request.body;
  if (typeof body !== 'object' || body === null) return;
  probesByBody.get(body)?.sentOn(socket);
});

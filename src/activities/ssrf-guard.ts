// The connect-time SSRF guard of the delivery HTTP client (SPEC §8): an undici connector that
// refuses internal addresses at every step where one could slip in — IP-literal hosts before any
// socket exists, every address DNS returns (so a rebinding name cannot point at 127.0.0.1), and
// the socket's actual peer before undici writes a single request byte. Every socket it opens is
// timed (connection-timing.ts) for the attempt log.
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { buildConnector } from 'undici';
import { classifyAddress } from '../domain/network-policy';
import { carrySocketTiming, timedConnector } from './connection-timing';

/** An attempt refused by the network policy; recorded with error kind `ssrf_blocked`. */
export class SsrfBlockedError extends Error {
  readonly code = 'ESSRFBLOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'SsrfBlockedError';
  }
}

/** Resolves a host name to all its addresses (tests inject one to simulate DNS rebinding). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export interface GuardedConnectorOptions {
  /** When true the guard is off (development, tests against loopback receivers). */
  allowPrivateNetworks: boolean;
  resolveHost?: ResolveHost;
  /** undici's connect timeout; its default is 10 s. */
  connectTimeoutMs?: number;
  /**
   * PEM certificates trusted for https:// receivers besides Node's bundled roots
   * (HOOKRELAY_EXTRA_CA_CERTS_FILE): a private CA, or a test's own.
   */
  extraCaCertificates?: string;
}

const systemResolver: ResolveHost = (hostname) => dns.lookup(hostname, { all: true });

export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const resolveHost = options.resolveHost ?? systemResolver;
  const guard = !options.allowPrivateNetworks;
  const connect = timedConnector(
    buildConnector({
      lookup: lookupVia(resolveHost, guard),
      ...(options.connectTimeoutMs !== undefined && { timeout: options.connectTimeoutMs }),
      // Node's `ca` replaces its bundled roots, so they are listed too.
      ...(options.extraCaCertificates && { ca: [...rootCertificates, options.extraCaCertificates] }),
    }),
  );
  if (!guard) return connect;

  return (connectOptions, callback) => {
    // Node skips `lookup` for IP literals, so judge them here, before a socket exists. undici hands
    // over the WHATWG-normalised host without brackets (127.1 arrives as 127.0.0.1).
    const refusal = refusalFor(connectOptions.hostname);
    if (refusal) {
      callback(new SsrfBlockedError(refusal), null);
      return;
    }
    connect(connectOptions, (error, socket) => {
      if (error) {
        callback(error, null);
        return;
      }
      // Belt and braces: whatever path produced this socket, its peer must be public.
      const peer = peerRefusal(socket.remoteAddress);
      if (peer) {
        socket.destroy();
        const refused = new SsrfBlockedError(peer);
        carrySocketTiming(refused, socket);
        callback(refused, null);
        return;
      }
      callback(null, socket);
    });
  };
}

/** A Node `lookup` that resolves through `resolveHost` and, when guarding, keeps only public addresses. */
function lookupVia(resolveHost: ResolveHost, guard: boolean): LookupFunction {
  return (hostname: string, lookupOptions: LookupOptions, callback) => {
    resolveHost(hostname).then(
      (resolved) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const candidates = resolved.filter((entry) => family === 0 || entry.family === family);
        const allowed = guard ? candidates.filter((entry) => classifyAddress(entry.address)?.blocked === false) : candidates;
        if (allowed.length === 0) {
          const error =
            candidates.length > 0
              ? new SsrfBlockedError(`${hostname} resolves only to internal addresses (${candidates.map(describeAddress).join(', ')})`)
              : Object.assign(new Error(`${hostname} has no ${family ? `IPv${family} ` : ''}address`), { code: 'ENOTFOUND' });
          callback(error, lookupOptions.all ? [] : '', undefined);
          return;
        }
        if (lookupOptions.all) callback(null, allowed);
        else callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, lookupOptions.all ? [] : '', undefined),
    );
  };
}

function refusalFor(host: string): string | null {
  const verdict = classifyAddress(host);
  return verdict?.blocked ? `${verdict.address} is an internal address (${verdict.range})` : null;
}

/** Why a connected socket's peer is refused, or null; exported for its tests. */
export function peerRefusal(peer: string | undefined): string | null {
  if (!peer) return 'the connection has no peer address';
  const verdict = classifyAddress(peer);
  if (!verdict) return `the peer address ${peer} could not be classified`;
  return verdict.blocked ? `connected to ${verdict.address}, an internal address (${verdict.range})` : null;
}

function describeAddress(entry: LookupAddress): string {
  const verdict = classifyAddress(entry.address);
  return verdict?.blocked ? `${verdict.address}: ${verdict.range}` : entry.address;
}

// An endpoint's stored credentials, opened for one request: its auth, its custom headers (secret
// values sealed) and its signing secrets. A delivery's POST and a health-check probe both send them.
import type { DeliveryForAttempt } from '../db/attempts.repository';
import { endpointAuthSchema, type EndpointAuth } from '../domain/endpoint-auth';
import { openCustomHeaders } from '../domain/endpoint-headers';

type SealedCredentials = Pick<DeliveryForAttempt, 'authSealed' | 'customHeaders' | 'sealedSecrets'>;

export interface EndpointCredentials {
  auth: EndpointAuth;
  customHeaders: Record<string, string>;
  signingSecrets: string[];
}

/** Throws when what is stored cannot be opened (a wrong key, or a value no longer valid). */
export function openEndpointCredentials(stored: SealedCredentials, box: { open(sealed: string): string }): EndpointCredentials {
  return {
    auth: stored.authSealed ? endpointAuthSchema.parse(JSON.parse(box.open(stored.authSealed))) : { type: 'none' },
    customHeaders: openCustomHeaders(stored.customHeaders, box),
    signingSecrets: stored.sealedSecrets.map((sealed) => box.open(sealed)),
  };
}

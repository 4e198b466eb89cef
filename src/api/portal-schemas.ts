// zod schemas of the portal-session requests (see schemas.ts for the rest of the API).
import { z } from 'zod';
import { normalizeOrigin, PORTAL_EXPIRY_SECONDS } from '../domain/portal-sessions';
import { eventTypeName, identifier, paginationQuery } from './schemas';

/** A logo is a data: URL, so that the portal loads nothing from another origin. */
const LOGO_DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
const MAX_LOGO_CHARACTERS = 100_000;

const origin = z
  .string()
  .max(300)
  .refine((text) => normalizeOrigin(text) !== null, 'must be an origin: http(s)://host[:port], no path, no wildcard')
  .transform((text) => normalizeOrigin(text)!);

export const portalBranding = z.strictObject({
  displayName: z.string().min(1).max(100).optional().describe('Shown in the portal header instead of "hookrelay"'),
  logoUrl: z
    .string()
    .max(MAX_LOGO_CHARACTERS)
    .regex(LOGO_DATA_URL, 'must be a data: URL of a PNG, JPEG, GIF or WebP image (base64)')
    .optional()
    .describe('A data: URL (image/png, jpeg, gif or webp; base64, at most 100,000 characters): nothing is loaded from another origin'),
  accentColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb')
    .optional()
    .describe('#rrggbb: buttons and links'),
});

export const createPortalSessionBody = z.strictObject({
  expiresInSeconds: z
    .number()
    .int()
    .min(PORTAL_EXPIRY_SECONDS.min)
    .max(PORTAL_EXPIRY_SECONDS.max)
    .optional()
    .describe('How long the link may be opened, and the browser session it opens lasts: 300 (5 min) to 604800 (7 days); default 3600'),
  readOnly: z.boolean().optional().describe('Default false. Read-only: endpoints and their log, no changes, no signing secrets'),
  endpointIds: z
    .array(identifier('ep'))
    .min(1)
    .max(100)
    .optional()
    .describe('Only these endpoints are visible (and no endpoint can be added); absent: all of the tenant'),
  eventTypes: z
    .array(eventTypeName)
    .min(1)
    .max(100)
    .optional()
    .describe('Only these event types: in the catalog, in subscriptions (no "*"), in the log; endpoints subscribed to others are hidden'),
  allowedOrigins: z
    .array(origin)
    .max(20)
    .optional()
    .describe('Origins that may frame the portal (its frame-ancestors) and receive its postMessage events; absent: it cannot be framed'),
  branding: portalBranding.optional(),
});

export const portalSessionParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('ps') });
export const listPortalSessionsQuery = z.strictObject({ ...paginationQuery });

/** The portal page's own routes (outside /v1): the session in the path, the link token in the body. */
export const portalPageParams = z.strictObject({ sessionId: identifier('ps') });
/** The page's own path: any segment is served (a malformed or unknown id gets the page that says the link is not valid). */
export const portalPagePathParams = z.strictObject({
  sessionId: z
    .string()
    .describe('The portal session id (`ps_…`) from the link; anything else gets the page that says the link is not valid'),
});
export const exchangeLinkBody = z.strictObject({ linkToken: z.string().min(1).max(200) });

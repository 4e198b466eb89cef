// The pure rules of portal sessions: token shapes, scopes from options, subscriptions within an
// event-type limit, origins a host page may frame from, the page's policy and a session's status.
import {
  generatePortalToken,
  hashPortalToken,
  isWellFormedPortalToken,
  normalizeOrigin,
  portalContentSecurityPolicy,
  portalLogEventTypes,
  portalMayCreateEndpoints,
  portalMaySubscribe,
  portalScopes,
  portalSessionStatus,
} from '../../src/domain/portal-sessions';

const unlimited = { readOnly: false, endpointIds: null, eventTypes: null };

describe('portal tokens', () => {
  it('makes link and session tokens of distinct shapes and hashes them', () => {
    const link = generatePortalToken('link');
    const session = generatePortalToken('session');
    expect(link.token).toMatch(/^hrpl_[A-Za-z0-9_-]{32}$/);
    expect(session.token).toMatch(/^hrps_[A-Za-z0-9_-]{32}$/);
    expect(link.hash).toBe(hashPortalToken(link.token));
    expect(isWellFormedPortalToken('link', link.token)).toBe(true);
    expect(isWellFormedPortalToken('session', link.token)).toBe(false);
    expect(isWellFormedPortalToken('session', 'hr_' + 'a'.repeat(32))).toBe(false);
  });
});

describe('portal scopes', () => {
  it('gives read-only sessions the log without secrets, and never publishing or more links', () => {
    expect(portalScopes({ ...unlimited, readOnly: true })).toEqual(['endpoints:read']);
    expect(portalScopes(unlimited)).toEqual(['endpoints:read', 'endpoints:secrets', 'endpoints:write']);
  });

  it('lets a session subscribe only within its event types, never to "*"', () => {
    const limited = { ...unlimited, eventTypes: ['invoice.paid'] };
    expect(portalMaySubscribe(unlimited, ['*'])).toBe(true);
    expect(portalMaySubscribe(limited, ['invoice.paid'])).toBe(true);
    expect(portalMaySubscribe(limited, ['*'])).toBe(false);
    expect(portalMaySubscribe(limited, ['invoice.paid', 'invoice.voided'])).toBe(false);
    expect(portalLogEventTypes(limited)).toEqual(['invoice.paid', 'webhook.test']);
    expect(portalLogEventTypes(unlimited)).toBeNull();
  });

  it('adds no endpoint to a session limited to some, nor to a read-only one', () => {
    expect(portalMayCreateEndpoints(unlimited)).toBe(true);
    expect(portalMayCreateEndpoints({ ...unlimited, endpointIds: ['ep_1'] })).toBe(false);
    expect(portalMayCreateEndpoints({ ...unlimited, readOnly: true })).toBe(false);
  });
});

describe('allowed origins', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['https://app.example.com/', 'https://app.example.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://APP.example.com', null],
    ['https://app.example.com/embed', null],
    ['https://app.example.com?x=1', null],
    ['https://user:pw@app.example.com', null],
    ['https://*.example.com', null],
    ['javascript:alert(1)', null],
    ['app.example.com', null],
    ["https://a.example 'unsafe-inline'", null],
  ])('reads %s as %s', (text, origin) => {
    expect(normalizeOrigin(text)).toBe(origin);
  });

  it('frames the page only from the origins, or from nowhere', () => {
    expect(portalContentSecurityPolicy(['https://a.example', 'https://b.example'])).toContain(
      'frame-ancestors https://a.example https://b.example',
    );
    expect(portalContentSecurityPolicy([])).toContain("frame-ancestors 'none'");
    expect(portalContentSecurityPolicy([])).toContain("script-src 'self'");
  });
});

describe('portal session status', () => {
  it('is revoked, then expired, then active once opened, else unused', () => {
    expect(portalSessionStatus({ revoked: true, expired: true, exchanged: true })).toBe('revoked');
    expect(portalSessionStatus({ revoked: false, expired: true, exchanged: true })).toBe('expired');
    expect(portalSessionStatus({ revoked: false, expired: false, exchanged: true })).toBe('active');
    expect(portalSessionStatus({ revoked: false, expired: false, exchanged: false })).toBe('unused');
  });
});

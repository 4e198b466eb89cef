// hookrelay portal: the console's screens for one tenant's customer, signed in by a one-time link
// (see lib/portal-session.js), shown with the session's branding and only what its options allow.
// The host page that frames it hears of changes by postMessage (README "Portal for your customers").
import { api, configureApi } from './lib/api.js';
import { configureApp } from './lib/app-context.js';
import { h } from './lib/dom.js';
import { forgetPortalSession, hostNotifier, openPortalSession, portalCredential } from './lib/portal-session.js';
import { startRouter } from './lib/router.js';
import { catalogScreen } from './screens/catalog.js';
import { deliveryScreen } from './screens/delivery.js';
import { endpointScreen } from './screens/endpoint.js';
import { endpointFilterPanel } from './screens/endpoint-filter.js';
import { endpointHealthPanel } from './screens/endpoint-health.js';
import { registerEndpointPanel } from './screens/endpoint-panels.js';
import { endpointFormScreen } from './screens/endpoint-form.js';
import { endpointsScreen } from './screens/endpoints.js';
import { portalNotice } from './screens/portal-notice.js';

registerEndpointPanel(endpointHealthPanel);
registerEndpointPanel(endpointFilterPanel);

let session = null;
let notify = () => undefined;

function applyBranding(branding) {
  if (branding.displayName) {
    document.getElementById('brand-name').textContent = branding.displayName;
    document.title = `${branding.displayName} · Webhooks`;
  }
  if (branding.logoUrl) {
    const logo = document.getElementById('brand-logo');
    logo.src = branding.logoUrl; // a data: URL: nothing loads from another origin
    logo.hidden = false;
  }
  // CSSOM, not a style attribute: allowed by the page's style-src 'self'.
  if (branding.accentColor) document.documentElement.style.setProperty('--accent', branding.accentColor);
}

function renderNav() {
  document
    .getElementById('nav')
    .replaceChildren(
      h('a', { href: '#/endpoints' }, 'Endpoints'),
      h('a', { href: '#/event-types' }, 'Event types'),
      h('span', { class: 'spacer' }),
      ...(session.readOnly ? [h('span', { class: 'badge read-only', id: 'read-only' }, 'read-only')] : []),
    );
}

function sessionEnded() {
  forgetPortalSession();
  notify('session.ended');
  portalNotice('ended');
}

const table = [
  [/^#\/endpoints$/, endpointsScreen],
  [/^#\/endpoints\/new$/, (token) => endpointFormScreen(null, token)],
  [/^#\/endpoints\/(\w+)\/edit$/, endpointFormScreen],
  [/^#\/endpoints\/(\w+)$/, endpointScreen],
  [/^#\/deliveries\/(\w+)$/, deliveryScreen],
  [/^#\/event-types$/, catalogScreen],
];

async function start() {
  const opened = await openPortalSession();
  if (!opened.ok) return portalNotice(opened.reason);
  configureApi({ credential: portalCredential, tenant: () => session?.tenantId, unauthorized: sessionEnded });
  try {
    session = await api('GET', '/v1/portal-session');
  } catch {
    return sessionEnded();
  }
  notify = hostNotifier(session.allowedOrigins);
  configureApp({
    showWorkflow: false,
    canWrite: !session.readOnly,
    canReadSecrets: !session.readOnly,
    canCreateEndpoints: !session.readOnly && session.endpointIds === null,
    canSubscribeToAll: session.eventTypes === null,
    notify: (type, detail) => notify(type, detail),
  });
  applyBranding(session.branding);
  // The host may size its frame to the portal's content.
  new ResizeObserver(() => notify('portal.resized', { height: document.documentElement.scrollHeight })).observe(document.body);
  const redirect = (hash) => (hash === '#/' || hash === '#' || hash === '' ? '#/endpoints' : hash);
  await startRouter({ table, redirect, onRender: renderNav });
  notify('portal.ready', { sessionId: session.id, readOnly: session.readOnly });
}

void start();

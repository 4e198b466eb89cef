// hookrelay console: a small single-page app over the public /v1 API, built from ES modules
// (lib/ shared pieces, screens/ one per screen; no build step). This entry is the operator
// console: it signs in with an API key, which lives in sessionStorage (gone when the tab
// closes) and goes out as a Bearer token.
import { configureApi, tenantId } from './lib/api.js';
import { configureApp } from './lib/app-context.js';
import { h } from './lib/dom.js';
import { operatorSession, signOut } from './lib/operator-session.js';
import { startRouter } from './lib/router.js';
import { deliveryScreen } from './screens/delivery.js';
import { endpointScreen } from './screens/endpoint.js';
import { endpointFilterPanel } from './screens/endpoint-filter.js';
import { endpointHealthPanel } from './screens/endpoint-health.js';
import { endpointFormScreen } from './screens/endpoint-form.js';
import { endpointsScreen } from './screens/endpoints.js';
import { endpointReplayPanel, replayScreen, replaysScreen } from './screens/replays.js';
import { loginScreen } from './screens/login.js';
import { tenantsScreen } from './screens/tenants.js';
import { registerEndpointPanel } from './screens/endpoint-panels.js';

registerEndpointPanel(endpointHealthPanel);
registerEndpointPanel(endpointFilterPanel);
registerEndpointPanel(endpointReplayPanel);

configureApi({
  credential: operatorSession.key,
  tenant: operatorSession.tenant,
  unauthorized: () => signOut('Your API key was not accepted. Sign in again.'),
});

function renderNav() {
  const signedIn = operatorSession.key();
  const items = [];
  if (signedIn && tenantId()) items.push(h('a', { href: '#/endpoints' }, 'Endpoints'));
  if (signedIn && tenantId()) items.push(h('a', { href: '#/replays' }, 'Replays'));
  if (signedIn && operatorSession.role() === 'admin') items.push(h('a', { href: '#/tenants' }, 'Tenants'));
  items.push(h('span', { class: 'spacer' }));
  if (signedIn && tenantId()) items.push(h('span', { class: 'mono', title: 'Current tenant' }, tenantId()));
  if (signedIn) items.push(h('button', { type: 'button', onclick: () => signOut() }, 'Sign out'));
  document.getElementById('nav').replaceChildren(...items);
}

/** Signed out: the sign-in form; an admin without a tenant: the tenant picker; '#/': the endpoints. */
function redirect(hash) {
  if (!operatorSession.key() && hash !== '#/login') return '#/login';
  if (operatorSession.key() && !tenantId() && hash !== '#/tenants' && hash !== '#/login') return '#/tenants';
  if (hash === '#/' || hash === '#') return '#/endpoints';
  return hash;
}

const table = [
  // Each screen gets the path's captures, then the render token (a newer render makes it stale).
  [/^#\/login$/, loginScreen],
  [/^#\/tenants$/, tenantsScreen],
  [/^#\/endpoints$/, endpointsScreen],
  [/^#\/endpoints\/new$/, (token) => endpointFormScreen(null, token)],
  [/^#\/endpoints\/(\w+)\/edit$/, endpointFormScreen],
  [/^#\/endpoints\/(\w+)$/, endpointScreen],
  [/^#\/deliveries\/(\w+)$/, deliveryScreen],
  [/^#\/replays$/, replaysScreen],
  [/^#\/replays\/(\w+)$/, replayScreen],
];

fetch('/console/config.json')
  .then((response) => (response.ok ? response.json() : null))
  .then((config) => config && configureApp({ temporalUiUrl: config.temporalUiUrl, namespace: config.namespace }))
  .catch(() => undefined)
  .finally(() => void startRouter({ table, redirect, onRender: renderNav }));

// The tenant's endpoints: a table with the enabled switch, status and circuit health of each.
import { api, tenantPath } from '../lib/api.js';
import { appContext } from '../lib/app-context.js';
import { h, show } from '../lib/dom.js';
import { enabledToggle } from '../lib/forms.js';
import { healthInfo, statusBadge } from '../lib/format.js';
import { isCurrent, rerender } from '../lib/router.js';

export async function endpointsScreen(token) {
  const page = await api('GET', tenantPath('/endpoints?limit=250'));
  if (!isCurrent(token)) return;
  const header = h(
    'div',
    { class: 'row between' },
    h('div', {}, h('h1', {}, 'Endpoints'), h('p', { class: 'sub' }, 'Where this tenant’s webhooks go.')),
    appContext.canCreateEndpoints ? h('a', { class: 'button primary', href: '#/endpoints/new', id: 'new-endpoint' }, 'New endpoint') : null,
  );
  if (!page.data.length) {
    const addFirst = appContext.canCreateEndpoints ? [h('a', { href: '#/endpoints/new' }, 'Add the first one'), '.'] : [];
    show(header, h('div', { class: 'empty' }, 'No endpoints yet. ', ...addFirst));
    return;
  }
  const rows = page.data.map((endpoint) => {
    const toggle = enabledToggle(endpoint, () => rerender());
    return h(
      'tr',
      { dataset: { endpoint: endpoint.id } },
      h('td', {}, toggle),
      h(
        'td',
        {},
        h('a', { href: `#/endpoints/${endpoint.id}` }, h('strong', {}, endpoint.name)),
        h('div', { class: 'hint' }, endpoint.description),
      ),
      h('td', { class: 'mono' }, endpoint.url),
      h('td', {}, endpoint.eventTypes.join(', ')),
      h(
        'td',
        {},
        statusBadge(endpoint.enabled ? 'enabled' : 'disabled'),
        endpoint.disabledReason ? h('div', { class: 'hint' }, endpoint.disabledReason) : null,
      ),
      h('td', { class: 'health' }, ...healthInfo(endpoint.health)),
    );
  });
  show(
    header,
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Enabled', 'Name', 'URL', 'Event types', 'Status', 'Health'].map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

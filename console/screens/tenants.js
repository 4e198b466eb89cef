// The admin's tenant picker: every tenant, one click to work on it.
import { api } from '../lib/api.js';
import { h, show } from '../lib/dom.js';
import { formatDate } from '../lib/format.js';
import { operatorSession } from '../lib/operator-session.js';
import { isCurrent } from '../lib/router.js';

export async function tenantsScreen(token) {
  if (operatorSession.role() !== 'admin') {
    location.hash = '#/endpoints';
    return;
  }
  const page = await api('GET', '/v1/tenants?limit=100');
  if (!isCurrent(token)) return;
  const body = page.data.length
    ? h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Tenant'), h('th', {}, 'Id'), h('th', {}, 'Created'))),
        h(
          'tbody',
          {},
          page.data.map((tenant) =>
            h(
              'tr',
              {
                class: 'clickable',
                dataset: { tenant: tenant.id },
                onclick: () => {
                  operatorSession.setTenant(tenant.id);
                  location.hash = '#/endpoints';
                },
              },
              h('td', {}, h('strong', {}, tenant.name)),
              h('td', { class: 'mono' }, tenant.id),
              h('td', {}, formatDate(tenant.createdAt)),
            ),
          ),
        ),
      )
    : h('div', { class: 'empty' }, 'No tenants yet. Create one with POST /v1/tenants.');
  show(h('h1', {}, 'Choose a tenant'), h('p', { class: 'sub' }, 'The admin key sees every tenant; pick the one to work on.'), body);
}

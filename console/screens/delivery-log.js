// An endpoint's delivery log: filters that map one to one onto GET /deliveries query parameters,
// resource-id search, and "Load more" pages. Returns { filters, logBox, refreshLog }.
import { api, tenantPath } from '../lib/api.js';
import { errorBox, h, loading } from '../lib/dom.js';
import { codeBadge, formatDate, statusBadge } from '../lib/format.js';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'waiting', 'succeeded', 'failed', 'cancelled'];

export function deliveryLog(endpoint, catalog) {
  const status = h(
    'select',
    { id: 'filter-status' },
    h('option', { value: '' }, 'Any status'),
    DELIVERY_STATUSES.map((s) => h('option', { value: s }, s)),
  );
  const eventType = h(
    'select',
    { id: 'filter-event-type' },
    h('option', { value: '' }, 'Any event type'),
    catalog.data.map((t) => h('option', { value: t.name }, t.name)),
    h('option', { value: 'webhook.test' }, 'webhook.test'),
  );
  const since = h('input', { type: 'datetime-local', id: 'filter-since' });
  const until = h('input', { type: 'datetime-local', id: 'filter-until' });
  const resource = h('input', { type: 'search', id: 'filter-resource', placeholder: 'Resource id, e.g. inv_123' });
  const logBox = h('div', { id: 'log' }, loading());
  let cursor = null;
  const query = () => {
    const params = new URLSearchParams({ endpointId: endpoint.id, limit: '25' });
    if (status.value) params.set('status', status.value);
    if (eventType.value) params.set('eventType', eventType.value);
    if (resource.value.trim()) params.set('resourceId', resource.value.trim());
    if (since.value) params.set('since', new Date(since.value).toISOString());
    if (until.value) params.set('until', new Date(until.value).toISOString());
    return params;
  };
  const refreshLog = async (append = false) => {
    if (!append) {
      cursor = null;
      logBox.replaceChildren(loading());
    }
    try {
      const params = query();
      if (append && cursor) params.set('cursor', cursor);
      const page = await api('GET', tenantPath(`/deliveries?${params}`));
      cursor = page.nextCursor;
      const rows = page.data.map((d) =>
        h(
          'tr',
          { class: 'clickable', dataset: { delivery: d.id }, onclick: () => (location.hash = `#/deliveries/${d.id}`) },
          h('td', { class: 'mono' }, d.id),
          h('td', {}, formatDate(d.createdAt)),
          h('td', {}, d.eventType),
          h('td', { class: 'mono' }, endpoint.url),
          h('td', {}, statusBadge(d.status)),
          h('td', {}, codeBadge(d.lastResponseStatus)),
          h('td', {}, d.resourceId ?? ''),
        ),
      );
      const existing = append ? logBox.querySelector('tbody') : null;
      if (existing) existing.append(...rows);
      else if (!rows.length)
        logBox.replaceChildren(h('div', { class: 'empty' }, 'No deliveries match. Publish an event or send a test event.'));
      else
        logBox.replaceChildren(
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Delivery', 'Date', 'Event type', 'URL', 'Status', 'Response', 'Resource'].map((t) => h('th', {}, t)),
              ),
            ),
            h('tbody', {}, rows),
          ),
        );
      logBox.querySelector('.pager')?.remove();
      if (cursor)
        logBox.append(h('p', { class: 'pager' }, h('button', { type: 'button', onclick: () => void refreshLog(true) }, 'Load more')));
    } catch (error) {
      logBox.replaceChildren(errorBox(error));
    }
  };
  const filters = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        void refreshLog();
      },
    },
    ...[
      ['Status', status],
      ['Event type', eventType],
      ['From', since],
      ['To', until],
      ['Search', resource],
    ].map(([label, input]) => h('div', {}, h('label', { for: input.id }, label), input)),
    h('button', { class: 'primary', type: 'submit', id: 'apply-filters' }, 'Apply'),
    h('button', { type: 'button', id: 'refresh-log', onclick: () => void refreshLog() }, 'Refresh'),
  );
  return { filters, logBox, refreshLog };
}

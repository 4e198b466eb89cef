// Replays (README "Replays"): the tenant's replay jobs with their progress, one replay's detail
// with a cancel button, a form to start one, and a panel on the endpoint page that replays what
// that endpoint failed to get or missed. Open replays refresh themselves every two seconds.
import { api, tenantPath } from '../lib/api.js';
import { h, show, toast } from '../lib/dom.js';
import { field } from '../lib/forms.js';
import { formatDate, statusBadge } from '../lib/format.js';
import { isCurrent, rerender } from '../lib/router.js';

const OPEN_STATUSES = ['pending', 'running', 'settling'];
const REFRESH_MS = 2000;

/** Renders again in a while if the replays shown are still open and the screen is still current. */
function refreshWhileOpen(token, replays) {
  if (replays.some((replay) => OPEN_STATUSES.includes(replay.status))) setTimeout(() => isCurrent(token) && void rerender(), REFRESH_MS);
}

/** matched / started / delivered / failed as a bar and numbers. */
export function replayProgress(replay) {
  const { matched, started, delivered, failed } = replay.counts;
  // Widths through the CSSOM: the console's CSP refuses style attributes.
  const segment = (kind, n) => {
    const span = h('span', { class: kind });
    span.style.width = `${matched > 0 ? Math.min(100, (100 * n) / matched) : 0}%`;
    return span;
  };
  return h(
    'div',
    { class: 'replay-progress', dataset: { replay: replay.id } },
    h(
      'div',
      {
        class: 'progress-bar',
        role: 'progressbar',
        'aria-valuemin': '0',
        'aria-valuemax': String(matched),
        'aria-valuenow': String(delivered + failed),
      },
      segment('delivered', delivered),
      segment('failed', failed),
      segment('in-flight', Math.max(0, started - delivered - failed)),
    ),
    h('div', { class: 'hint counts' }, `${matched} matched · ${started} started · ${delivered} delivered · ${failed} failed`),
  );
}

function filterSummary(filter) {
  const parts = [];
  if (filter.endpointIds) parts.push(`endpoints ${filter.endpointIds.join(', ')}`);
  if (filter.eventTypes) parts.push(`types ${filter.eventTypes.join(', ')}`);
  if (filter.status) parts.push(`status ${filter.status.join(', ')}`);
  if (filter.statusClass) parts.push(filter.statusClass);
  if (filter.errorKind) parts.push(filter.errorKind);
  if (filter.resourceId) parts.push(`resource ${filter.resourceId}`);
  parts.push(`${filter.since ? formatDate(filter.since) : 'from the start'} → ${formatDate(filter.until)}`);
  return parts.join(' · ');
}

/** The form's values as a replay request: empty fields are left out. */
function replayRequest(form) {
  const value = (name) => form.elements[name].value.trim();
  const list = (name) =>
    value(name)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const time = (name) => (value(name) ? new Date(value(name)).toISOString() : undefined);
  const mode = value('mode');
  return {
    mode,
    ...(list('endpointIds').length && { endpointIds: list('endpointIds') }),
    ...(list('eventTypes').length && { eventTypes: list('eventTypes') }),
    ...(mode === 'failed' && value('statusClass') && { statusClass: value('statusClass') }),
    ...(mode === 'failed' && value('errorKind') && { errorKind: value('errorKind') }),
    ...(value('resourceId') && { resourceId: value('resourceId') }),
    ...(time('since') && { since: time('since') }),
    ...(time('until') && { until: time('until') }),
  };
}

function newReplayForm() {
  const input = (name, attrs = {}) => h('input', { id: `replay-${name}`, name, ...attrs });
  const select = (name, options) =>
    h(
      'select',
      { id: `replay-${name}`, name },
      options.map(([value, label]) => h('option', { value }, label)),
    );
  const form = h(
    'form',
    {
      id: 'new-replay',
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const replay = await api('POST', tenantPath('/replays'), replayRequest(form));
          toast('Replay started');
          location.hash = `#/replays/${replay.id}`;
        } catch (error) {
          toast(error.message, true);
        }
      },
    },
    h('h2', {}, 'New replay'),
    field(
      'Mode',
      select('mode', [
        ['failed', 'failed: resend what failed'],
        ['missing', 'missing: send what endpoints never got'],
      ]),
    ),
    field('Endpoints', input('endpointIds', { placeholder: 'ep_…, ep_…' }), 'comma-separated; empty: every enabled endpoint'),
    field('Event types', input('eventTypes', { placeholder: 'invoice.activated' }), 'comma-separated; empty: all'),
    field(
      'Last response',
      select('statusClass', [
        ['', 'any'],
        ['5xx', '5xx'],
        ['4xx', '4xx'],
        ['3xx', '3xx'],
        ['2xx', '2xx'],
      ]),
      'failed mode only',
    ),
    field('Error kind', input('errorKind', { placeholder: 'timeout, connection, tls…' }), 'failed mode only'),
    field('Resource id', input('resourceId')),
    field('Since', input('since', { type: 'datetime-local', step: '1' })),
    field('Until', input('until', { type: 'datetime-local', step: '1' }), 'empty: now'),
    h('button', { type: 'submit', class: 'primary', id: 'start-replay' }, 'Start replay'),
  );
  return form;
}

export async function replaysScreen(token) {
  const page = await api('GET', tenantPath('/replays?limit=50'));
  if (!isCurrent(token)) return;
  const header = h(
    'div',
    {},
    h('h1', {}, 'Replays'),
    h('p', { class: 'sub' }, 'Resend what failed, or send what endpoints missed, paced.'),
  );
  const rows = page.data.map((replay) =>
    h(
      'tr',
      { dataset: { replay: replay.id } },
      h('td', {}, h('a', { href: `#/replays/${replay.id}`, class: 'mono' }, replay.id)),
      h('td', {}, replay.mode),
      h('td', {}, statusBadge(replay.status)),
      h('td', {}, replayProgress(replay)),
      h('td', { class: 'hint' }, filterSummary(replay.filter)),
      h('td', {}, formatDate(replay.createdAt)),
    ),
  );
  const list = page.data.length
    ? h(
        'table',
        { id: 'replays' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Replay', 'Mode', 'Status', 'Progress', 'Filters', 'Created'].map((t) => h('th', {}, t)),
          ),
        ),
        h('tbody', {}, rows),
      )
    : h('div', { class: 'empty' }, 'No replays yet.');
  show(header, list, newReplayForm());
  refreshWhileOpen(token, page.data);
}

export async function replayScreen(id, token) {
  const replay = await api('GET', tenantPath(`/replays/${encodeURIComponent(id)}`));
  if (!isCurrent(token)) return;
  const open = OPEN_STATUSES.includes(replay.status);
  const cancel = h(
    'button',
    {
      type: 'button',
      id: 'cancel-replay',
      onclick: async () => {
        cancel.disabled = true;
        try {
          await api('POST', tenantPath(`/replays/${encodeURIComponent(id)}/cancel`));
          toast('Cancelling: it starts nothing more');
        } catch (error) {
          toast(error.message, true);
        }
        void rerender();
      },
    },
    'Cancel replay',
  );
  show(
    h('p', {}, h('a', { href: '#/replays' }, '← Replays')),
    h('h1', {}, `Replay ${replay.mode}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Id'),
      h('dd', { class: 'mono' }, replay.id),
      h('dt', {}, 'Status'),
      h('dd', { id: 'replay-status' }, statusBadge(replay.status), replay.cancelRequestedAt && open ? ' (cancelling)' : ''),
      h('dt', {}, 'Progress'),
      h('dd', {}, replayProgress(replay)),
      h('dt', {}, 'Filters'),
      h('dd', {}, filterSummary(replay.filter)),
      h('dt', {}, 'Workflow'),
      h('dd', { class: 'mono' }, replay.workflowId),
      h('dt', {}, 'Created'),
      h('dd', {}, formatDate(replay.createdAt)),
      h('dt', {}, 'Finished'),
      h('dd', {}, formatDate(replay.finishedAt)),
    ),
    open && !replay.cancelRequestedAt ? cancel : null,
  );
  refreshWhileOpen(token, [replay]);
}

/** On the endpoint page: replay what this endpoint failed to get, or what it missed. */
export function endpointReplayPanel({ endpoint }) {
  const start = (mode) => async () => {
    try {
      const replay = await api('POST', tenantPath('/replays'), { mode, endpointIds: [endpoint.id] });
      location.hash = `#/replays/${replay.id}`;
    } catch (error) {
      toast(error.message, true);
    }
  };
  return h(
    'div',
    { id: 'endpoint-replay' },
    h('h2', {}, 'Replay'),
    h('p', { class: 'hint' }, 'Sent at the endpoint’s pace (its rate limit, or the default), held while its circuit is open.'),
    h('button', { type: 'button', id: 'replay-failed', onclick: start('failed') }, 'Resend failed deliveries'),
    ' ',
    h('button', { type: 'button', id: 'replay-missing', onclick: start('missing') }, 'Send missed events'),
  );
}

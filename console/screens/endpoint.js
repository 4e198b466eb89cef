// One endpoint: its facts, actions (enable, edit, test event, delete, recover), signing secret and
// the code that verifies it, the panels other modules registered (see endpoint-panels.js) and its
// delivery log. Write actions show only where the credential may write.
import { api, tenantPath } from '../lib/api.js';
import { appContext } from '../lib/app-context.js';
import { h, show } from '../lib/dom.js';
import { enabledToggle } from '../lib/forms.js';
import { healthInfo, statusBadge } from '../lib/format.js';
import { isCurrent, rerender } from '../lib/router.js';
import { deliveryLog } from './delivery-log.js';
import { endpointPanelSlots } from './endpoint-panels.js';
import { deleteButton, recoverForm, sendTestButton } from './endpoint-actions.js';
import { signingSecret } from './endpoint-secret.js';
import { signatureSnippets } from './signature-snippets.js';

function endpointFacts(endpoint, secretView) {
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Id'),
    h('dd', { class: 'mono' }, endpoint.id),
    h('dt', {}, 'URL'),
    h('dd', { class: 'mono' }, endpoint.url),
    h('dt', {}, 'Status'),
    h('dd', {}, statusBadge(endpoint.enabled ? 'enabled' : 'disabled'), endpoint.disabledReason ? ` ${endpoint.disabledReason}` : ''),
    h('dt', {}, 'Health'),
    h('dd', { id: 'endpoint-health' }, ...healthInfo(endpoint.health)),
    h('dt', {}, 'Health check URL'),
    h('dd', { class: 'mono' }, endpoint.healthCheckUrl ?? 'none: probes are real deliveries'),
    h('dt', {}, 'Event types'),
    h('dd', {}, endpoint.eventTypes.join(', ')),
    h('dt', {}, 'Authentication'),
    h('dd', {}, endpoint.auth.type),
    h('dt', {}, 'Retry policy'),
    h('dd', { class: 'mono' }, endpoint.retryPolicy ? JSON.stringify(endpoint.retryPolicy) : 'default schedule'),
    endpoint.retryPolicy?.repeatCount ? h('dt', {}, 'Repeats') : null,
    endpoint.retryPolicy?.repeatCount
      ? h(
          'dd',
          { id: 'retry-repeats' },
          `the sequence runs ${endpoint.retryPolicy.repeatCount + 1} times, ${endpoint.retryPolicy.repeatAfterSeconds} s apart; the delivery gives up after the last run`,
        )
      : null,
    h('dt', {}, 'Limits'),
    h(
      'dd',
      { id: 'endpoint-limits' },
      [
        endpoint.rateLimitPerSecond ? `${endpoint.rateLimitPerSecond} POSTs/s` : 'no rate limit',
        endpoint.maxConcurrentRequests ? `${endpoint.maxConcurrentRequests} in flight at most` : 'no concurrency limit',
      ].join(', '),
    ),
    h('dt', {}, 'Ordering'),
    h(
      'dd',
      { id: 'endpoint-ordering' },
      endpoint.ordering ? (endpoint.ordering.key === 'resourceId' ? 'FIFO per resource id' : 'FIFO (whole endpoint)') : 'unordered',
    ),
    h('dt', {}, 'Signing secret'),
    h('dd', {}, secretView),
  );
}

export async function endpointScreen(id, token) {
  const [endpoint, catalog] = await Promise.all([api('GET', tenantPath(`/endpoints/${id}`)), api('GET', '/v1/event-types')]);
  if (!isCurrent(token)) return;
  const { filters, logBox, refreshLog } = deliveryLog(endpoint, catalog);
  const snippets = signatureSnippets();
  const secretView = appContext.canReadSecrets
    ? signingSecret(endpoint.id, (secrets) => snippets.setSecret(secrets.secret))
    : h('span', { class: 'hint', id: 'secret-unavailable' }, 'Not shown in a read-only session');
  const actions = h(
    'div',
    { class: 'row' },
    enabledToggle(endpoint, () => rerender()),
    h('span', {}, endpoint.enabled ? 'Enabled' : 'Disabled'),
    appContext.canWrite
      ? [
          h('a', { class: 'button', href: `#/endpoints/${id}/edit`, id: 'edit-endpoint' }, 'Edit'),
          sendTestButton(endpoint, refreshLog),
          deleteButton(endpoint),
        ]
      : null,
  );
  show(
    h('p', {}, h('a', { href: '#/endpoints' }, '← Endpoints')),
    h(
      'div',
      { class: 'row between' },
      h('div', {}, h('h1', {}, endpoint.name), h('p', { class: 'sub' }, endpoint.description || endpoint.url)),
      actions,
    ),
    h('div', { class: 'panel' }, endpointFacts(endpoint, secretView)),
    endpointPanelSlots({ endpoint }),
    snippets.panel,
    h('h2', {}, 'Delivery log'),
    filters,
    appContext.canWrite ? recoverForm(endpoint, refreshLog) : null,
    logBox,
  );
  await refreshLog();
}

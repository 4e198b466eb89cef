// One delivery: its facts, the event's payload, every attempt with request and response, the
// Temporal UI link, and Resend / Cancel.
import { api, tenantPath } from '../lib/api.js';
import { appContext } from '../lib/app-context.js';
import { h, show, toast } from '../lib/dom.js';
import { codeBadge, formatDate, pretty, responseBodyInfo, statusBadge } from '../lib/format.js';
import { isCurrent, rerender } from '../lib/router.js';
import { attemptTimeline } from './attempt-timeline.js';

function temporalLink(delivery) {
  if (!appContext.temporalUiUrl) return h('span', { class: 'hint' }, 'Temporal UI address not configured (TEMPORAL_UI_URL)');
  return h(
    'a',
    {
      id: 'temporal-link',
      target: '_blank',
      rel: 'noopener',
      href: `${appContext.temporalUiUrl}/namespaces/${encodeURIComponent(appContext.namespace)}/workflows/${encodeURIComponent(delivery.workflowId)}`,
    },
    'Open workflow in Temporal UI ↗',
  );
}

/** "tls (certificate expired): …": a TLS failure says which check refused it. */
function errorText(error) {
  const reason = error.tlsFailureReason ? ` (${error.tlsFailureReason.replaceAll('_', ' ')})` : '';
  return `${error.kind}${reason}: ${error.message}`;
}

function attemptDetails(attempt, isLast) {
  return h(
    'details',
    { class: 'attempt', open: isLast, dataset: { attempt: attempt.number } },
    h(
      'summary',
      {},
      h('strong', {}, `Attempt ${attempt.number}`),
      codeBadge(attempt.response?.status, attempt.error?.kind),
      h('span', {}, formatDate(attempt.startedAt)),
      h('span', { class: 'hint' }, `${attempt.durationMs} ms · ${attempt.trigger}`),
    ),
    h(
      'div',
      {},
      attempt.error ? h('p', { class: 'error-box' }, errorText(attempt.error)) : null,
      attemptTimeline(attempt),
      h('h2', {}, 'Request'),
      h(
        'pre',
        {},
        `POST ${attempt.request.url}\n`,
        Object.entries(attempt.request.headers).map(([k, v]) => `${k}: ${v}\n`),
      ),
      attempt.response
        ? [
            h('h2', {}, `Response ${attempt.response.status}`),
            h(
              'pre',
              { class: 'response-headers' },
              Object.entries(attempt.response.headers).map(([k, v]) => `${k}: ${v}\n`),
            ),
            h('p', { class: 'hint response-body-info' }, responseBodyInfo(attempt.response)),
            h('pre', { class: 'response-body' }, attempt.response.body || '(empty body)'),
          ]
        : null,
    ),
  );
}

/** A button that POSTs path, toasts done(result) and shows the delivery it leads to. */
function actionButton(label, idAttr, path, enabled, done, eventName) {
  return h(
    'button',
    {
      type: 'button',
      id: idAttr,
      disabled: !enabled,
      onclick: async (e) => {
        e.target.disabled = true;
        try {
          const result = await api('POST', tenantPath(path));
          toast(done(result));
          appContext.notify(eventName, { deliveryId: result?.deliveryId ?? path.split('/')[2] });
          setTimeout(() => {
            location.hash = result?.mode === 'new' ? `#/deliveries/${result.deliveryId}` : location.hash;
            void rerender();
          }, 900);
        } catch (error) {
          toast(error.message, true);
          e.target.disabled = false;
        }
      },
    },
    label,
  );
}

export async function deliveryScreen(id, token) {
  const delivery = await api('GET', tenantPath(`/deliveries/${id}`));
  const [event, endpoint] = await Promise.all([
    api('GET', tenantPath(`/events/${delivery.eventId}`)),
    api('GET', tenantPath(`/endpoints/${delivery.endpointId}`)).catch(() => null),
  ]);
  if (!isCurrent(token)) return;
  const open = ['pending', 'retrying', 'waiting'].includes(delivery.status);
  const attempts = delivery.attempts.length
    ? delivery.attempts.map((attempt, index) => attemptDetails(attempt, index === delivery.attempts.length - 1))
    : h('div', { class: 'empty' }, open ? 'No attempt yet: the first one is on its way.' : 'No attempts were made.');
  show(
    h('p', {}, h('a', { href: `#/endpoints/${delivery.endpointId}` }, `← ${endpoint?.name ?? 'Endpoint'}`)),
    h(
      'div',
      { class: 'row between' },
      h(
        'div',
        {},
        h('h1', { class: 'mono' }, delivery.id),
        h('p', { class: 'sub' }, `${delivery.eventType} → ${endpoint?.url ?? delivery.endpointId}`),
      ),
      h(
        'div',
        { class: 'row' },
        !appContext.canWrite
          ? null
          : actionButton(
              'Resend',
              'resend',
              `/deliveries/${id}/resend`,
              true,
              (r) => (r.mode === 'new' ? 'Resent as a new delivery' : 'Attempting now'),
              'delivery.resent',
            ),
        !appContext.canWrite
          ? null
          : actionButton('Cancel', 'cancel', `/deliveries/${id}/cancel`, open, () => 'Cancelling…', 'delivery.cancelled'),
      ),
    ),
    h(
      'div',
      { class: 'panel' },
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Status'),
        h('dd', { id: 'delivery-status' }, statusBadge(delivery.status), delivery.statusReason ? ` ${delivery.statusReason}` : ''),
        ...(delivery.waitReason
          ? [
              h('dt', {}, 'Waiting for'),
              h(
                'dd',
                { id: 'delivery-wait-reason' },
                h('span', { class: 'mono' }, delivery.waitReason),
                ' (no attempt is spent while it waits)',
              ),
            ]
          : []),
        h('dt', {}, 'Attempts'),
        h('dd', {}, String(delivery.attemptCount)),
        ...(delivery.orderingPosition !== null && delivery.orderingPosition !== undefined
          ? [h('dt', {}, 'Place in line'), h('dd', { id: 'delivery-ordering-position', class: 'mono' }, delivery.orderingPosition)]
          : []),
        h('dt', {}, 'Next attempt'),
        h('dd', {}, formatDate(delivery.nextAttemptAt)),
        h('dt', {}, 'Created'),
        h('dd', {}, formatDate(delivery.createdAt)),
        h('dt', {}, 'Event'),
        h('dd', { class: 'mono' }, delivery.eventId),
        h('dt', {}, 'Resent from'),
        h('dd', {}, delivery.retryOfId ? h('a', { href: `#/deliveries/${delivery.retryOfId}`, class: 'mono' }, delivery.retryOfId) : '—'),
        appContext.showWorkflow ? h('dt', {}, 'Workflow') : null,
        appContext.showWorkflow ? h('dd', {}, h('span', { class: 'mono' }, delivery.workflowId), ' ', temporalLink(delivery)) : null,
      ),
    ),
    h('h2', {}, 'Payload'),
    h(
      'pre',
      { id: 'payload' },
      pretty({ type: event.type, resourceId: event.resourceId, operation: event.operation, data: event.data, previous: event.previous }),
    ),
    h('h2', {}, `Attempts (${delivery.attempts.length})`),
    h('div', { id: 'attempts' }, attempts),
  );
}

// The endpoint page's write actions: send a test event, delete the endpoint, and recover (resend
// every failed delivery since a time). Shown only where the credential may write.
import { api, tenantPath } from '../lib/api.js';
import { appContext } from '../lib/app-context.js';
import { h, toast } from '../lib/dom.js';

export function sendTestButton(endpoint, afterSent) {
  return h(
    'button',
    {
      type: 'button',
      id: 'send-test',
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          const sent = await api('POST', tenantPath(`/endpoints/${endpoint.id}/test`));
          toast('Test event sent');
          appContext.notify('endpoint.tested', { endpointId: endpoint.id, eventId: sent?.id });
          setTimeout(() => void afterSent(), 800);
        } catch (error) {
          toast(error.message, true);
        } finally {
          event.target.disabled = false;
        }
      },
    },
    'Send test event',
  );
}

export function deleteButton(endpoint) {
  return h(
    'button',
    {
      type: 'button',
      id: 'delete-endpoint',
      class: 'danger',
      onclick: async () => {
        if (!confirm(`Delete ${endpoint.name}? Its pending retries stop; its log stays readable by id.`)) return;
        try {
          await api('DELETE', tenantPath(`/endpoints/${endpoint.id}`));
          toast('Endpoint deleted');
          appContext.notify('endpoint.deleted', { endpointId: endpoint.id });
          location.hash = '#/endpoints';
        } catch (error) {
          toast(error.message, true);
        }
      },
    },
    'Delete',
  );
}

/** "Resend every failed delivery since …" (POST …/recover). */
export function recoverForm(endpoint, afterRecovered) {
  const since = h('input', { type: 'datetime-local', id: 'recover-since', required: true });
  const result = h('span', { class: 'hint', id: 'recover-result' });
  return h(
    'form',
    {
      class: 'filters',
      id: 'recover-form',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const recovered = await api('POST', tenantPath(`/endpoints/${endpoint.id}/recover`), {
            since: new Date(since.value).toISOString(),
          });
          result.textContent = `${recovered.deliveryCount} failed deliveries resent`;
          appContext.notify('endpoint.recovered', { endpointId: endpoint.id, deliveryCount: recovered.deliveryCount });
          await afterRecovered();
        } catch (error) {
          toast(error.message, true);
        }
      },
    },
    h('div', {}, h('label', { for: 'recover-since' }, 'Resend every failed delivery since'), since),
    h('button', { type: 'submit', id: 'recover' }, 'Recover'),
    result,
  );
}

// Form pieces shared by the screens: a labelled field, JSON inputs, the enabled switch.
import { api, tenantPath } from './api.js';
import { appContext } from './app-context.js';
import { h, toast } from './dom.js';

export function field(label, input, hint) {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), input);
}

/** The text as JSON, undefined when empty; a clear error names the field otherwise. */
export function parseJson(text, what) {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} must be JSON`);
  }
}

/** The enable/disable switch of an endpoint (none when read-only); after() runs once the API has answered. */
export function enabledToggle(endpoint, after) {
  if (!appContext.canWrite) return null;
  const input = h('input', {
    type: 'checkbox',
    checked: endpoint.enabled,
    'aria-label': `${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.name}`,
    class: 'enabled-toggle',
    onchange: async () => {
      input.disabled = true;
      try {
        await api(
          'POST',
          tenantPath(`/endpoints/${endpoint.id}/${input.checked ? 'enable' : 'disable'}`),
          input.checked ? undefined : { reason: 'disabled from the console' },
        );
        toast(`${endpoint.name} ${input.checked ? 'enabled' : 'disabled'}`);
        appContext.notify(input.checked ? 'endpoint.enabled' : 'endpoint.disabled', { endpointId: endpoint.id });
        await after();
      } catch (error) {
        input.checked = !input.checked;
        input.disabled = false;
        toast(error.message, true);
      }
    },
  });
  return h('label', { class: 'switch' }, input, h('span'));
}

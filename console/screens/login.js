// The operator console's sign-in: the admin key (then a tenant is picked) or a tenant key with its tenant id.
import { api, tenantPath } from '../lib/api.js';
import { h, show } from '../lib/dom.js';
import { operatorSession } from '../lib/operator-session.js';

export function loginScreen() {
  const keyInput = h('input', {
    type: 'password',
    id: 'api-key',
    name: 'api-key',
    autocomplete: 'off',
    required: true,
    placeholder: 'hr_…',
  });
  const tenantInput = h('input', { type: 'text', id: 'tenant-id', name: 'tenant-id', placeholder: 'ten_… (tenant keys only)' });
  const message = h('p', { class: 'hint' });
  const form = h(
    'form',
    {
      class: 'panel login',
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = 'Checking the key…';
        operatorSession.setKey(keyInput.value.trim());
        try {
          // The admin key may list tenants; a tenant key gets 403 there and names its tenant.
          const response = await fetch('/v1/tenants?limit=1', { headers: { authorization: `Bearer ${keyInput.value.trim()}` } });
          if (response.status === 401) throw new Error('This API key is not valid.');
          if (response.ok) {
            operatorSession.setRole('admin');
            if (tenantInput.value.trim()) operatorSession.setTenant(tenantInput.value.trim());
            location.hash = tenantInput.value.trim() ? '#/endpoints' : '#/tenants';
            return;
          }
          const id = tenantInput.value.trim();
          if (!id) throw new Error('A tenant key needs its tenant id (ten_…).');
          operatorSession.setRole('tenant');
          operatorSession.setTenant(id);
          await api('GET', tenantPath());
          location.hash = '#/endpoints';
        } catch (error) {
          operatorSession.forgetKey();
          message.textContent = error.message;
          message.className = 'error-box';
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'sub' }, 'Use the admin key or a tenant API key. It stays in this tab only.'),
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, 'API key'), keyInput),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'tenant-id' }, 'Tenant ', h('span', { class: 'hint' }, '(required for a tenant key; the admin picks one next)')),
      tenantInput,
    ),
    h('p', {}, h('button', { class: 'primary', type: 'submit', id: 'sign-in' }, 'Sign in')),
    message,
  );
  show(form);
  keyInput.focus();
}

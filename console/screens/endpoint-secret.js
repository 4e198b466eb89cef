// An endpoint's signing secret: hidden until revealed, with the previous secrets still signing
// during a rotation's grace period, and the Rotate button.
import { api, tenantPath } from '../lib/api.js';
import { h, toast } from '../lib/dom.js';
import { formatDate } from '../lib/format.js';

/** onRevealed(secrets) runs after each reveal (e.g. to fill code snippets with the secret). */
export function signingSecret(endpointId, onRevealed = () => undefined) {
  const secretBox = h('div', { id: 'secret' }, h('span', { class: 'hint' }, 'Hidden'));
  const revealSecret = async () => {
    const secrets = await api('GET', tenantPath(`/endpoints/${endpointId}/secret`));
    secretBox.replaceChildren(
      h('span', { class: 'secret', id: 'secret-value' }, secrets.secret),
      ...secrets.previousSecrets.map((previous) =>
        h(
          'div',
          { class: 'hint' },
          'Previous secret, still signing until ',
          formatDate(previous.expiresAt),
          ': ',
          h('span', { class: 'secret' }, previous.secret),
        ),
      ),
    );
    onRevealed(secrets);
  };
  return h(
    'div',
    {},
    secretBox,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', id: 'reveal-secret', onclick: () => revealSecret().catch((e) => toast(e.message, true)) }, 'Reveal'),
      h(
        'button',
        {
          type: 'button',
          id: 'rotate-secret',
          class: 'danger',
          onclick: async () => {
            if (!confirm('Rotate the signing secret? The current one keeps signing for 24 hours.')) return;
            try {
              await api('POST', tenantPath(`/endpoints/${endpointId}/secret/rotate`));
              toast('Secret rotated');
              await revealSecret();
            } catch (error) {
              toast(error.message, true);
            }
          },
        },
        'Rotate',
      ),
    ),
  );
}

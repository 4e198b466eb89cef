// The place on the endpoint page where other modules mount panels of their own (health charts,
// …), in the operator console and the portal alike. A panel is a function
// ({ endpoint }) → Node | null (or a promise of one); it renders below the endpoint's facts and
// above its delivery log, in the order registered, each in a slot of its own so one failing
// panel shows its error without taking the page down.
import { errorBox, h, loading } from '../lib/dom.js';

const panels = [];

/** Adds a panel to every endpoint page rendered from now on. */
export function registerEndpointPanel(panel) {
  panels.push(panel);
}

/** The slots of the registered panels for this endpoint (filled as each panel resolves). */
export function endpointPanelSlots(context) {
  return h(
    'div',
    { id: 'endpoint-panels' },
    panels.map((panel) => {
      const slot = h('section', { class: 'endpoint-panel' }, loading());
      Promise.resolve()
        .then(() => panel(context))
        .then((node) => (node ? slot.replaceChildren(node) : slot.remove()))
        .catch((error) => slot.replaceChildren(errorBox(error)));
      return slot;
    }),
  );
}

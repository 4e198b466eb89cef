// The portal's full-page notices: a link that cannot open (used, expired, revoked, unknown) or a
// session that ended. They grant nothing and say what to do next.
import { h, show } from '../lib/dom.js';

const NOTICES = {
  used: ['This link was already used', 'A portal link opens once. Ask for a new link to come back.'],
  expired: ['This link has expired', 'Ask for a new link.'],
  revoked: ['This link was revoked', 'Ask for a new link.'],
  unknown: ['This link is not valid', 'Check that it was copied whole, or ask for a new one.'],
  missing: ['Open the portal from its link', 'This page has no session. Ask for a new link.'],
  ended: ['Your session has ended', 'It expired or was revoked. Ask for a new link to come back.'],
};

export function portalNotice(reason) {
  const [title, text] = NOTICES[reason] ?? NOTICES.unknown;
  document.getElementById('nav').replaceChildren();
  show(h('div', { class: 'panel notice', id: 'portal-notice', dataset: { reason } }, h('h1', {}, title), h('p', {}, text)));
}

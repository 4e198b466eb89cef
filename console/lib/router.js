// Hash routing: a table of [pattern, screen] pairs. Each screen gets the path's captures, then a
// render token; a newer render makes the token stale, so a slow screen never paints over it.
import { errorBox, h, loading, show } from './dom.js';

let routes = [];
let resolve = (hash) => hash;
let beforeRender = () => undefined;
let renderToken = 0;

/**
 * table: [pattern, screen] pairs; redirect(hash): the hash to show instead (sign-in guards);
 * onRender(): runs before each render (the navigation bar).
 */
export function startRouter({ table, redirect, onRender }) {
  routes = table;
  resolve = redirect ?? resolve;
  beforeRender = onRender ?? beforeRender;
  window.addEventListener('hashchange', () => void rerender());
  return rerender();
}

/** False once a newer render has started: the screen holding this token must not paint. */
export function isCurrent(token) {
  return token === renderToken;
}

export async function rerender() {
  const token = ++renderToken;
  beforeRender();
  const hash = resolve(location.hash || '#/');
  if (hash !== location.hash) {
    history.replaceState(null, '', hash);
  }
  for (const [pattern, screen] of routes) {
    const match = pattern.exec(hash);
    if (match) {
      show(loading());
      try {
        await screen(...match.slice(1), token);
      } catch (error) {
        if (isCurrent(token)) show(errorBox(error));
      }
      return;
    }
  }
  show(h('div', { class: 'empty' }, 'No such page. ', h('a', { href: '#/endpoints' }, 'Back to endpoints')));
}

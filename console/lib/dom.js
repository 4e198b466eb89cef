// DOM building blocks shared by every screen: elements are built with DOM calls (no innerHTML),
// so nothing from the API is ever parsed as markup.

/** h('div', { class: 'x', onclick }, child, 'text', [more]) → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the page's main content (null, undefined and false are left out). */
export function show(...nodes) {
  document
    .getElementById('main')
    .replaceChildren(...nodes.flat(Infinity).filter((node) => node !== null && node !== undefined && node !== false));
}

let toastTimer;

export function toast(message, bad = false) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = bad ? 'bad' : '';
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 3500);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading' }, text);
}

export function errorBox(error) {
  return h('div', { class: 'error-box', role: 'alert' }, h('strong', {}, 'Something went wrong. '), error.message);
}

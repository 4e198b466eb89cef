// The portal's credential. The one-time link carries its token in the fragment (never sent to a
// server, gone from the address bar at once); the page exchanges it, once, for a session token
// held in this page's memory and, where the browser allows it in a frame, in this origin's
// sessionStorage (so a reload keeps the session). No cookie: a framed portal works with third-party
// cookies blocked, and no other origin's script can read either place.

const sessionId = /^\/portal\/(ps_[0-9a-z]{26})\/?$/.exec(location.pathname)?.[1] ?? null;
const storageKey = `hookrelay.portal.${sessionId}`;
let sessionToken = null;

function stored() {
  try {
    return sessionStorage.getItem(storageKey);
  } catch {
    return null; // storage refused in this frame: the session lives in memory only
  }
}

function store(token) {
  try {
    if (token) sessionStorage.setItem(storageKey, token);
    else sessionStorage.removeItem(storageKey);
  } catch {
    // memory only
  }
}

export const portalCredential = () => sessionToken;

export function forgetPortalSession() {
  sessionToken = null;
  store(null);
}

/**
 * Signs the page in: exchanges a link token found in the fragment, or picks up the session this
 * tab already has. Answers { ok: true } or { ok: false, reason: 'used' | 'expired' | 'revoked' |
 * 'unknown' | 'missing' }.
 */
export async function openPortalSession() {
  if (!sessionId) return { ok: false, reason: 'unknown' };
  const fragment = location.hash.slice(1);
  if (fragment.startsWith('hrpl_')) {
    history.replaceState(null, '', `${location.pathname}#/endpoints`);
    const response = await fetch(`/portal/${sessionId}/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ linkToken: fragment }),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      const reason = /portal-link-(used|expired|revoked)$/.exec(problem?.type ?? '')?.[1] ?? 'unknown';
      return { ok: false, reason };
    }
    sessionToken = (await response.json()).sessionToken;
    store(sessionToken);
    return { ok: true };
  }
  sessionToken = stored();
  return sessionToken ? { ok: true } : { ok: false, reason: 'missing' };
}

/**
 * Tells the host page what happened: `{ source: 'hookrelay-portal', type, ...detail }`, posted only
 * to the session's allowed origins (a message to an origin the parent is not is dropped).
 */
export function hostNotifier(allowedOrigins) {
  return (type, detail = {}) => {
    if (window.parent === window) return;
    for (const origin of allowedOrigins) window.parent.postMessage({ source: 'hookrelay-portal', type, ...detail }, origin);
  };
}

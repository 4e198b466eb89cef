// How values from the API read on screen: dates, JSON, status and response-code badges, health.
import { h } from './dom.js';

export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

export function statusBadge(status) {
  return h('span', { class: `badge ${status}` }, status);
}

/** The endpoint's circuit: healthy, or backing-off / open with since, why and the next probe. */
export function healthInfo(health) {
  if (!health || health.state === 'healthy') return [statusBadge('healthy')];
  return [
    statusBadge(health.state),
    h(
      'div',
      { class: 'hint', dataset: { health: health.state } },
      `${health.reason ?? ''} (since ${formatDate(health.since)}; next probe ${formatDate(health.nextProbeAt)})`,
    ),
  ];
}

export function codeBadge(code, errorKind) {
  if (code === null || code === undefined) return errorKind ? h('span', { class: 'badge error' }, errorKind) : '—';
  return h('span', { class: `badge s${String(code)[0]}` }, String(code));
}

// What the attempt log knows about a response body: its length, whether only its start is
// stored, and whether it is shown as text or (binary, compressed, invalid UTF-8) as base64.
export function responseBodyInfo(response) {
  const length = response.bodyLength === null ? 'length unknown' : `${response.bodyLength.toLocaleString('en')} bytes`;
  const parts = [length];
  if (response.bodyTruncated) parts.push('truncated: the first 64 KiB are stored');
  if (response.bodyEncoding === 'base64') parts.push('not text: shown as base64');
  return `Body: ${parts.join(' · ')}`;
}

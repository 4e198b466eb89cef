// One attempt's timing as a small timeline, shared by the console and the portal: a bar split
// DNS / connect / TLS / waiting (time to first byte) / download, every part also written out
// beside a swatch, so nothing is told by colour alone. A phase that did not happen (null in the
// API) reads "—", never "0 ms"; a measured phase under a millisecond reads "< 1 ms".
import { h } from '../lib/dom.js';

const PHASES = [
  { key: 'dns', label: 'DNS' },
  { key: 'connect', label: 'Connect' },
  { key: 'tls', label: 'TLS' },
  { key: 'waiting', label: 'Waiting (TTFB)' },
  { key: 'download', label: 'Download' },
];

/** Error kinds that end an attempt before its request was written: no waiting phase. */
const NOTHING_SENT = new Set(['dns', 'tls', 'ssrf_blocked', 'invalid_url']);

/** Milliseconds per phase (null: did not happen): waiting is the time to first byte less the connection's opening. */
export function timelinePhases(timing, errorKind) {
  const opened = (timing.dnsMs ?? 0) + (timing.connectMs ?? 0) + (timing.tlsMs ?? 0);
  const answered = timing.ttfbMs !== null;
  let waiting = answered ? Math.max(0, timing.ttfbMs - opened) : Math.max(0, timing.totalMs - opened);
  if (!answered && (NOTHING_SENT.has(errorKind) || waiting < 1)) waiting = null;
  return {
    dns: timing.dnsMs,
    connect: timing.connectMs,
    tls: timing.tlsMs,
    waiting,
    download: answered ? Math.max(0, timing.totalMs - timing.ttfbMs) : null,
  };
}

const shownMs = (ms) => (ms === null ? '—' : ms < 1 ? '< 1 ms' : `${ms} ms`);

function connectionText(attempt) {
  const { timing, remoteAddress } = attempt;
  const where = remoteAddress ? ` to ${remoteAddress}` : '';
  const connection =
    timing.connectionReused === true
      ? `Kept-alive connection${where}: no DNS, connect or TLS this time`
      : timing.connectionReused === false
        ? `New connection${where || ' (no address reached)'}`
        : 'No connection was made';
  const body = attempt.request.bodyBytes === null ? '' : ` · request body ${attempt.request.bodyBytes.toLocaleString('en')} bytes`;
  return connection + body;
}

export function attemptTimeline(attempt) {
  if (!attempt.timing) {
    return h('p', { class: 'hint attempt-timeline-missing' }, 'No timing breakdown: this attempt was recorded before the log kept one.');
  }
  const phases = timelinePhases(attempt.timing, attempt.error?.kind);
  const scale = Math.max(
    attempt.timing.totalMs,
    Object.values(phases).reduce((sum, ms) => sum + (ms ?? 0), 0),
    1,
  );
  const segments = PHASES.filter(({ key }) => phases[key] !== null).map(({ key, label }) => {
    const segment = h('span', { class: `timeline-segment phase-${key}`, title: `${label}: ${shownMs(phases[key])}` });
    // CSSOM, not a style attribute: the console's CSP allows no inline styles.
    segment.style.width = `${(phases[key] / scale) * 100}%`;
    return segment;
  });
  return h(
    'figure',
    { class: 'attempt-timeline', dataset: { attemptTimeline: attempt.number } },
    h('figcaption', {}, h('strong', {}, 'Timing'), ` · total ${shownMs(attempt.timing.totalMs)}`),
    h('div', { class: 'timeline-bar', 'aria-hidden': 'true' }, segments),
    h(
      'ul',
      { class: 'timeline-legend' },
      PHASES.map(({ key, label }) =>
        h(
          'li',
          { dataset: { phase: key } },
          h('span', { class: `timeline-swatch phase-${key}`, 'aria-hidden': 'true' }),
          `${label} `,
          h('strong', {}, shownMs(phases[key])),
        ),
      ),
    ),
    h('p', { class: 'hint timeline-connection' }, connectionText(attempt)),
  );
}

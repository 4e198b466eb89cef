// The endpoint page's health panel (registered with registerEndpointPanel by each entry module,
// the operator console and the portal): the endpoint's statistics over a chosen window as
// figures, charts (lib/health-charts.js) and a table of the buckets.
import { api, tenantPath } from '../lib/api.js';
import { errorBox, h, loading } from '../lib/dom.js';
import { breakdownBars, deliveriesChart, latencyChart, successRateChart, timeLabel } from '../lib/health-charts.js';

const WINDOWS = [
  { id: '1h', label: '1 hour', seconds: 3600 },
  { id: '24h', label: '24 hours', seconds: 86_400 },
  { id: '7d', label: '7 days', seconds: 7 * 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
];
/** The window chosen last, kept across endpoint pages of this tab. */
let chosenWindow = '24h';

const percent = (rate) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const ms = (value) => (value === null ? '—' : `${Math.round(value).toLocaleString('en')} ms`);

function statsPath(endpointId, windowId) {
  const { seconds } = WINDOWS.find((w) => w.id === windowId);
  const since = new Date(Date.now() - seconds * 1000).toISOString();
  return tenantPath(`/endpoints/${encodeURIComponent(endpointId)}/stats?since=${encodeURIComponent(since)}`);
}

function summary(totals) {
  const figure = (id, label, value) =>
    h('div', { class: 'figure', id }, h('span', { class: 'figure-value' }, value), h('span', { class: 'figure-label' }, label));
  return h(
    'div',
    { class: 'figures' },
    figure('health-success-rate', 'success rate', percent(totals.successRate)),
    figure('health-attempts', 'attempts', totals.attempts.total.toLocaleString('en')),
    figure(
      'health-deliveries',
      'deliveries succeeded',
      `${totals.deliveries.succeeded.toLocaleString('en')} of ${totals.deliveries.total.toLocaleString('en')}`,
    ),
    figure('health-p50', 'latency p50', ms(totals.latencyMs.p50)),
    figure('health-p95', 'latency p95', ms(totals.latencyMs.p95)),
  );
}

/** A legend entry: a small swatch drawn like its series, and its name. */
function legendItem(kind, text) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', `swatch swatch-${kind}`);
  svg.setAttribute('viewBox', '0 0 16 10');
  svg.setAttribute('aria-hidden', 'true');
  return h('span', { class: 'legend-item' }, svg, text);
}

function chartFigure(id, title, legend, draw) {
  const holder = h('div', { class: 'chart-holder' });
  return {
    node: h(
      'figure',
      { class: 'chart-figure', id },
      h('figcaption', {}, h('strong', {}, title), legend && h('span', { class: 'legend' }, legend)),
      holder,
    ),
    holder,
    draw,
  };
}

function bucketTable(stats) {
  const rows = stats.buckets.filter((b) => b.attempts.total > 0);
  if (rows.length === 0) return null;
  return h(
    'details',
    { class: 'health-table' },
    h('summary', {}, `Table of the ${rows.length} buckets with attempts`),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Bucket', 'Attempts', 'Succeeded', 'Success rate', 'p50', 'p95', '2xx', '4xx', '5xx', 'Errors'].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((b) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, timeLabel(b.start, stats.bucketSeconds)),
              [
                b.attempts.total,
                b.attempts.succeeded,
                percent(b.successRate),
                ms(b.latencyMs.p50),
                ms(b.latencyMs.p95),
                b.statusClasses['2xx'],
                b.statusClasses['4xx'],
                b.statusClasses['5xx'],
                Object.values(b.errorKinds).reduce((sum, n) => sum + n, 0),
              ].map((cell) => h('td', {}, String(cell))),
            ),
          ),
        ),
      ),
    ),
  );
}

function breakdowns(totals) {
  const classes = ['2xx', '3xx', '4xx', '5xx', 'other'].map((c) => ({
    label: c,
    count: totals.statusClasses[c],
    className: `fill-class-${c}`,
  }));
  const answered = classes.reduce((sum, row) => sum + row.count, 0);
  const kinds = Object.entries(totals.errorKinds)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => ({ label: kind, count, className: 'fill-bad' }));
  return h(
    'div',
    { class: 'breakdowns' },
    h('div', { id: 'health-status-classes' }, h('h3', {}, 'Answers by status class'), breakdownBars(classes, answered)),
    h(
      'div',
      { id: 'health-error-kinds' },
      h('h3', {}, 'Errors by kind'),
      kinds.length ? breakdownBars(kinds, totals.attempts.total) : h('p', { class: 'hint' }, 'No errors in this window.'),
    ),
  );
}

function render(body, stats) {
  if (stats.totals.attempts.total === 0) {
    body.replaceChildren(summary(stats.totals), h('p', { class: 'hint', id: 'health-empty' }, 'No attempts in this window.'));
    return;
  }
  const charts = [
    chartFigure('health-deliveries-chart', 'Deliveries', [legendItem('ok', 'succeeded'), legendItem('hatch', 'unsuccessful')], (w) =>
      deliveriesChart(stats, w),
    ),
    chartFigure('health-success-chart', 'Success rate of attempts', null, (w) => successRateChart(stats, w)),
    chartFigure('health-latency-chart', 'Latency', [legendItem('p50', 'p50'), legendItem('p95', 'p95')], (w) => latencyChart(stats, w)),
  ];
  body.replaceChildren(
    summary(stats.totals),
    h(
      'div',
      { class: 'charts' },
      charts.map((c) => c.node),
    ),
    breakdowns(stats.totals),
    bucketTable(stats),
  );
  // Each chart is drawn for the width it gets, and again when that changes (a rotated phone, a resized frame).
  for (const chart of charts) {
    let drawnWidth = 0;
    new ResizeObserver(([entry]) => {
      const width = Math.floor(entry.contentRect.width);
      if (width > 0 && Math.abs(width - drawnWidth) > 8) {
        drawnWidth = width;
        chart.holder.replaceChildren(chart.draw(width));
      }
    }).observe(chart.holder);
  }
}

/** The panel for one endpoint: window buttons over the figures and charts of that window. */
export function endpointHealthPanel({ endpoint }) {
  const body = h('div', { class: 'health-body' }, loading());
  const buttons = WINDOWS.map((w) =>
    h(
      'button',
      {
        type: 'button',
        class: 'window-choice',
        'aria-pressed': String(w.id === chosenWindow),
        dataset: { window: w.id },
        onclick: () => void choose(w.id),
      },
      w.label,
    ),
  );
  async function choose(windowId) {
    chosenWindow = windowId;
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.window === windowId));
    body.replaceChildren(loading());
    try {
      const stats = await api('GET', statsPath(endpoint.id, windowId));
      if (chosenWindow === windowId) render(body, stats);
    } catch (error) {
      body.replaceChildren(errorBox(error));
    }
  }
  void choose(chosenWindow);
  return h(
    'div',
    { class: 'panel health-panel', id: 'endpoint-health-panel' },
    h(
      'div',
      { class: 'row between' },
      h('h2', {}, 'Health'),
      h('div', { class: 'window-choices', role: 'group', 'aria-label': 'Window' }, buttons),
    ),
    body,
  );
}

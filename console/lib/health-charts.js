// SVG charts of endpoint statistics (GET …/endpoints/:id/stats), drawn here rather than with a
// charting library: three small chart shapes, text that stays DOM text (screen readers, tests),
// patterns and dash styles so that no series is told apart by colour alone, and nothing that
// a strict Content-Security-Policy (no inline styles) would refuse. Each chart is built for the
// pixel width it gets, so labels stay legible at 360 px.

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 150;
const MARGIN = { top: 10, right: 10, bottom: 24, left: 44 };

/** s('rect', { x: 1 }, child…) → an SVG element (attributes only, never markup). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const child of children.flat()) if (child) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

let chartCount = 0;

/** The patterns that tell series apart without colour (each also has its own colour); ids are unique per chart. */
function patterns(hatchId) {
  return s(
    'defs',
    {},
    s(
      'pattern',
      { id: hatchId, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, class: 'fill-bad-soft' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'stroke-bad', 'stroke-width': 3 }),
    ),
  );
}

/** The frame every time chart shares: an svg of this width, its plot area and x positions per bucket. */
function frame(width, buckets, label) {
  const plotWidth = Math.max(40, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const step = plotWidth / Math.max(1, buckets.length);
  const svg = s('svg', { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', 'aria-label': label, class: 'chart' });
  const hatchId = `hatch-unsuccessful-${++chartCount}`;
  svg.append(patterns(hatchId));
  return { svg, hatchId, plotWidth, plotHeight, step, x: (i) => MARGIN.left + i * step, bottom: MARGIN.top + plotHeight };
}

/** Gridlines with labels at 0, half and max; `format` writes a tick value. */
function yAxis(f, max, format) {
  return s(
    'g',
    { class: 'axis' },
    [0, 0.5, 1].map((fraction) => {
      const y = f.bottom - fraction * f.plotHeight;
      return s(
        'g',
        {},
        s('line', { x1: MARGIN.left, x2: MARGIN.left + f.plotWidth, y1: y, y2: y, class: 'grid' }),
        s('text', { x: MARGIN.left - 4, y: y + 4, 'text-anchor': 'end' }, format(max * fraction)),
      );
    }),
  );
}

/** A few time labels along the bottom, as many as the width has room for. */
function xAxis(f, buckets, bucketSeconds) {
  const room = Math.max(2, Math.floor(f.plotWidth / 70));
  const every = Math.max(1, Math.ceil(buckets.length / room));
  const labels = [];
  for (let i = 0; i < buckets.length; i += every) {
    labels.push(s('text', { x: f.x(i), y: f.bottom + 16, 'text-anchor': 'start' }, timeLabel(buckets[i].start, bucketSeconds)));
  }
  return s('g', { class: 'axis' }, labels);
}

export function timeLabel(iso, bucketSeconds) {
  const date = new Date(iso);
  if (bucketSeconds >= 86_400) return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return date.getHours() === 0 && date.getMinutes() === 0 ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : time;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= value);
}

const integer = (value) => Math.round(value).toLocaleString('en');
const milliseconds = (value) => `${integer(value)} ms`;
const percent = (value) => `${Math.round(value * 100)}%`;

/** Deliveries per bucket: succeeded (solid) under unsuccessful (hatched), one bar each. */
export function deliveriesChart(stats, width) {
  const { buckets, bucketSeconds } = stats;
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.deliveries.total)));
  const f = frame(width, buckets, 'Deliveries per bucket: succeeded and unsuccessful');
  const barWidth = Math.max(1, f.step * 0.8);
  const scale = (n) => (n / max) * f.plotHeight;
  f.svg.append(yAxis(f, max, integer));
  f.svg.append(
    s(
      'g',
      {},
      buckets.map((b, i) => {
        const ok = scale(b.deliveries.succeeded);
        const bad = scale(b.deliveries.unsuccessful);
        const title = `${timeLabel(b.start, bucketSeconds)}: ${b.deliveries.succeeded} succeeded, ${b.deliveries.unsuccessful} unsuccessful`;
        return s(
          'g',
          { class: 'bar', 'data-bucket': b.start },
          s('title', {}, title),
          ok > 0 ? s('rect', { x: f.x(i), y: f.bottom - ok, width: barWidth, height: ok, class: 'fill-ok' }) : null,
          bad > 0
            ? s('rect', {
                x: f.x(i),
                y: f.bottom - ok - bad,
                width: barWidth,
                height: bad,
                fill: `url(#${f.hatchId})`,
                class: 'stroke-bad',
              })
            : null,
        );
      }),
    ),
  );
  f.svg.append(xAxis(f, buckets, bucketSeconds));
  return f.svg;
}

/**
 * One polyline per series through the buckets that have a value (a bucket without attempts has
 * no latency, not a zero one), with markers of its own shape.
 */
function lineChart(stats, width, { label, series, max, format }) {
  const { buckets, bucketSeconds } = stats;
  const f = frame(width, buckets, label);
  const y = (value) => f.bottom - (value / max) * f.plotHeight;
  const centre = (i) => f.x(i) + f.step / 2;
  f.svg.append(yAxis(f, max, format));
  for (const { name, value, className, marker } of series) {
    const points = buckets.flatMap((b, i) => (value(b) === null ? [] : [[centre(i), y(value(b)), b, value(b)]]));
    const group = s('g', { class: `series ${className}`, 'data-series': name });
    if (points.length > 1) group.append(s('polyline', { points: points.map(([px, py]) => `${px},${py}`).join(' '), fill: 'none' }));
    // At most about 30 markers, evenly spread, so a dense series stays a line with its shape on it.
    const every = Math.max(1, Math.ceil(points.length / 30));
    points.forEach(([px, py, b, v], i) => {
      if (i % every === 0) group.append(markerAt(marker, px, py, `${timeLabel(b.start, bucketSeconds)}: ${name} ${format(v)}`));
    });
    f.svg.append(group);
  }
  f.svg.append(xAxis(f, buckets, bucketSeconds));
  return f.svg;
}

function markerAt(shape, x, y, title) {
  const tip = s('title', {}, title);
  if (shape === 'square') return s('rect', { x: x - 3, y: y - 3, width: 6, height: 6, class: 'marker' }, tip);
  return s('circle', { cx: x, cy: y, r: 3, class: 'marker' }, tip);
}

/** Success rate of attempts per bucket, 0–100%. */
export function successRateChart(stats, width) {
  return lineChart(stats, width, {
    label: 'Success rate of attempts per bucket',
    max: 1,
    format: percent,
    series: [{ name: 'success rate', value: (b) => b.successRate, className: 'line-accent', marker: 'circle' }],
  });
}

/** Latency p50 (solid, circles) and p95 (dashed, squares) per bucket. */
export function latencyChart(stats, width) {
  const max = niceMax(Math.max(0, ...stats.buckets.map((b) => b.latencyMs.p95 ?? 0)));
  return lineChart(stats, width, {
    label: 'Latency per bucket: p50 and p95',
    max,
    format: milliseconds,
    series: [
      { name: 'p50', value: (b) => b.latencyMs.p50, className: 'line-accent', marker: 'circle' },
      { name: 'p95', value: (b) => b.latencyMs.p95, className: 'line-warn dashed', marker: 'square' },
    ],
  });
}

/** Labelled horizontal bars (answers by status class, errors by kind): label, bar, count and share. */
export function breakdownBars(rows, total) {
  const list = document.createElement('ul');
  list.className = 'breakdown';
  for (const { label, count, className } of rows) {
    const item = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'breakdown-label';
    name.textContent = label;
    const bar = s('svg', { class: 'breakdown-bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
    const share = total > 0 ? count / total : 0;
    bar.append(s('rect', { x: 0, y: 0, width: 100, height: 10, class: 'fill-track' }));
    if (share > 0) bar.append(s('rect', { x: 0, y: 0, width: Math.max(1, share * 100), height: 10, class: className }));
    const figure = document.createElement('span');
    figure.className = 'breakdown-figure';
    figure.textContent = `${integer(count)} (${total > 0 ? percent(share) : '—'})`;
    item.append(name, bar, figure);
    list.append(item);
  }
  return list;
}

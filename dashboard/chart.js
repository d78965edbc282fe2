import { CATEGORY_NAMES, h, svg } from './dom.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Every bucket of the window, oldest first, with the API's counts where it has them (the API
 * returns only buckets that have messages). Day buckets start at UTC midnight, as the API's do.
 */
export function fillBuckets(stats) {
  const size = stats.bucket === 'day' ? DAY : HOUR;
  const byStart = new Map(stats.series.map((s) => [s.start, s]));
  const out = [];
  const first = stats.since - (stats.since % size);
  for (let t = first; t < stats.until && out.length < 2000; t += size) out.push(byStart.get(t) ?? { start: t, total: 0, verdict: {}, category: {} });
  return out;
}

/** Stacked bars of counts per category per bucket, drawn as SVG, with a data table for screen readers and keyboard users. */
export function categoryChart(stats, categories, { width = 900, height = 260 } = {}) {
  const buckets = fillBuckets(stats);
  const pad = { l: 44, r: 12, t: 12, b: 42 };
  const w = width - pad.l - pad.r;
  const ht = height - pad.t - pad.b;
  const totals = buckets.map((b) => categories.reduce((n, c) => n + (b.category[c] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const bw = w / Math.max(1, buckets.length);
  const y = (v) => pad.t + ht - (v / top) * ht;
  const label = (t) => {
    const d = new Date(t);
    return stats.bucket === 'day' ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  };
  const titleId = `chart-title-${stats.bucket}`;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-labelledby': titleId, class: 'chart', preserveAspectRatio: 'xMidYMid meet' });
  root.appendChild(svg('title', { id: titleId }, `Messages per ${stats.bucket} by category: ${totals.reduce((a, b) => a + b, 0)} in total, at most ${max} in one ${stats.bucket}`));
  for (let v = 0; v <= top; v += step) {
    root.appendChild(svg('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    root.appendChild(svg('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)));
  }
  const every = Math.max(1, Math.ceil(buckets.length / 12));
  buckets.forEach((b, i) => {
    let acc = 0;
    const x = pad.l + i * bw + bw * 0.12;
    for (const c of categories) {
      const n = b.category[c] ?? 0;
      if (!n) continue;
      const rect = svg('rect', { x, width: Math.max(1, bw * 0.76), y: y(acc + n), height: Math.max(0.5, y(acc) - y(acc + n)), class: `bar c-${c}`, 'data-category': c, 'data-count': n });
      rect.appendChild(svg('title', null, `${label(b.start)}: ${n} ${CATEGORY_NAMES[c] ?? c}`));
      root.appendChild(rect);
      acc += n;
    }
    if (i % every === 0) root.appendChild(svg('text', { x: pad.l + i * bw + bw / 2, y: height - pad.b + 16, 'text-anchor': 'middle', class: 'tick' }, label(b.start)));
  });
  root.appendChild(svg('line', { x1: pad.l, x2: width - pad.r, y1: y(0), y2: y(0), class: 'axis' }));

  const legend = h(
    'ul',
    { class: 'legend' },
    categories.map((c) => h('li', null, h('span', { class: `swatch c-${c}`, 'aria-hidden': 'true' }), CATEGORY_NAMES[c] ?? c)),
  );
  const table = h(
    'details',
    { class: 'chart-table' },
    h('summary', null, 'Show the numbers as a table'),
    h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, stats.bucket === 'day' ? 'Day (UTC)' : 'Hour'), categories.map((c) => h('th', { scope: 'col' }, CATEGORY_NAMES[c] ?? c)))),
      h(
        'tbody',
        null,
        buckets.filter((b) => categories.some((c) => b.category[c])).map((b) => h('tr', null, h('th', { scope: 'row' }, label(b.start)), categories.map((c) => h('td', { class: 'num' }, String(b.category[c] ?? 0))))),
      ),
    ),
  );
  return h('figure', { class: 'chart-wrap' }, root, legend, table);
}

function niceStep(max) {
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(1, m * p);
  return Math.max(1, 10 * p);
}

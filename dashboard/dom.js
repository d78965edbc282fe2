// DOM helpers. Everything that came from a message or the API is added as text (createTextNode,
// textContent, attributes): the dashboard never turns data into HTML.

/**
 * h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, [more])
 * Attributes whose name starts with "on" become listeners; null/false attributes are left out.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** SVG element (the trends chart). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "25 Nov 2026, 14:02" in the browser's locale and time zone. */
export function fmtTime(t) {
  if (t === null || t === undefined) return '—';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : dateTime.format(d);
}

export function fmtShortTime(t) {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : shortTime.format(d);
}

export function pct(x) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(x >= 0.995 || x < 0.005 ? 1 : 0)} %`;
}

/** Human names of the model's categories. */
export const CATEGORY_NAMES = { intimidation: 'Intimidation', disinformation: 'Disinformation', spam: 'Spam', ham: 'Legitimate' };
export const VERDICT_NAMES = { flagged: 'Flagged', suspicious: 'Suspicious', clean: 'Clean', unscanned: 'Unscanned' };

export function verdictBadge(v) {
  return h('span', { class: `badge v-${v ?? 'none'}` }, VERDICT_NAMES[v] ?? (v === null ? 'Queued' : v));
}

export function categoryLabel(c) {
  return c ? CATEGORY_NAMES[c] ?? c : '—';
}

/** Announces a short message to screen readers. */
export function announce(text) {
  const live = document.getElementById('live');
  if (live) live.textContent = text;
}

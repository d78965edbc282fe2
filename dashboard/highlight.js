import { h } from './dom.js';

/**
 * The message text with each signal's evidence marked. `ranges` are {signal, start, end} offsets
 * into `text` (from /v1/messages/:id/content); `numbers` maps a signal id to the number shown in
 * the signal list. Overlapping evidence is split into segments that carry every signal covering
 * them. Text goes in as text nodes only.
 */
export function highlightedText(text, ranges, numbers) {
  const valid = ranges.filter((r) => r.start >= 0 && r.end <= text.length && r.end > r.start);
  const cuts = new Set([0, text.length]);
  for (const r of valid) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  const seen = new Set();
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const piece = text.slice(a, b);
    const covering = valid.filter((r) => r.start <= a && r.end >= b).map((r) => r.signal);
    if (!covering.length) {
      out.push(document.createTextNode(piece));
      continue;
    }
    const ids = [...new Set(covering)].sort((x, y) => (numbers.get(x) ?? 99) - (numbers.get(y) ?? 99));
    const n = numbers.get(ids[0]) ?? 0;
    // The first segment of a signal's evidence gets the number badge and is where "show in text" jumps.
    const first = ids.filter((id) => !seen.has(id));
    for (const id of first) seen.add(id);
    out.push(
      h(
        'mark',
        {
          class: `ev ev-${(n - 1) % 6}`,
          'data-signals': ids.join(' '),
          'data-n': first.length ? first.map((id) => numbers.get(id)).join(',') : null,
          'data-first': first.length ? first.join(' ') : null,
          title: `Evidence of ${ids.join(', ')}`,
          tabindex: first.length ? '-1' : null,
        },
        piece,
      ),
    );
  }
  return out;
}

/**
 * Splits a long message's text into stretches ("segments") that are scored on their own as well as
 * together (segment scoring, see Scanner.score in pipeline.ts).
 *
 * Why: a threat padded with many times its length of ordinary election-office text went through
 * `clean`: its rule signals still fired, but over the whole message the naive Bayes evidence for
 * ham outweighed them. Scored alone, the stretch holding the threat is a short threatening
 * message again, while the cost stays bounded (at most MAX_SEGMENTS stretches per message).
 */

/** Text (subject + body, as signalText gives it) longer than this is also scored by segments. */
export const SEGMENT_FROM_CHARS = 1500;
/** Target segment length in characters (grown for long text so there are at most MAX_SEGMENTS). */
export const SEGMENT_CHARS = 1000;
/** At most this many segments per message: bounded cost however long the text. */
export const MAX_SEGMENTS = 20;

export interface SegmentOptions {
  /** Text longer than this is segmented (default SEGMENT_FROM_CHARS). */
  fromChars: number;
  /** Target segment length (default SEGMENT_CHARS). */
  chars: number;
  /** Most segments (default MAX_SEGMENTS). */
  max: number;
}

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = { fromChars: SEGMENT_FROM_CHARS, chars: SEGMENT_CHARS, max: MAX_SEGMENTS };

/** A stretch [start, end) of the body. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Paragraph-aligned segments of `body` covering all of it, in order, of about `size` characters,
 * where size = max(opts.chars, body length / opts.max) (grown further until at most opts.max
 * segments result). Paragraphs (blank-line separated) are packed together while they fit, and a
 * segment under size/2 takes the next one anyway (at most 1.5 × size); a short last piece joins
 * the segment before it. A paragraph longer than `size` is cut at a line break, else at white
 * space, else anywhere.
 * `breaks` are offsets where a segment must end (the start of a differing HTML rendering after
 * the plain text: a harmless plain part must not dilute a threat in the HTML).
 * Returns [] when the body is not worth segmenting (it would make one segment).
 */
export function segmentBody(body: string, opts: Partial<SegmentOptions> = {}, breaks: number[] = []): Span[] {
  const o = { ...DEFAULT_SEGMENT_OPTIONS, ...opts };
  const cuts = breaks.filter((b) => b > 0 && b < body.length).sort((a, b) => a - b);
  if (!body.trim() || (cuts.length === 0 && body.length <= o.chars)) return [];
  const units = paragraphs(body, cuts);
  let size = Math.max(o.chars, Math.ceil(body.length / o.max));
  for (;;) {
    const spans = pack(body, units, size, cuts);
    if (spans.length <= o.max) {
      const kept = spans.filter((s) => body.slice(s.start, s.end).trim());
      return kept.length > 1 ? kept : [];
    }
    size = Math.ceil(size * 1.25);
  }
}

/** Paragraph spans: each ends after the blank line(s) that close it; also cut at `cuts`. */
function paragraphs(body: string, cuts: number[]): Span[] {
  const ends: number[] = [];
  const blank = /\n[ \t\r]*\n\s*/g;
  for (let m = blank.exec(body); m; m = blank.exec(body)) ends.push(m.index + m[0].length);
  ends.push(...cuts, body.length);
  const sorted = [...new Set(ends)].sort((a, b) => a - b);
  const out: Span[] = [];
  let start = 0;
  for (const end of sorted) {
    if (end > start) out.push({ start, end });
    start = Math.max(start, end);
  }
  return out;
}

/** Packs paragraphs into segments of about `size`, never across a cut; splits oversized ones. */
function pack(body: string, units: Span[], size: number, cuts: number[]): Span[] {
  const out: Span[] = [];
  const cutSet = new Set(cuts);
  // out[open] is the segment still taking pieces; -1 after a cut.
  let open = -1;
  for (const u of units) {
    for (const piece of split(body, u, size)) {
      const cur = open >= 0 ? out[open] : null;
      // Packed while they fit; a segment under half the size takes the next piece anyway (short
      // stretches score noisily: a newsletter's footer alone reads like anything).
      if (cur && (piece.end - cur.start <= size || cur.end - cur.start < size / 2)) cur.end = piece.end;
      else open = out.push({ ...piece }) - 1;
    }
    if (cutSet.has(u.end)) open = -1;
  }
  // A short segment (the last one, or one ended by a cut) joins its neighbour unless a cut separates them.
  for (let i = 0; i < out.length; i++) {
    if (out.length < 2 || out[i].end - out[i].start >= size / 2) continue;
    if (i > 0 && !cutSet.has(out[i].start)) {
      out[i - 1].end = out[i].end;
      out.splice(i--, 1);
    } else if (i + 1 < out.length && !cutSet.has(out[i].end)) {
      out[i + 1].start = out[i].start;
      out.splice(i--, 1);
    }
  }
  return out;
}

/** A span cut into pieces of at most `size`: at the last line break in the second half of the window, else white space, else hard. */
function split(body: string, u: Span, size: number): Span[] {
  const out: Span[] = [];
  let start = u.start;
  while (u.end - start > size) {
    const window = body.slice(start, start + size);
    let cut = window.lastIndexOf('\n');
    if (cut < size / 2) cut = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
    cut = cut < size / 2 ? size : cut + 1;
    out.push({ start, end: start + cut });
    start += cut;
  }
  out.push({ start, end: u.end });
  return out;
}

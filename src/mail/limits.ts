import { MailError } from './errors';

/**
 * Hard limits on hostile input. Gateway input is attacker-controlled, so every limit is checked
 * before mailparser sees the bytes; a message over a limit is reported `unscanned` with the reason
 * (never silently truncated, never a crash). Values are validated in src/config, not
 * falsy-coalesced: 0 would otherwise silently restore a default (postal-mime makes the same point).
 */
export interface MailLimits {
  /** Whole message. 10 MiB: larger mail is almost always attachments, which are not scanned. */
  maxBytes: number;
  /** Header section. 256 KiB: a header block this large is itself an attack on parsers. */
  maxHeaderBytes: number;
  /** MIME parts (boundary delimiters). 200: each part costs a parser object and a decoder. */
  maxParts: number;
  /** Multipart / message/rfc822 nesting. 10: deeper nesting is an OOM vector (as postal-mime). */
  maxDepth: number;
  /** HTML characters rendered to text. 1 MB: rendering cost grows with it; the rest is dropped with a warning. */
  maxHtmlChars: number;
  /** Wall-clock budget for one parse, in ms. */
  parseTimeoutMs: number;
}

export const DEFAULT_LIMITS: MailLimits = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxParts: 200,
  maxDepth: 10,
  maxHtmlChars: 1_000_000,
  parseTimeoutMs: 5_000,
});

/** Where the header section ends: index of the blank line's first byte, or -1. */
export function headerEnd(raw: Buffer): { end: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return { end: -1, bodyStart: raw.length };
}

const BOUNDARY_RE = /boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi;
/** A Content-Type header line with its folded continuation lines. */
const CONTENT_TYPE_RE = /^content-type:[^\r\n]{0,2000}(?:\r?\n[ \t][^\r\n]{0,2000}){0,20}/gim;

/** Shape of the MIME tree, found by a linear scan of the raw bytes before the real parse. */
export interface StructureScan {
  boundaries: string[];
  parts: number;
  depth: number;
}

/**
 * Counts MIME parts and nesting without building the tree: each declared boundary is a
 * multipart level; a boundary declared between another's first and last delimiter is nested in
 * it. Linear in the message size plus O(b^2) in boundaries (b is bounded by maxDepth * maxParts).
 */
export function scanStructure(raw: Buffer, limits: MailLimits): StructureScan {
  // Most mail is single-part: without a "boundary" parameter there is nothing to count (this skips
  // a latin1 copy of the whole message; the byte search is case-sensitive, so check both forms).
  if (raw.indexOf('oundary') < 0 && raw.indexOf('OUNDARY') < 0) return { boundaries: [], parts: 0, depth: 0 };
  const s = raw.toString('latin1');
  const decl: { b: string; at: number }[] = [];
  // Only boundaries declared in Content-Type headers count: "boundary=x" written in a body is text
  // (counting it let padding turn a threat into an unscanned message).
  for (const ct of s.matchAll(CONTENT_TYPE_RE)) {
    for (const m of ct[0].matchAll(BOUNDARY_RE)) {
      const b = m[1] ?? m[2];
      if (!decl.some((d) => d.b === b)) decl.push({ b, at: (ct.index ?? 0) + (m.index ?? 0) });
      if (decl.length > limits.maxParts) {
        throw new MailError('too_many_parts', `more than ${limits.maxParts} multipart boundaries`);
      }
    }
  }
  let parts = 0;
  const spans: { b: string; at: number; first: number; last: number }[] = [];
  for (const d of decl) {
    const needle = `\n--${d.b}`;
    let first = -1;
    let last = -1;
    for (let i = s.indexOf(needle, d.at); i >= 0; i = s.indexOf(needle, i + needle.length)) {
      if (first < 0) first = i;
      last = i;
      parts++;
      if (parts > limits.maxParts + decl.length) {
        throw new MailError('too_many_parts', `more than ${limits.maxParts} MIME parts`);
      }
    }
    spans.push({ ...d, first, last });
  }
  // Each boundary has one closing delimiter that opens no part.
  parts = Math.max(0, parts - spans.filter((x) => x.first >= 0).length);
  if (parts > limits.maxParts) throw new MailError('too_many_parts', `${parts} MIME parts (limit ${limits.maxParts})`);
  const depthOf = new Map<string, number>();
  let depth = 0;
  for (const sp of spans) {
    let d = 1;
    for (const outer of spans) {
      if (outer !== sp && outer.first >= 0 && sp.at > outer.first && sp.at < outer.last) {
        d = Math.max(d, (depthOf.get(outer.b) ?? 1) + 1);
      }
    }
    depthOf.set(sp.b, d);
    depth = Math.max(depth, d);
  }
  if (depth > limits.maxDepth) throw new MailError('too_deep', `MIME nesting depth ${depth} (limit ${limits.maxDepth})`);
  return { boundaries: decl.map((d) => d.b), parts, depth };
}

import { foldChars, LEET } from '../features/normalize';
import { signalBody } from '../features';
import type { MailLimits } from '../mail';
import { parseEmail } from '../mail';
import type { ScoredSignal } from '../pipeline';

/** Where a signal's evidence stands in the text shown to an analyst (UTF-16 offsets, end exclusive). */
export interface Highlight {
  signal: string;
  part: 'subject' | 'body';
  start: number;
  end: number;
}

/** What the dashboard shows of a stored message: the text the signals read, header facts, and where each signal's evidence is. */
export interface MessageContent {
  subject: string;
  /** The body as the signals read it: plain text, plus the HTML rendering when it says something else. */
  body: string;
  /** True when the body was cut for display (see MAX_BODY). */
  truncated: boolean;
  from: { name: string; address: string; domain: string } | null;
  replyTo: { name: string; address: string; domain: string }[];
  returnPath: string;
  to: string[];
  date: string | null;
  messageId: string;
  authResults: { authservId: string; method: string; result: string; trusted: boolean }[];
  received: number;
  links: { host: string; url: string; anchorText: string | null }[];
  attachments: { filename: string; contentType: string; size: number }[];
  warnings: { code: string; message: string }[];
  highlights: Highlight[];
  /** Signals whose evidence quotes the text but could not be placed in it (shown unplaced). */
  unplaced: string[];
}

/** The most body text sent to a browser; a signal's evidence lies in the first 100,000 characters anyway. */
const MAX_BODY = 200_000;
/** Evidence shorter than this (letters and digits) is too short to place without false hits. */
const MIN_KEY = 6;
const KEEP = /[\p{L}\p{N}]/u;
const WORD = /[\p{L}\p{N}\p{M}]/u;

/**
 * The comparison key of a text: its letters and digits after the signals' folding (case,
 * compatibility forms, look-alike letters, diacritics) with leet characters read as letters, and
 * for each key character the offset of the original character it came from. Spaces, punctuation,
 * line breaks and "> " quote marks are dropped, so evidence (normalised, whitespace-collapsed, cut
 * mid-word) is found in the original text however it was laid out.
 */
export function evidenceKey(text: string): { key: string; from: number[] } {
  let key = '';
  const from: number[] = [];
  let i = 0;
  for (const ch of text) {
    for (const f of foldChars(ch)) {
      const c = LEET[f] ?? f;
      if (KEEP.test(c)) {
        key += c;
        from.push(i);
      }
    }
    i += ch.length;
  }
  return { key, from };
}

/** The quoted text span of a text signal's evidence (`"…" [reported]`, `"…" with a link to host`), or null for header evidence. */
export function evidenceSpan(evidence: string): string | null {
  const m = /^"([\s\S]+)"(?: \[(?:reported|quoted)\])?(?: with a link to \S+)?$/.exec(evidence);
  return m ? m[1] : null;
}

/** Finds each text signal's evidence in the subject and body. */
export function locateEvidence(subject: string, body: string, signals: Pick<ScoredSignal, 'id' | 'evidence'>[]): { highlights: Highlight[]; unplaced: string[] } {
  // Subject and body are searched as the signals read them: one text, subject first.
  const sep = '\n\n';
  const text = `${subject}${sep}${body}`;
  const whole = evidenceKey(text);
  const bodyStart = subject.length + sep.length;
  const highlights: Highlight[] = [];
  const unplaced: string[] = [];
  for (const s of signals) {
    const span = evidenceSpan(s.evidence);
    if (span === null) continue;
    const k = evidenceKey(span).key;
    const at = k.length >= MIN_KEY ? whole.key.indexOf(k) : -1;
    if (at < 0) {
      unplaced.push(s.id);
      continue;
    }
    // The evidence carries a little context cut mid-word: the mark takes whole words.
    let a = whole.from[at];
    let b = whole.from[at + k.length - 1] + 1;
    while (a > 0 && WORD.test(text[a - 1])) a--;
    while (b < text.length && (WORD.test(text[b]) || /[\udc00-\udfff]/.test(text[b]))) b++;
    if (a < subject.length) highlights.push({ signal: s.id, part: 'subject', start: a, end: Math.min(b, subject.length) });
    if (b > bodyStart) highlights.push({ signal: s.id, part: 'body', start: Math.max(0, a - bodyStart), end: b - bodyStart });
  }
  return { highlights: highlights.filter((h) => h.end > h.start), unplaced };
}

/**
 * Parses a stored raw message for the dashboard, with the same parser and limits as scanning (the
 * message passed them when it was scored), and places the result's evidence in its text.
 */
export async function messageContent(raw: Buffer, signals: Pick<ScoredSignal, 'id' | 'evidence'>[], limits: MailLimits, trustedAuthservIds: string[]): Promise<MessageContent> {
  const mail = await parseEmail(raw, limits);
  const full = signalBody(mail);
  const body = full.slice(0, MAX_BODY);
  const trusted = new Set(trustedAuthservIds.map((s) => s.toLowerCase()));
  const { highlights, unplaced } = locateEvidence(mail.subject, body, signals);
  return {
    subject: mail.subject,
    body,
    truncated: full.length > body.length,
    from: mail.from,
    replyTo: mail.replyTo,
    returnPath: mail.returnPath,
    to: mail.to.map((m) => m.address || m.name),
    date: mail.date,
    messageId: mail.messageId,
    authResults: mail.authResults.map((r) => ({ authservId: r.authservId, method: r.method, result: r.result, trusted: trusted.has(r.authservId.toLowerCase()) })),
    received: mail.received.length,
    links: mail.urls.slice(0, 50).map((u) => ({ host: u.host, url: u.url.slice(0, 500), anchorText: u.anchorText ?? null })),
    attachments: mail.attachments,
    warnings: mail.warnings,
    highlights,
    unplaced,
  };
}

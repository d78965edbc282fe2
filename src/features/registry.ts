import type { ParsedEmail } from '../mail/types';
import { headerSignals } from './header-rules';
import { impersonationSignals } from './impersonation';
import { normalizeText } from './normalize';
import { splitQuoted } from './quoting';
import type { ImpersonationRegistry } from './registry-schema';
import { textSignals } from './text-rules';
import type { Signal, SignalContext, SignalDef } from './types';

/** Every signal, in the order they run and are listed. */
export const SIGNALS: readonly SignalDef[] = [...textSignals, ...impersonationSignals, ...headerSignals];

/** Text beyond this many characters is not pattern-matched (the Bayes stage still sees its tokens). */
export const MAX_SIGNAL_TEXT = 100_000;

/** Signals that only make sense in election-related mail; others run on everything. */
const ELECTION_ONLY = new Set([
  'THREAT_ELECTION_WORKER', 'DOXXING_THREAT', 'COERCION_VOTE', 'COERCION_EMPLOYER', 'SURVEILLANCE_CLAIM', 'PROCESS_VOTE_REMOTE', 'PROCESS_WRONG_DATE',
  'PROCESS_POLLING_PLACE', 'PROCESS_REGISTRATION', 'PROCESS_FEES_ID', 'PROCESS_MAIL_BALLOT', 'FRAUD_CLAIM', 'FRAUD_VIDEO_LINK',
]);
/** Cheap gate: the election-only rules are skipped when none of these words occur (most mail). Whole
 * words: a substring gate ("elect") let "electronic" and "select" through, running every rule on
 * most ordinary mail. */
const ELECTION_WORDS =
  /\b(?:vot(?:e|es|ed|er|ers|ing|ar|o|os|ante|antes|acion|aciones|en|aste|ara|aras)|ballots?|elect(?:ion|ions|oral|ed|s)|eleccion(?:es)?|electoral|polls?|polling|precincts?|clerks?|canvass\w*|certif(?:y|ied|ying|ication|icar|ica)|boletas?|casillas?|afiliacion|affiliation|democrat\w*|republican\w*|candidat\w*|urnas?)\b/;

/** The body the signals read: plain text, and the HTML rendering unless it repeats the plain text. */
export function signalBody(mail: ParsedEmail): string {
  // Evasive mail puts a harmless plain part beside the real message in the HTML (or its alt text):
  // the HTML is read whenever it says something the plain part does not.
  if (mail.htmlText && !sameText(mail.text, mail.htmlText)) return `${mail.text}\n${mail.htmlText}`;
  return mail.text;
}

/** The text the signals read: subject, then the body (see signalBody). */
export function signalText(mail: ParsedEmail): string {
  return `${mail.subject}\n\n${signalBody(mail)}`.slice(0, MAX_SIGNAL_TEXT);
}

/**
 * Cheap test that `html` renders the same words as `plain` (the usual multipart/alternative):
 * a few word runs sampled across the HTML text must all occur in the plain text.
 */
export function sameText(plain: string, html: string): boolean {
  if (!plain.trim()) return false;
  const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ');
  const p = squash(plain);
  const h = squash(html).trim();
  if (h.length <= 30) return p.includes(h);
  for (let k = 0; k < 6; k++) {
    const at = Math.floor(((h.length - 30) * k) / 5);
    const start = h.indexOf(' ', at) + 1;
    const probe = h.slice(start, start + 24).trim();
    if (probe.length >= 8 && !p.includes(probe)) return false;
  }
  return true;
}

export interface SignalOptions {
  registry: ImpersonationRegistry;
  trustedAuthservIds: string[];
}

/** Builds the shared context once, then runs each signal; a failing signal is reported, not thrown. */
export function buildContext(mail: ParsedEmail, opts: SignalOptions, text: string = signalText(mail)): SignalContext {
  const split = splitQuoted(normalizeText(text));
  return {
    mail,
    own: split.own,
    quoted: split.quoted,
    reporting: split.reporting,
    reportingCues: split.cues,
    forwardLine: split.forwardLine,
    registry: opts.registry,
    trustedAuthservIds: opts.trustedAuthservIds.map((s) => s.toLowerCase()),
  };
}

/** True when the election-only rules run on this context: its own or quoted text has an election word. */
export function isElection(ctx: SignalContext): boolean {
  return ELECTION_WORDS.test(ctx.own) || ELECTION_WORDS.test(ctx.quoted);
}

/**
 * The context of one stretch of a long message (segment scoring: see features/segments.ts).
 * `text` is the stretch as signalText would give it (subject, blank line, the stretch), and
 * `bodyLine` the line of the whole message's signalText where the stretch begins. The stretch
 * keeps the whole message's framing: it reports when the message reports (an advisory's cues may
 * sit paragraphs away from the threat it quotes), and what follows a forward or reply marker of
 * the message stays quoted in every later stretch.
 */
export function segmentContext(whole: SignalContext, text: string, bodyLine: number): SignalContext {
  const normalized = normalizeText(text);
  const subjectLines = whole.mail.subject.split('\n').length;
  // The stretch's own lines: after the subject and the blank line.
  const first = subjectLines + 1;
  const fwd = whole.forwardLine ?? -1;
  const lines = normalized.split('\n').length - first;
  const forwardFrom = fwd >= 0 && fwd < bodyLine + lines ? first + Math.max(0, fwd - bodyLine) : -1;
  const split = splitQuoted(normalized, forwardFrom);
  return {
    ...whole,
    own: split.own,
    quoted: split.quoted,
    reporting: whole.reporting || split.reporting,
    reportingCues: [...new Set([...whole.reportingCues, ...split.cues])],
    forwardLine: split.forwardLine,
  };
}

/** `text` is signalText(mail), passed in when the caller already has it (analyse() shares it with tokenize). */
export function extractSignals(mail: ParsedEmail, opts: SignalOptions, text: string = signalText(mail)): Signal[] {
  return runSignals(buildContext(mail, opts, text));
}

/** Runs every signal on a context; `election` overrides the election-word gate (a stretch of an election message). */
export function runSignals(ctx: SignalContext, election: boolean = isElection(ctx)): Signal[] {
  const out: Signal[] = [];
  for (const def of SIGNALS) {
    if (!election && ELECTION_ONLY.has(def.id)) continue;
    try {
      const r = def.run(ctx);
      if (r && r.strength > 0) out.push({ id: def.id, group: def.group, description: def.description, strength: round(r.strength), evidence: r.evidence });
    } catch (err: unknown) {
      // A broken extractor must not lose the message: report it and carry on (Haraka/mailauth style).
      out.push({ id: 'SIGNAL_ERROR', group: 'mime', description: `signal ${def.id} failed`, strength: 0, evidence: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Separates a message's own words from what it quotes or forwards, and detects reporting framing.
 *
 * ballotwatch must not flag a news story, an advisory or a clerk's forward to IT as the threat it
 * describes. Text after a forward marker, "> "-quoted lines and the body of a reply's quoted
 * original are "quoted"; the rest is "own". A message is "reporting" when its own text carries
 * cues of news, advisory, fact-check or forwarding language (English and Spanish). Input is
 * already normalised (lower case, no diacritics).
 */

const FORWARD_MARKERS = [
  /^-{2,}\s*(forwarded|original) message\s*-{2,}/,
  /^begin forwarded message:?/,
  /^-{2,}\s*mensaje (reenviado|original)\s*-{2,}/,
  /^inicio del mensaje reenviado:?/,
  /^on .{3,120} wrote:\s*$/,
  /^el .{3,120} escribio:\s*$/,
];

/** Outlook-style inline header block of a quoted original: "From: …" then Sent/Date/To/Subject. */
const INLINE_FROM = /^(?:from|de): .{1,200}$/;
const INLINE_NEXT = /^(?:sent|date|to|subject|cc|enviado|fecha|para|asunto): /;

const REPORTING_CUES: [RegExp, string][] = [
  [/\b(forwarding|forwarded|fyi|reenvio|reenviando|reenvie)\b/, 'forward'],
  [/\bis (this|it) (real|legit|legitimate|true|a scam)\b|\bes (esto )?(real|verdad|legitimo|cierto)\b|\b(es|sera) cierto\b/, 'question'],
  [/\b(please|pls) (advise|look into|investigate|review)\b|\bplease report\b/, 'report'],
  [/\b(reported|reporting|reports that|according to|officials (said|say|warn)|told reporters|said in a statement|spokes(wo)?man|spokesperson)\b/, 'news'],
  [/\b(warn(s|ed|ing)? (voters|residents|the public)|advisory|public service announcement|psa|be aware|do not (respond|reply|click)|don'?t (respond|reply|click)|if you (receive|received|get|got))\b/, 'advisory'],
  [/\b(fact[- ]check|false claim|hoax|debunk|is false|are false|not true|misinformation|disinformation|rumor|rumour|scam)\b/, 'factcheck'],
  [/\b(investigat(e|ing|ion)|law enforcement|incident (report|number)|case number|we have notified|notif(y|ied) (the )?(fbi|police|sheriff))\b/, 'incident'],
  [/\b(segun|informo|informaron|advierte|advirtio|alerta|aviso a los votantes|si recibe|no responda|falso|bulo|desinformacion|verificacion de datos|enganoso|estafa)\b/, 'news_es'],
];

const ANY_FORWARD_MARKER = new RegExp(FORWARD_MARKERS.map((r) => `(?:${r.source})`).join('|'));

export interface QuoteSplit {
  own: string;
  quoted: string;
  reporting: boolean;
  cues: string[];
  /** Line of `text` where a forwarded or replied-to original begins (everything after is quoted); -1 when none. */
  forwardLine: number;
}

/**
 * `forwardFrom`: lines from this one on are quoted whatever they say, for a stretch of a long
 * message whose forwarded or replied-to original began before the stretch (segment scoring:
 * see features/segments.ts).
 */
export function splitQuoted(text: string, forwardFrom = -1): QuoteSplit {
  // Fast path: no quoting at all (most mail).
  if (forwardFrom < 0 && !/^[ \t]*>|^-{2,}|^begin forwarded|^inicio del mensaje|wrote:[ \t]*$|escribio:[ \t]*$|^from: |^de: /m.test(text)) {
    const cues = reportingCues(body(text));
    return { own: text, quoted: '', reporting: cues.length > 0, cues, forwardLine: -1 };
  }
  const lines = text.split('\n');
  const own: string[] = [];
  const quoted: string[] = [];
  let forwardLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (forwardLine < 0 && forwardFrom >= 0 && i >= forwardFrom) forwardLine = i;
    if (forwardLine < 0 && (ANY_FORWARD_MARKER.test(line) || (INLINE_FROM.test(line) && lines.slice(i + 1, i + 4).some((l) => INLINE_NEXT.test(l.trim()))))) forwardLine = i;
    if (forwardLine >= 0 || line.startsWith('>')) quoted.push(line.replace(/^(>\s?)+/, ''));
    else own.push(line);
  }
  const ownText = own.join('\n');
  const cues = reportingCues(body(ownText));
  return { own: ownText, quoted: quoted.join('\n'), reporting: cues.length > 0, cues, forwardLine };
}

const ANY_CUE = new RegExp(REPORTING_CUES.map(([re]) => `(?:${re.source})`).join('|'));

/**
 * The text without its first line (the subject): a "Fwd:" or "FYI" subject costs an attacker
 * nothing, so reporting cues count only in the body, where a real forward carries its markers.
 */
function body(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? '' : text.slice(nl + 1);
}

function reportingCues(text: string): string[] {
  if (!ANY_CUE.test(text)) return [];
  const cues: string[] = [];
  for (const [re, name] of REPORTING_CUES) if (!cues.includes(name) && re.test(text)) cues.push(name);
  return cues;
}

/** True when the span at [start, end) sits inside quotation marks on its line or paragraph. */
export function insideQuotes(text: string, start: number, end: number): boolean {
  const para0 = text.lastIndexOf('\n\n', start);
  const para1 = text.indexOf('\n\n', end);
  const before = text.slice(para0 < 0 ? 0 : para0, start);
  const after = text.slice(end, para1 < 0 ? text.length : para1);
  const opens = (before.match(/["\u201c\u201d\u00ab\u00bb]/g) ?? []).length;
  return opens % 2 === 1 && /["\u201c\u201d\u00ab\u00bb]/.test(after);
}

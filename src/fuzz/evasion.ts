import type { SeedMail } from './seeds';

/**
 * Evasions threat senders use against text filters, each applied to the whole readable text (and
 * the Subject) of a threat message. The message is rebuilt from the seed's own headers, so sender,
 * authentication and routing stay those of the original threat.
 */
export interface Evasion {
  id: string;
  description: string;
  apply(seed: SeedMail, ctx: { hamText: string }): Buffer;
}

/** Latin letters and a Cyrillic or Greek look-alike (Unicode confusables). */
const LOOKALIKE: Record<string, string> = { a: 'а', c: 'с', e: 'е', i: 'і', o: 'о', p: 'р', x: 'х', y: 'у', s: 'ѕ', j: 'ј', h: 'һ', A: 'А', B: 'В', C: 'С', E: 'Е', H: 'Н', K: 'К', M: 'М', O: 'О', P: 'Р', T: 'Т', X: 'Х' };

export const confusables = (s: string) => s.replace(/[a-zA-Z]/g, (c) => LOOKALIKE[c] ?? c);
/** Every letter of every word separated by a zero-width character (a mix of the usual ones). */
export const zeroWidth = (s: string) => {
  const zw = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
  let i = 0;
  return s.replace(/(\p{L})(?=\p{L})/gu, (c) => c + zw[i++ % zw.length]);
};
/** "vote for" → "v o t e   f o r" (one space between letters, three between words). */
export const letterSpacing = (s: string, sep = ' ') =>
  s
    .split(/\n/)
    .map((line) =>
      line
        .split(/[ \t]+/)
        .map((w) => [...w].join(sep))
        .join('   '),
    )
    .join('\n');
/** Full-width forms ("ｖｏｔｅ"), undone by NFKC. */
export const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
/** Object-prototype property names between the words (a Bayes or feature map keyed by plain objects would misbehave). */
export const protoTokens = (s: string) => {
  const toks = ['constructor', '__proto__', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
  let i = 0;
  return s.replace(/([.!?])(\s)/g, (_m, p: string, sp: string) => `${p} ${toks[i++ % toks.length]} ${toks[i++ % toks.length]}${sp}`) + `\n${toks.join(' ')}\n`;
};

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const paragraphs = (s: string) =>
  s
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');

/** A Subject header value: RFC 2047 base64 when it is not ASCII. */
function subjectHeader(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

/** The seed's headers with its Subject replaced (or added). */
export function withSubject(seed: SeedMail, subject: string): string {
  const lines = seed.headers.split(/\r\n(?![ \t])/).filter(Boolean);
  const kept = lines.filter((l) => !/^subject\s*:/i.test(l));
  return `${kept.join('\r\n')}\r\nSubject: ${subjectHeader(subject)}\r\n`;
}

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
const b64 = (s: string) =>
  Buffer.from(s, 'utf8')
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');

export function textMessage(headers: string, text: string): Buffer {
  return Buffer.from(`${headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${crlf(text)}\r\n`, 'utf8');
}

export function htmlMessage(headers: string, html: string): Buffer {
  return Buffer.from(`${headers}MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${crlf(html)}\r\n`, 'utf8');
}

/** Same text transform on Subject and body, sent as UTF-8 plain text. */
const textual = (id: string, description: string, f: (s: string) => string): Evasion => ({
  id,
  description,
  apply: (seed) => textMessage(withSubject(seed, f(seed.subject)), f(seed.text)),
});

export const EVASIONS: Evasion[] = [
  textual('confusables', 'Latin letters replaced by Cyrillic/Greek look-alikes (а, е, о, р, с …)', confusables),
  textual('zero_width', 'a zero-width character (ZWSP, ZWNJ, ZWJ, WJ, BOM, soft hyphen) between every two letters', zeroWidth),
  textual('letter_spacing', 'letters spaced out: "v o t e   f o r"', (s) => letterSpacing(s)),
  textual('letter_spacing_dots', 'letters separated by dots: "v.o.t.e"', (s) => letterSpacing(s, '.')),
  textual('full_width', 'full-width letters ("ｖｏｔｅ")', fullWidth),
  textual('proto_tokens', '`constructor`, `__proto__`, `prototype`, `hasOwnProperty` … between the sentences', protoTokens),
  {
    id: 'html_only',
    description: 'the text only in an HTML part (no plain-text part)',
    apply: (seed) => htmlMessage(withSubject(seed, seed.subject), `<html><body>\n${paragraphs(seed.text)}\n</body></html>`),
  },
  {
    id: 'html_word_spans',
    description: 'HTML only, every word in its own <span> with inline styles',
    apply: (seed) =>
      htmlMessage(
        withSubject(seed, seed.subject),
        `<html><body><div>${seed.text
          .split(/\s+/)
          .map((w, i) => `<span style="color:#${(i * 2654435761 % 0xffffff).toString(16).padStart(6, '0')}">${escapeHtml(w)}</span>`)
          .join(' ')}</div></body></html>`,
      ),
  },
  {
    id: 'html_decoy_plain',
    description: 'multipart/alternative: a harmless plain-text part, the threat only in the HTML part',
    apply: (seed, ctx) => {
      const b = 'bw-evasion-alt';
      const body = [
        `--${b}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64(ctx.hamText.slice(0, 600)),
        `--${b}`,
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64(`<html><body>${paragraphs(seed.text)}</body></html>`),
        `--${b}--`,
        '',
      ].join('\r\n');
      return Buffer.from(`${withSubject(seed, seed.subject)}MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="${b}"\r\n\r\n${body}`, 'utf8');
    },
  },
  {
    id: 'alt_text_only',
    description: 'the text only in the alt attribute of an image (no other body text)',
    apply: (seed) =>
      htmlMessage(
        withSubject(seed, seed.subject),
        `<html><body><img src="https://img.example/banner.png" width="600" height="800" alt="${escapeHtml(seed.text.replace(/\s+/g, ' ').trim())}"></body></html>`,
      ),
  },
  {
    id: 'ham_padding',
    description: 'the threat followed by twenty times its length of legitimate election-office text (Bayes dilution)',
    apply: (seed, ctx) => textMessage(withSubject(seed, seed.subject), `${seed.text}\n\n${repeatTo(ctx.hamText, seed.text.length * 20)}`),
  },
  {
    id: 'ham_padding_before',
    description: 'twenty times its length of legitimate election-office text, then the threat',
    apply: (seed, ctx) => textMessage(withSubject(seed, seed.subject), `${repeatTo(ctx.hamText, seed.text.length * 20)}\n\n${seed.text}`),
  },
  {
    id: 'base64_body',
    description: 'the body base64-encoded (Content-Transfer-Encoding: base64)',
    apply: (seed) =>
      Buffer.from(`${withSubject(seed, seed.subject)}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(seed.text)}\r\n`, 'utf8'),
  },
];

function repeatTo(s: string, n: number): string {
  if (!s) return '';
  let out = '';
  while (out.length < n) out += `${s}\n\n`;
  return out;
}

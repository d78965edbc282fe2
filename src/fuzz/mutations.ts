import type { MailLimits } from '../mail/limits';
import { EVASIONS } from './evasion';
import { Rng } from './rng';
import type { SeedMail } from './seeds';

/**
 * Malformed and hostile messages made from real mail: each mutation kind takes a seed message and
 * a random stream and returns raw bytes. Kinds cover what broke other mail scanners (rspamd
 * #2648/#5640 parser crashes, #6081 oversized mail, #6073 a boundary bug that skipped Bayes) and
 * one kind per limit in src/mail/limits.ts, set just over the configured value.
 */
export interface MutationContext {
  rng: Rng;
  seed: SeedMail;
  seeds: readonly SeedMail[];
  limits: MailLimits;
}

export interface Mutation {
  kind: string;
  description: string;
  make(ctx: MutationContext): { raw: Buffer; variant: string };
}

const CRLF = '\r\n';
const KB = 1024;
const MB = 1024 * 1024;

const crlf = (s: string) => s.replace(/\r?\n/g, CRLF);
const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8 = (s: string) => Buffer.from(s, 'utf8');

function headersOf(seed: SeedMail): string {
  return seed.headers || `From: someone@example.org${CRLF}To: clerk@county.example.gov${CRLF}Subject: ${seed.subject || 'hello'}${CRLF}`;
}
function textOf(seed: SeedMail): string {
  return seed.text.trim() ? seed.text : 'Please read this message about the election on Tuesday.';
}
function boundary(rng: Rng): string {
  return `=_bw_${rng.u32().toString(16)}${rng.u32().toString(16)}`;
}
/** A complete message: seed headers, MIME headers, body (a string in latin1, i.e. bytes). */
function msg(seed: SeedMail, contentType: string, body: string, extra = ''): Buffer {
  return latin1(`${headersOf(seed)}MIME-Version: 1.0${CRLF}Content-Type: ${contentType}${CRLF}${extra}${CRLF}${body}`);
}
/** UTF-8 text as a latin1 "byte string" (so it survives latin1 concatenation). */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** A multipart body with the given parts (each: headers and content), delimiters CRLF. */
function multipartBody(b: string, parts: { headers: string; body: string }[], close = true): string {
  return `${parts.map((p) => `--${b}${CRLF}${p.headers}${CRLF}${CRLF}${p.body}${CRLF}`).join('')}${close ? `--${b}--${CRLF}` : ''}`;
}
const textPart = (t: string) => ({ headers: 'Content-Type: text/plain; charset=utf-8', body: bytes(crlf(t)) });
const htmlPart = (t: string) => ({ headers: 'Content-Type: text/html; charset=utf-8', body: bytes(`<html><body><p>${esc(t).replace(/\n/g, '<br>')}</p></body></html>`) });

/** A multipart message of the seed's text, its HTML form and a small attachment. */
function alternative(ctx: MutationContext, b = boundary(ctx.rng)): Buffer {
  const t = textOf(ctx.seed);
  const att = { headers: 'Content-Type: application/pdf; name="notice.pdf"\r\nContent-Disposition: attachment; filename="notice.pdf"\r\nContent-Transfer-Encoding: base64', body: b64(ctx.rng.bytes(ctx.rng.int(1, 40) * KB)) };
  return msg(ctx.seed, `multipart/mixed; boundary="${b}"`, multipartBody(b, [textPart(t), htmlPart(t), att]));
}

/** Nested multiparts, `depth` levels, the seed's text in the innermost. */
function nested(ctx: MutationContext, depth: number, sameBoundary = false): Buffer {
  const bs = Array.from({ length: depth }, (_, i) => (sameBoundary ? 'same' : `lvl${i}-${ctx.rng.u32().toString(36)}`));
  let inner = `Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}${bytes(crlf(textOf(ctx.seed)))}${CRLF}`;
  for (let i = depth - 1; i >= 1; i--) {
    inner = `Content-Type: multipart/mixed; boundary="${bs[i]}"${CRLF}${CRLF}--${bs[i]}${CRLF}${inner}--${bs[i]}--${CRLF}`;
  }
  return msg(ctx.seed, `multipart/mixed; boundary="${bs[0]}"`, `--${bs[0]}${CRLF}${inner}--${bs[0]}--${CRLF}`);
}

/** `n` parts under one multipart. */
function manyParts(ctx: MutationContext, n: number, withHeaders: boolean): Buffer {
  const b = boundary(ctx.rng);
  const word = textOf(ctx.seed).split(/\s+/).slice(0, 8).join(' ');
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`--${b}${CRLF}${withHeaders ? `Content-Type: text/plain${CRLF}` : ''}${CRLF}${bytes(word)} ${i}${CRLF}`);
  out.push(`--${b}--${CRLF}`);
  return msg(ctx.seed, `multipart/mixed; boundary="${b}"`, out.join(''));
}

/** Filler text lines from the seeds, `n` bytes. */
function filler(ctx: MutationContext, n: number): string {
  const src = bytes(crlf(ctx.seeds.map((s) => s.text).find((t) => t.length > 200) ?? 'filler text for a long message\n'));
  let out = '';
  while (out.length < n) out += src;
  return out.slice(0, n);
}

const BAD_CHARSETS = ['x-unknown-charset', 'utf-7', 'utf-16', 'utf-32', 'iso-2022-jp', 'ISO-8859-1', 'utf-8', 'UTF8', 'cp1252', 'koi8-r', 'gb18030', 'x-mac-roman', '', '"', 'utf-8"; charset="iso-8859-1', 'a'.repeat(300), 'unicode-1-1-utf-7', 'big5-hkscs'];
/** Byte sequences that are not valid UTF-8 (overlongs, surrogates, lone continuations, 0xFE/0xFF). */
const BAD_UTF8 = ['\xc3\x28', '\xa0\xa1', '\xe2\x28\xa1', '\xf0\x28\x8c\xbc', '\xc0\xaf', '\xed\xa0\x80', '\xfe\xff', '\xf8\x88\x80\x80\x80', '\xef\xbb\xbf\xef\xbb\xbf'];

export const MUTATIONS: readonly Mutation[] = [
  {
    kind: 'truncated_multipart',
    description: 'a multipart message cut off mid-part, mid-base64, mid-delimiter or before the close delimiter',
    make(ctx) {
      const raw = ctx.seed.raw.indexOf('oundary') >= 0 && ctx.rng.chance(0.5) ? ctx.seed.raw : alternative(ctx);
      const v = ctx.rng.int(0, 3);
      if (v === 3) {
        const s = raw.toString('latin1');
        const close = s.lastIndexOf('--\r\n') >= 0 ? s.lastIndexOf('--\r\n') : s.lastIndexOf('--\n');
        return { raw: latin1(close > 0 ? s.slice(0, close) : s), variant: 'no close delimiter' };
      }
      const min = Math.floor(raw.length * (v === 0 ? 0.3 : v === 1 ? 0.6 : 0.9));
      return { raw: raw.subarray(0, ctx.rng.int(min, raw.length - 1)), variant: ['cut early', 'cut midway', 'cut late'][v] };
    },
  },
  {
    kind: 'missing_boundary',
    description: 'multipart without a boundary parameter, with an empty one, or whose boundary never occurs',
    make(ctx) {
      const t = bytes(crlf(textOf(ctx.seed)));
      const b = boundary(ctx.rng);
      switch (ctx.rng.int(0, 4)) {
        case 0:
          return { raw: msg(ctx.seed, 'multipart/mixed', t), variant: 'no boundary parameter' };
        case 1:
          return { raw: msg(ctx.seed, 'multipart/alternative; boundary=""', multipartBody('', [textPart(textOf(ctx.seed))])), variant: 'empty boundary' };
        case 2:
          return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"`, multipartBody(`${b}x`, [textPart(textOf(ctx.seed))])), variant: 'boundary never occurs' };
        case 3:
          return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"`, `${t}${CRLF}--${b}--${CRLF}`), variant: 'only a close delimiter' };
        default:
          return { raw: msg(ctx.seed, `multipart/related; boundary=`, t), variant: 'boundary= with no value' };
      }
    },
  },
  {
    kind: 'duplicated_boundary',
    description: 'two boundary parameters, two Content-Type headers, a nested part reusing its parent boundary, or prefix boundaries',
    make(ctx) {
      const t = textOf(ctx.seed);
      const b = boundary(ctx.rng);
      switch (ctx.rng.int(0, 3)) {
        case 0:
          return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"; boundary="${b}2"`, multipartBody(`${b}2`, [textPart(t), htmlPart(t)])), variant: 'two boundary parameters' };
        case 1:
          return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"`, multipartBody(`${b}`, [textPart(t)]), `Content-Type: multipart/alternative; boundary="${b}y"${CRLF}`), variant: 'two Content-Type headers' };
        case 2: {
          const inner = { headers: `Content-Type: multipart/alternative; boundary="${b}"`, body: multipartBody(b, [textPart(t), htmlPart(t)]) };
          return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"`, multipartBody(b, [inner, textPart(t)])), variant: 'nested part reuses the parent boundary' };
        }
        default: {
          const inner = { headers: `Content-Type: multipart/alternative; boundary="${b}-1"`, body: multipartBody(`${b}-1`, [textPart(t), htmlPart(t)]) };
          return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"`, multipartBody(b, [inner, textPart(t)])), variant: 'a boundary that prefixes another' };
        }
      }
    },
  },
  {
    kind: 'overlong_boundary',
    description: 'boundaries far over RFC 2046’s 70 characters (71 B to 64 KiB)',
    make(ctx) {
      const len = ctx.rng.pick([71, 200, 201, 1000, 10_000, 65_000]);
      const b = 'b'.repeat(len - 8) + ctx.rng.u32().toString(16).padStart(8, '0');
      const t = textOf(ctx.seed);
      return { raw: msg(ctx.seed, `multipart/alternative; boundary="${b}"`, multipartBody(b, [textPart(t), htmlPart(t)])), variant: `${len} characters` };
    },
  },
  {
    kind: 'huge_header_line',
    description: 'one header line of ~1 MB (Subject, Received, To, a folded X- header), or just under the header limit',
    make(ctx) {
      const size = ctx.rng.chance(0.75) ? MB : ctx.limits.maxHeaderBytes - 16 * KB;
      const which = ctx.rng.int(0, 3);
      const pad = which === 2 ? Array.from({ length: Math.ceil(size / 24) }, (_, i) => `v${i}@example.org`).join(', ') : filler(ctx, size).replace(/\r\n/g, ' ');
      const name = ['Subject', 'Received', 'To', 'X-Folded'][which];
      const value = which === 3 ? pad.replace(/(.{900}) /g, `$1${CRLF} `) : pad;
      const body = bytes(crlf(textOf(ctx.seed)));
      return { raw: latin1(`${name}: ${value}${CRLF}${headersOf(ctx.seed)}MIME-Version: 1.0${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}${body}`), variant: `${name} ${size >= MB ? '1 MB' : 'under the limit'}` };
    },
  },
  {
    kind: 'huge_body_line',
    description: 'a body line of 1-4 MB without a line break',
    make(ctx) {
      const n = ctx.rng.int(1, 4) * MB;
      const t = bytes(textOf(ctx.seed).replace(/\s+/g, ' '));
      return { raw: msg(ctx.seed, 'text/plain; charset=utf-8', t + filler(ctx, n).replace(/\r\n/g, ' ')), variant: `${n / MB} MB line` };
    },
  },
  {
    kind: 'many_parts',
    description: '10,000 MIME parts (with or without part headers)',
    make(ctx) {
      const h = ctx.rng.chance(0.5);
      return { raw: manyParts(ctx, 10_000, h), variant: h ? 'parts with headers' : 'bare parts' };
    },
  },
  {
    kind: 'deep_nesting',
    description: '100 nested multiparts (distinct or identical boundaries) or 100 nested message/rfc822',
    make(ctx) {
      const v = ctx.rng.int(0, 2);
      if (v < 2) return { raw: nested(ctx, 100, v === 1), variant: v ? '100 multiparts, one boundary' : '100 multiparts' };
      let inner = `${headersOf(ctx.seed)}Content-Type: text/plain${CRLF}${CRLF}${bytes(crlf(textOf(ctx.seed)))}${CRLF}`;
      for (let i = 0; i < 99; i++) inner = `From: fwd${i}@example.org${CRLF}Subject: Fwd${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}${inner}`;
      return { raw: msg(ctx.seed, 'message/rfc822', inner), variant: '100 message/rfc822' };
    },
  },
  {
    kind: 'bad_charset',
    description: 'unknown, wrong or absurd charsets, invalid UTF-8, broken RFC 2047 encoded words',
    make(ctx) {
      const cs = ctx.rng.pick(BAD_CHARSETS);
      let t = bytes(crlf(textOf(ctx.seed)));
      const v = ctx.rng.int(0, 2);
      if (v === 0) {
        // invalid UTF-8 sprinkled into the text
        const parts = t.split(' ');
        for (let i = 0; i < parts.length; i += ctx.rng.int(1, 6)) parts[i] += ctx.rng.pick(BAD_UTF8);
        t = parts.join(' ');
      } else if (v === 1) t = ctx.rng.bytes(ctx.rng.int(1, 64) * KB).toString('latin1');
      const subj = ctx.rng.pick([`=?${cs || 'x'}?Q?${'=FF=FE'.repeat(8)}?=`, '=?utf-8?B?!!!notbase64!!!?=', '=?utf-8?Q?unterminated', `=?utf-8?B?${'4pyT'.repeat(2000)}?=`, '=?=?=??==?']);
      const raw = latin1(`Subject: ${subj}${CRLF}`);
      return { raw: Buffer.concat([raw, msg(ctx.seed, `text/plain; charset=${cs.includes('"') ? cs : `"${cs}"`}`, t)]), variant: `${['invalid UTF-8', 'random bytes', 'text'][v]} in "${cs.slice(0, 20)}"` };
    },
  },
  {
    kind: 'bad_encoding',
    description: 'broken base64 / quoted-printable, unknown transfer encodings, 8-bit binary bodies',
    make(ctx) {
      const t = textOf(ctx.seed);
      switch (ctx.rng.int(0, 4)) {
        case 0: {
          const s = utf8(t).toString('base64');
          const broken = s.replace(/.{1,40}/g, (m) => (ctx.rng.chance(0.2) ? `${m}!*~%` : m)).slice(0, s.length - ctx.rng.int(0, 3));
          return { raw: msg(ctx.seed, 'text/plain; charset=utf-8', broken, `Content-Transfer-Encoding: base64${CRLF}`), variant: 'invalid base64' };
        }
        case 1:
          return { raw: msg(ctx.seed, 'text/plain; charset=utf-8', `${bytes(t).replace(/ /g, '=ZZ').replace(/e/g, '=')}=`, `Content-Transfer-Encoding: quoted-printable${CRLF}`), variant: 'invalid quoted-printable' };
        case 2:
          return { raw: msg(ctx.seed, 'text/plain; charset=utf-8', bytes(t), `Content-Transfer-Encoding: ${ctx.rng.pick(['x-uuencode', 'x-bogus', 'base64; base64', '', 'quoted-printable, base64', '7bit'.repeat(100)])}${CRLF}`), variant: 'unknown transfer encoding' };
        case 3:
          return { raw: msg(ctx.seed, 'text/plain; charset=utf-8', `begin 644 notice.txt${CRLF}${'M'.repeat(61)}${CRLF}end${CRLF}${bytes(t)}`, `Content-Transfer-Encoding: x-uuencode${CRLF}`), variant: 'uuencode' };
        default:
          return { raw: msg(ctx.seed, 'text/plain; charset=utf-8', ctx.rng.bytes(ctx.rng.int(1, 200) * KB).toString('latin1'), `Content-Transfer-Encoding: binary${CRLF}`), variant: 'binary body' };
      }
    },
  },
  {
    kind: 'nul_bytes',
    description: 'NUL bytes in the body, the headers or a boundary; UTF-16 text labelled UTF-8',
    make(ctx) {
      const t = bytes(crlf(textOf(ctx.seed)));
      switch (ctx.rng.int(0, 3)) {
        case 0: {
          const chars = [...t];
          const n = ctx.rng.int(1, 1000);
          for (let i = 0; i < n; i++) chars.splice(ctx.rng.int(0, chars.length), 0, '\0');
          return { raw: msg(ctx.seed, 'text/plain; charset=utf-8', chars.join('')), variant: 'NULs in the body' };
        }
        case 1:
          return { raw: latin1(`X-Null: a\0b${CRLF}${msg(ctx.seed, 'text/plain', t).toString('latin1')}`), variant: 'NUL in a header' };
        case 2: {
          const b = `nul\0${ctx.rng.u32()}`;
          return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"`, multipartBody(b, [textPart(textOf(ctx.seed))])), variant: 'NUL in the boundary' };
        }
        default:
          return { raw: Buffer.concat([msg(ctx.seed, 'text/plain; charset=utf-8', ''), Buffer.from(textOf(ctx.seed), 'utf16le'), Buffer.alloc(ctx.rng.int(1, 64) * KB)]), variant: 'UTF-16 text and a NUL run' };
      }
    },
  },
  {
    kind: 'huge_base64_attachment',
    description: 'a 1 MB to ~7 MB base64 attachment (sometimes declared text/plain, so it is decoded as text)',
    make(ctx) {
      const size = ctx.rng.int(1, Math.max(1, Math.floor((ctx.limits.maxBytes * 0.7) / MB))) * MB;
      const asText = ctx.rng.chance(0.3);
      const b = boundary(ctx.rng);
      const payload = asText ? utf8(filler(ctx, size)) : ctx.rng.bytes(size);
      const att = {
        headers: `Content-Type: ${asText ? 'text/plain; charset=utf-8' : 'application/octet-stream'}; name="data.bin"${CRLF}Content-Disposition: attachment; filename="data.bin"${CRLF}Content-Transfer-Encoding: base64`,
        body: b64(payload),
      };
      return { raw: msg(ctx.seed, `multipart/mixed; boundary="${b}"`, multipartBody(b, [textPart(textOf(ctx.seed)), att])), variant: `${size / MB} MB ${asText ? 'text' : 'binary'}` };
    },
  },
  {
    kind: 'html_bomb',
    description: 'HTML built to hurt a renderer: 100k nested or unclosed tags, entity floods, a 1 MB attribute, an unclosed comment, 50k alt texts',
    make(ctx) {
      const t = esc(textOf(ctx.seed));
      const v = ctx.rng.int(0, 6);
      const n = ctx.rng.int(5, 20) * 10_000;
      const bodies = [
        () => `${'<div>'.repeat(n)}${t}${'</div>'.repeat(n)}`,
        () => `${'<b><i><font color=red>'.repeat(n / 4)}${t}`,
        () => `${t}${'&amp;&#x10FFFF;&#99999999;&nosuchentity;&lt;'.repeat(n / 4)}`,
        () => `<p title="${'x'.repeat(MB)}">${t}</p>`,
        () => `<!-- ${t}${'<p>'.repeat(1000)}`,
        () => `${'<img src=x alt="vote">'.repeat(n / 2)}<p>${t}</p>`,
        () => `${'<table><tr><td>'.repeat(n / 10)}${t}`,
      ];
      const names = ['nested divs', 'unclosed tags', 'entity flood', '1 MB attribute', 'unclosed comment', 'alt-text flood', 'nested tables'];
      return { raw: msg(ctx.seed, 'text/html; charset=utf-8', bytes(`<html><body>${bodies[v]()}</body></html>`)), variant: names[v] };
    },
  },
  {
    kind: 'limit_bytes',
    description: 'a message over the total size limit (maxBytes + 1 B … + 1 MB)',
    make(ctx) {
      const over = ctx.rng.pick([1, 100, 64 * KB, MB]);
      const head = msg(ctx.seed, 'text/plain; charset=utf-8', '');
      return { raw: Buffer.concat([head, latin1(filler(ctx, ctx.limits.maxBytes - head.length + over))]), variant: `+${over} B` };
    },
  },
  {
    kind: 'limit_header_bytes',
    description: 'a header section over the header limit, made of many ordinary header lines',
    make(ctx) {
      const lines: string[] = [];
      let n = 0;
      const target = ctx.limits.maxHeaderBytes + ctx.rng.int(1, 64 * KB);
      for (let i = 0; n < target; i++) {
        const l = `X-Pad-${i}: ${ctx.rng.u32().toString(36)} relay check ok${CRLF}`;
        lines.push(l);
        n += l.length;
      }
      return { raw: Buffer.concat([latin1(lines.join('')), msg(ctx.seed, 'text/plain', bytes(crlf(textOf(ctx.seed))))]), variant: `${lines.length} headers` };
    },
  },
  {
    kind: 'limit_parts',
    description: 'one to 50 MIME parts more than the part limit',
    make(ctx) {
      const n = ctx.limits.maxParts + ctx.rng.int(1, 50);
      return { raw: manyParts(ctx, n, true), variant: `${n} parts` };
    },
  },
  {
    kind: 'limit_depth',
    description: 'multipart nesting one to five levels deeper than the depth limit',
    make(ctx) {
      const d = ctx.limits.maxDepth + ctx.rng.int(1, 5);
      return { raw: nested(ctx, d), variant: `depth ${d}` };
    },
  },
  {
    kind: 'limit_html',
    description: 'an HTML body over the rendered-HTML limit, the seed text first',
    make(ctx) {
      const extra = ctx.rng.int(1, 200) * KB;
      const html = `<html><body><p>${esc(textOf(ctx.seed))}</p>${'<p>padding paragraph</p>'.repeat(Math.ceil((ctx.limits.maxHtmlChars + extra) / 23))}</body></html>`;
      return { raw: msg(ctx.seed, 'text/html; charset=utf-8', bytes(html)), variant: `+${extra / KB} KB` };
    },
  },
  {
    kind: 'byte_mutation',
    description: 'random byte edits of a real message: flips, inserts, deletes, duplicated and spliced ranges',
    make(ctx) {
      let b = Buffer.from(ctx.seed.raw);
      const edits = ctx.rng.int(1, 64);
      for (let i = 0; i < edits; i++) {
        if (!b.length) b = Buffer.from('x');
        const at = ctx.rng.int(0, b.length - 1);
        switch (ctx.rng.int(0, 6)) {
          case 0:
            b[at] ^= 1 << ctx.rng.int(0, 7);
            break;
          case 1:
            b[at] = ctx.rng.pick([0, 0x0a, 0x0d, 0xff, 0x80, 0x3a, 0x2d, 0x3d, 0x3c, 0x22]);
            break;
          case 2:
            b = Buffer.concat([b.subarray(0, at), ctx.rng.bytes(ctx.rng.int(1, 32)), b.subarray(at)]);
            break;
          case 3:
            b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + ctx.rng.int(1, 256)))]);
            break;
          case 4: {
            const len = ctx.rng.int(1, 512);
            b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
            break;
          }
          case 5: {
            const other = ctx.rng.pick(ctx.seeds).raw;
            const from = ctx.rng.int(0, Math.max(0, other.length - 1));
            b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + ctx.rng.int(1, 2048)), b.subarray(at)]);
            break;
          }
          default:
            b = Buffer.concat([b.subarray(0, at), latin1(ctx.rng.pick(['\r\n\r\n', '\r\n--', '\n\n', '\r', 'Content-Type: multipart/mixed; boundary=x\r\n', '=?utf-8?B?', '<', '--x--'])), b.subarray(at)]);
        }
      }
      return { raw: b, variant: `${edits} edits` };
    },
  },
  {
    kind: 'header_chaos',
    description: 'lines without a colon, 5,000 headers, bare CR or mixed line ends, raw 8-bit headers, 10,000 folds, duplicated headers, deep comments, encoded-word storms',
    make(ctx) {
      const body = bytes(crlf(textOf(ctx.seed)));
      const h = headersOf(ctx.seed);
      const v = ctx.rng.int(0, 7);
      const heads = [
        () => `${h}this line has no colon${CRLF}: empty name${CRLF}`,
        () => `${h}${Array.from({ length: 5000 }, (_, i) => `X-H${i}: ${i}`).join(CRLF)}${CRLF}`,
        () => h.replace(/\r\n/g, '\r'),
        () => h.replace(/\r\n/g, () => (ctx.rng.chance(0.5) ? '\n' : '\r\n')),
        () => `${h}X-Raw: ${bytes('Votación — élection ✓ 投票')}${String.fromCharCode(0xff, 0xfe)}${CRLF}`,
        () => `${h}X-Folded: start${` x${CRLF}`.repeat(10_000)} end${CRLF}`,
        () => `${h}${`From: a${ctx.rng.u32()}@example.org${CRLF}Subject: dup${CRLF}Date: not a date${CRLF}`.repeat(100)}`,
        () => `From: x@example.org ${'('.repeat(5000)}c${')'.repeat(5000)}${CRLF}Subject: ${'=?utf-8?Q?a?= '.repeat(10_000)}${CRLF}${h}`,
      ];
      const names = ['no colon', '5,000 headers', 'bare CR', 'mixed line ends', 'raw 8-bit', '10,000 folds', 'duplicated headers', 'deep comments, encoded-word storm'];
      return { raw: latin1(`${heads[v]()}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}${body}`), variant: names[v] };
    },
  },
  {
    kind: 'not_email',
    description: 'no message at all: empty, blanks, random binary, PNG, JSON, an HTML page, text without headers, headers only',
    make(ctx) {
      const v = ctx.rng.int(0, 8);
      const t = textOf(ctx.seed);
      const raws = [
        () => Buffer.alloc(0),
        () => latin1(' \r\n\t\r\n'.repeat(ctx.rng.int(1, 1000))),
        () => ctx.rng.bytes(ctx.rng.int(1, 256) * KB),
        () => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), ctx.rng.bytes(4 * KB)]),
        () => utf8(JSON.stringify({ from: 'x@example.org', body: t })),
        () => utf8(`<!doctype html><html><body>${esc(t)}</body></html>`),
        () => utf8(t),
        () => latin1(headersOf(ctx.seed)),
        () => latin1(`From ${'x'.repeat(ctx.rng.int(1, 100))}`),
      ];
      const names = ['empty', 'blank', 'random binary', 'PNG', 'JSON', 'HTML page', 'text without headers', 'headers only', 'mbox line only'];
      return { raw: raws[v](), variant: names[v] };
    },
  },
  {
    kind: 'evasion',
    description: 'a threat (or any seed) disguised by one of the evasions in evasion.ts',
    make(ctx) {
      const threats = ctx.seeds.filter((s) => s.label === 'intimidation' || s.label === 'disinformation');
      const ham = ctx.seeds.filter((s) => s.label === 'ham');
      const seed = threats.length ? ctx.rng.pick(threats) : ctx.seed;
      const e = ctx.rng.pick(EVASIONS);
      return { raw: e.apply(seed, { hamText: ham.length ? ctx.rng.pick(ham).text : textOf(ctx.seed) }), variant: e.id };
    },
  },
];

export interface FuzzMessage {
  index: number;
  kind: string;
  variant: string;
  seed: string;
  raw: Buffer;
}

/**
 * Message `index` of the run with `seed`: kinds in turn (every kind equally often), the seed mail
 * and the variant drawn from the message's own random stream. Pure: same arguments, same bytes.
 */
export function generate(seeds: readonly SeedMail[], limits: MailLimits, seed: string, index: number, kinds: readonly Mutation[] = MUTATIONS): FuzzMessage {
  const m = kinds[index % kinds.length];
  const rng = new Rng(seed, `msg:${index}`);
  const s = rng.pick(seeds);
  const { raw, variant } = m.make({ rng: rng.fork(m.kind), seed: s, seeds, limits });
  return { index, kind: m.kind, variant, seed: s.name, raw };
}

import { simpleParser, type ParsedMail, type SimpleParserOptions } from 'mailparser';
import { mailboxes, toMailbox } from './addresses';
import { parseAuthResults } from './auth-results';
import { MailError } from './errors';
import { htmlToText } from './html-to-text';
import { headerEnd, scanStructure, type MailLimits } from './limits';
import { hostOf, MAX_URLS, urlsInText } from './urls';
import type { FoundUrl, ParsedEmail, ParseWarning } from './types';

const PARSER_OPTIONS: SimpleParserOptions = {
  // HTML is rendered by ./html-to-text (see the figures there); the rest is output we never read.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
};

/** Header names every real message has at least one of. */
const MAIL_HEADERS = /^(from|to|subject|date|message-id|received|return-path|mime-version|content-type|sender|reply-to|delivered-to|x-mailer)$/i;
const HEADER_LINE = /^[!-9;-~]{1,100}:/;

/** Drops a leading mbox `From ` envelope line (the SpamAssassin corpus files start with one). */
export function stripMboxLine(raw: Buffer): Buffer {
  if (raw.length >= 5 && raw.subarray(0, 5).toString('latin1') === 'From ') {
    const nl = raw.indexOf(10);
    return nl < 0 ? raw.subarray(raw.length) : raw.subarray(nl + 1);
  }
  return raw;
}

/** True when every byte is ASCII white space (no copy of the message is made). */
function isBlank(raw: Buffer): boolean {
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0b && b !== 0x0c) return false;
  }
  return true;
}

/**
 * Checks the cheap limits and that the bytes look like a message at all, before any real parsing.
 * Throws MailError: the caller turns it into an `unscanned` verdict with the reason.
 */
export function precheck(raw: Buffer, limits: MailLimits): Buffer {
  if (isBlank(raw)) throw new MailError('empty', 'the message is empty');
  if (raw.length > limits.maxBytes) {
    throw new MailError('too_large', `message is ${raw.length} bytes (limit ${limits.maxBytes})`);
  }
  const msg = stripMboxLine(raw);
  const { end } = headerEnd(msg);
  const headerBytes = end < 0 ? msg.length : end;
  if (headerBytes > limits.maxHeaderBytes) {
    throw new MailError('headers_too_large', `header section is ${headerBytes} bytes (limit ${limits.maxHeaderBytes})`);
  }
  // The whole header section (already bounded by maxHeaderBytes): looking at only its first 64 KiB
  // let one long X- header in front turn a real message into `not_email` (found by npm run fuzz).
  const head = msg.subarray(0, headerBytes).toString('latin1');
  if (head.includes('\0')) throw new MailError('not_email', 'binary data (NUL bytes) in the header section');
  const lines = head.split(/\r?\n/);
  if (!HEADER_LINE.test(lines[0] ?? '')) {
    throw new MailError('not_email', 'the first line is not an RFC 822 header ("Name: value")');
  }
  const names = lines.filter((l) => HEADER_LINE.test(l)).map((l) => l.slice(0, l.indexOf(':')).trim());
  if (!names.some((n) => MAIL_HEADERS.test(n))) {
    throw new MailError('not_email', 'no mail header (From, To, Subject, Date, Received, …) in the header section');
  }
  scanStructure(msg, limits);
  return msg;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MailError('parse_timeout', `parsing took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function headerText(parsed: ParsedMail, name: string): string {
  const line = parsed.headerLines.find((h) => h.key === name);
  if (!line) return '';
  return line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

/**
 * mailparser returns an empty body, without an error, when a multipart message has no boundary
 * parameter or its boundary never occurs in the body. That is silent data loss (and an evasion:
 * the threat would never be scanned), so detect it and fall back to the raw body as text.
 */
function lostBody(msg: Buffer, parsed: ParsedMail, warnings: ParseWarning[]): string {
  const ct = headerText(parsed, 'content-type');
  const bodyBytes = msg.subarray(headerEnd(msg).bodyStart);
  const body = () => bodyBytes.toString('utf8');
  const hasText = !!(parsed.text && parsed.text.trim()) || !!(typeof parsed.html === 'string' && parsed.html.trim());
  if (/^\s*multipart\//i.test(ct)) {
    const bm = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(ct);
    const boundary = bm ? (bm[1] ?? bm[2]) : null;
    if (!boundary || bodyBytes.indexOf(`--${boundary}`) < 0) {
      warnings.push({
        code: 'missing_boundary',
        message: boundary
          ? `multipart boundary "${boundary}" never occurs in the body: the body was scanned as plain text`
          : 'multipart message without a boundary parameter: the body was scanned as plain text',
      });
      return body();
    }
  }
  if (!hasText && parsed.attachments.length === 0 && !isBlank(bodyBytes)) {
    warnings.push({ code: 'body_not_decoded', message: 'the parser found no text in a non-empty body: the body was scanned as raw text' });
    return body();
  }
  return '';
}

/**
 * Raw RFC 822 bytes → ParsedEmail. Throws MailError for input over a limit or not an email; any
 * other parser failure is wrapped as `parse_failed`, so callers see one error type.
 */
export async function parseEmail(raw: Buffer, limits: MailLimits): Promise<ParsedEmail> {
  const msg = precheck(raw, limits);
  let parsed: ParsedMail;
  try {
    parsed = await withTimeout(
      simpleParser(msg, { ...PARSER_OPTIONS, maxHeadSize: limits.maxHeaderBytes, maxChildNodes: limits.maxParts }),
      limits.parseTimeoutMs,
    );
  } catch (err: unknown) {
    if (err instanceof MailError) throw err;
    throw new MailError('parse_failed', `the MIME parser failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const warnings: ParseWarning[] = [];
  const fallback = lostBody(msg, parsed, warnings);
  let text = parsed.text ?? '';
  if (fallback) text = text ? `${text}\n${fallback}` : fallback;

  let html = typeof parsed.html === 'string' ? parsed.html : '';
  if (html.length > limits.maxHtmlChars) {
    warnings.push({ code: 'html_truncated', message: `HTML is ${html.length} characters; only the first ${limits.maxHtmlChars} were scanned` });
    html = html.slice(0, limits.maxHtmlChars);
  }
  const rendered = html ? htmlToText(html) : { text: '', links: [] };

  const urls: FoundUrl[] = [];
  for (const l of rendered.links) {
    if (urls.length >= MAX_URLS) break;
    if (/^(https?:)?\/\//i.test(l.href)) urls.push({ url: l.href, host: hostOf(l.href), source: 'href', anchorText: l.text });
  }
  urlsInText(text, urls);
  if (!text) urlsInText(rendered.text, urls);

  const headers = parsed.headerLines.map((h) => ({
    name: h.key,
    value: h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim(),
  }));
  const all = (n: string) => headers.filter((h) => h.name === n).map((h) => h.value);
  const fromList = mailboxes(parsed.from);
  const rp = all('return-path')[0] ?? '';
  return {
    headers,
    from: fromList[0] ?? (all('from')[0] ? toMailbox(all('from')[0], '') : null),
    replyTo: mailboxes(parsed.replyTo),
    returnPath: rp.replace(/^<|>$/g, '').trim().toLowerCase(),
    to: mailboxes(parsed.to),
    subject: parsed.subject ?? '',
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null,
    messageId: parsed.messageId ?? '',
    received: all('received'),
    authResults: all('authentication-results').flatMap(parseAuthResults),
    text,
    htmlText: rendered.text,
    htmlOnly: !!html && !parsed.text,
    urls,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType ?? 'application/octet-stream',
      size: a.size ?? a.content?.length ?? 0,
    })),
    size: raw.length,
    warnings,
  };
}

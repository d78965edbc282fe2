// Parsing: typed fields, limits, malformed input. No network, no Redis.
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, MailError, parseEmail, type MailLimits } from '../../../src/mail';
import { buildEmail, nestedEmail } from '../../helpers/build-email';
import { specimen } from '../../helpers/paths';

const limits: MailLimits = { ...DEFAULT_LIMITS };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err: unknown) {
    if (err instanceof MailError) return err.code;
    throw err;
  }
}

describe('parseEmail', () => {
  it('reads headers, addresses, auth results, URLs and attachment metadata', async () => {
    const m = await parseEmail(readFileSync(specimen('scenarios/proud-boys-change-party.eml')), limits);
    expect(m.from).toEqual({ name: 'Proud Boys', address: 'info@officialproudboys.example', domain: 'officialproudboys.example' });
    expect(m.replyTo[0].address).toBe('pb.enforcement@protonmail.com');
    expect(m.subject).toBe('Vote for Trump or else!');
    expect(m.received).toHaveLength(1);
    expect(m.authResults.find((r) => r.method === 'dmarc')).toMatchObject({ authservId: 'mx.gateway.example', result: 'fail' });
    expect(m.text).toContain('we will come after you');
    expect(m.date).toBe('2020-10-20T18:02:03.000Z');
  });

  it('accepts a leading mbox "From " line', async () => {
    const m = await parseEmail(Buffer.concat([Buffer.from('From someone@example.org Mon Jan  1 00:00:00 2020\n'), buildEmail({ subject: 'x', text: 'body' })]), limits);
    expect(m.subject).toBe('x');
    expect(m.text.trim()).toBe('body');
  });

  it('renders HTML-only mail to text, keeping image alt text and link targets', async () => {
    const m = await parseEmail(
      buildEmail({ html: '<p>Hello&nbsp;voter</p><img alt="vote by text to 55555"><a href="https://sos-ohio-gov.example/verify">click</a><script>evil()</script>' }),
      limits,
    );
    expect(m.htmlOnly).toBe(true);
    expect(m.htmlText).toContain('Hello voter');
    expect(m.htmlText).toContain('vote by text to 55555');
    expect(m.htmlText).not.toContain('evil');
    expect(m.urls[0]).toMatchObject({ host: 'sos-ohio-gov.example', source: 'href', anchorText: 'click' });
  });

  it('keeps attachment metadata only', async () => {
    const raw = Buffer.from(
      'From: a@example.org\r\nTo: b@example.org\r\nSubject: att\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="z"\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--z\r\nContent-Type: application/pdf; name="list.pdf"\r\nContent-Disposition: attachment; filename="list.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfs\r\n--z--\r\n',
    );
    const m = await parseEmail(raw, limits);
    expect(m.attachments).toEqual([{ filename: 'list.pdf', contentType: 'application/pdf', size: 12 }]);
  });

  it('detects a boundary that never occurs and scans the body as text instead of losing it', async () => {
    const m = await parseEmail(readFileSync(specimen('malformed/missing-boundary.eml')), limits);
    expect(m.warnings.map((w) => w.code)).toContain('missing_boundary');
    expect(m.text).toContain('you will regret it');
  });

  it('detects a multipart message with no boundary parameter', async () => {
    const m = await parseEmail(readFileSync(specimen('malformed/no-boundary-param.eml')), limits);
    expect(m.warnings[0].code).toBe('missing_boundary');
    expect(m.text).toContain('registration has been cancelled');
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['empty', Buffer.from('  \r\n\r\n ')],
    ['not_email', readFileSync(specimen('malformed/not-an-email.bin'))],
    ['not_email', readFileSync(specimen('malformed/plain-text-no-headers.txt'))],
    ['not_email', Buffer.from('X-Custom: 1\r\nX-Other: 2\r\n\r\nbody')],
  ])('rejects input that is not a message (%s)', async (expected, raw) => {
    expect(await code(parseEmail(raw, limits))).toBe(expected);
  });

  it('finds the mail headers behind a long first header (under the header limit)', async () => {
    const long = `X-Long: ${'x'.repeat(100_000)}\r\n`;
    const m = await parseEmail(Buffer.concat([Buffer.from(long), buildEmail({ text: 'we will come after you' })]), limits);
    expect(m.text).toContain('come after you');
  });

  it('enforces the size, header, part and depth limits with typed errors', async () => {
    expect(await code(parseEmail(buildEmail({ text: 'x'.repeat(5000) }), { ...limits, maxBytes: 1000 }))).toBe('too_large');
    expect(await code(parseEmail(buildEmail({ headers: { 'X-Pad': 'y'.repeat(3000) } }), { ...limits, maxHeaderBytes: 1000 }))).toBe('headers_too_large');
    expect(await code(parseEmail(nestedEmail(12), limits))).toBe('too_deep');
    expect(await code(parseEmail(nestedEmail(3), limits))).toBe('ok');
    const parts = Array.from({ length: 30 }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const many = Buffer.from(`From: a@example.org\r\nSubject: p\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n${parts}--p--\r\n`);
    expect(await code(parseEmail(many, { ...limits, maxParts: 10 }))).toBe('too_many_parts');
    expect(await code(parseEmail(many, limits))).toBe('ok');
  });

  it('truncates HTML over the limit and says so', async () => {
    const m = await parseEmail(buildEmail({ html: `<p>${'word '.repeat(400)}</p>` }), { ...limits, maxHtmlChars: 200 });
    expect(m.warnings.map((w) => w.code)).toContain('html_truncated');
  });

  it('never throws anything but MailError on damaged input', async () => {
    const base = readFileSync(specimen('scenarios/vote-by-text.eml'));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 150; i++) {
      const buf = Buffer.from(base);
      const cut = Math.floor(rand() * buf.length);
      for (let k = 0; k < 20; k++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
      const damaged = i % 2 ? buf.subarray(0, cut) : buf;
      const r = await code(parseEmail(damaged, limits));
      expect(['ok', 'not_email', 'empty', 'parse_failed']).toContain(r);
    }
  });
});

describe('boundary padding', () => {
  it('counts only boundaries declared in Content-Type headers', async () => {
    const pad = Array.from({ length: 250 }, (_, i) => `boundary=x${i}`).join(' ');
    const m = await parseEmail(buildEmail({ text: `We will come after you. ${pad}` }), DEFAULT_LIMITS);
    expect(m.text).toContain('come after you');
  });
});

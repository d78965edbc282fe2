// Segment scoring: how long text is split, that each stretch keeps the message's quoting and
// reporting framing, and that a threat padded with ordinary mail is caught by its stretch.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { segmentTokens, tokenize, tokenizeParts } from '../../../src/classifier/tokenize';
import { loadConfig } from '../../../src/config';
import { DEFAULT_REGISTRY, signalText } from '../../../src/features';
import { buildContext, runSignals, segmentContext } from '../../../src/features/registry';
import { MAX_SEGMENTS, segmentBody, SEGMENT_CHARS, type Span } from '../../../src/features/segments';
import { EVASIONS } from '../../../src/fuzz/evasion';
import { toSeed } from '../../../src/fuzz/seeds';
import { DEFAULT_LIMITS, parseEmail } from '../../../src/mail';
import { Scanner } from '../../../src/pipeline';
import { buildEmail } from '../../helpers/build-email';
import { FIXTURES, specimen } from '../../helpers/paths';

/** A paragraph of n characters of filler words (no blank lines inside). */
const para = (n: number, word = 'lorem') => `${`${word} `.repeat(Math.ceil(n / (word.length + 1)))}`.slice(0, n).trimEnd();

function expectCovering(body: string, spans: Span[]): void {
  expect(spans[0].start).toBe(0);
  expect(spans[spans.length - 1].end).toBe(body.length);
  for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBe(spans[i - 1].end);
}

describe('segmentBody', () => {
  it('leaves text of one segment alone', () => {
    expect(segmentBody('short text\n\nand a second paragraph')).toEqual([]);
    expect(segmentBody(para(SEGMENT_CHARS))).toEqual([]);
    expect(segmentBody('   \n\n  ')).toEqual([]);
  });

  it('packs whole paragraphs into segments that cover the text in order', () => {
    const paras = Array.from({ length: 12 }, (_, i) => para(300 + 37 * i, `w${i}`));
    const body = paras.join('\n\n');
    const spans = segmentBody(body);
    expect(spans.length).toBeGreaterThan(3);
    expectCovering(body, spans);
    for (const s of spans) {
      const text = body.slice(s.start, s.end);
      // Paragraph-aligned: every segment starts at a paragraph and ends after one (or at the end).
      expect(paras.some((p) => text.startsWith(p))).toBe(true);
      expect(s.end === body.length || /\n\n$/.test(text)).toBe(true);
      expect(text.length).toBeLessThanOrEqual(1.5 * SEGMENT_CHARS + 2);
    }
  });

  it('joins a short last paragraph to the segment before it', () => {
    const body = `${para(900, 'aa')}\n\n${para(900, 'bb')}\n\n${para(80, 'cc')}`;
    const spans = segmentBody(body);
    expect(spans).toHaveLength(2);
    expect(body.slice(spans[1].start, spans[1].end)).toContain('cc');
    expect(body.slice(spans[1].start, spans[1].end)).toContain('bb');
  });

  it('cuts a paragraph longer than a segment at line breaks, then at spaces, then anywhere', () => {
    const lines = Array.from({ length: 60 }, (_, i) => para(70, `l${i}`)).join('\n');
    const byLine = segmentBody(lines);
    expectCovering(lines, byLine);
    for (const s of byLine.slice(0, -1)) expect(lines[s.end - 1]).toBe('\n');
    const words = para(5000, 'word');
    const bySpace = segmentBody(words);
    expectCovering(words, bySpace);
    for (const s of bySpace.slice(0, -1)) expect(words[s.end - 1]).toBe(' ');
    const solid = 'x'.repeat(5000);
    const hard = segmentBody(solid);
    expectCovering(solid, hard);
    expect(hard.length).toBeGreaterThan(3);
  });

  it('makes at most MAX_SEGMENTS segments however long the text (longer segments instead)', () => {
    const body = Array.from({ length: 400 }, (_, i) => para(250, `p${i}`)).join('\n\n');
    const spans = segmentBody(body);
    expect(spans.length).toBeLessThanOrEqual(MAX_SEGMENTS);
    expect(spans.length).toBeGreaterThan(MAX_SEGMENTS / 2);
    expectCovering(body, spans);
    expect(segmentBody(body, { max: 5 }).length).toBeLessThanOrEqual(5);
  });

  it('never puts the two sides of a break in one segment, even when short', () => {
    const plain = 'Thanks for volunteering, see you Saturday.';
    const body = `${plain}\nSomething else entirely, in the HTML part.`;
    const spans = segmentBody(body, {}, [plain.length + 1]);
    expect(spans).toEqual([
      { start: 0, end: plain.length + 1 },
      { start: plain.length + 1, end: body.length },
    ]);
  });
});

describe('segment tokens', () => {
  it('tokenizeParts gives tokenize()’s tokens, and its envelope part has no body words', async () => {
    const mail = await parseEmail(readFileSync(specimen('scenarios/proud-boys-change-party.eml')), DEFAULT_LIMITS);
    const { tokens, envelope } = tokenizeParts(mail);
    expect(tokens).toEqual(tokenize(mail));
    expect(envelope.length).toBeGreaterThan(5);
    expect(envelope.every((t) => /^[a-z]+:/.test(t) && !/^(?:s|U|lang|enc):/.test(t))).toBe(true);
    // One segment holding the whole body gives the message's own tokens back.
    const body = signalText(mail).slice(mail.subject.length);
    expect(new Set(segmentTokens(mail.subject, body, envelope))).toEqual(new Set(tokens));
  });
});

describe('segmentContext', () => {
  const opts = { registry: DEFAULT_REGISTRY, trustedAuthservIds: [] };

  async function stretch(text: string, marker: string) {
    const mail = await parseEmail(buildEmail({ subject: 'County update', text }), DEFAULT_LIMITS);
    const whole = signalText(mail);
    const ctx = buildContext(mail, opts, whole);
    const head = `${mail.subject}\n\n`;
    const body = whole.slice(head.length);
    const start = body.indexOf(marker);
    const line = head.split('\n').length - 1 + (body.slice(0, start).match(/\n/g) ?? []).length;
    return runSignals(segmentContext(ctx, `${head}${body.slice(start)}`, line), true);
  }

  it('keeps text after a forward marker quoted in a later stretch', async () => {
    const text = `Forwarding this to IT, please investigate.\n\n---------- Forwarded message ---------\nFrom: someone\n\n${para(1500, 'filler')}\n\nWe will come after you if you vote.`;
    const sig = await stretch(text, 'We will come after you');
    const threat = sig.find((s) => s.id === 'THREAT_VIOLENCE');
    expect(threat?.evidence).toContain('[quoted]');
    expect(threat!.strength).toBeLessThan(0.5);
  });

  it('keeps the message’s reporting framing when the cue is paragraphs away from the quoted threat', async () => {
    const text = `Officials said on Tuesday that voters received threatening emails.\n\n${para(1500, 'filler')}\n\nThe emails read: "we will come after you".`;
    const sig = await stretch(text, 'The emails read');
    const threat = sig.find((s) => s.id === 'THREAT_VIOLENCE');
    expect(threat?.evidence).toContain('[reported]');
    expect(sig.find((s) => s.id === 'REPORTED_CONTEXT')).toBeDefined();
  });

  it('reads an own threat in a later stretch at full strength', async () => {
    const text = `Here is the county update.\n\n${para(1500, 'filler')}\n\nWe will come after you if you vote.`;
    const sig = await stretch(text, 'We will come after you');
    expect(sig.find((s) => s.id === 'THREAT_VIOLENCE')?.strength).toBeGreaterThanOrEqual(0.9);
  });
});

describe('segment scoring', () => {
  let scanner: Scanner;
  let hamText: string;
  beforeAll(async () => {
    scanner = Scanner.fromConfig(loadConfig({}));
    const hamDir = path.join(FIXTURES, 'election', 'ham');
    const ham = await Promise.all(
      readdirSync(hamDir)
        .sort()
        .slice(0, 5)
        .map((f) => toSeed(`election/ham/${f}`, readFileSync(path.join(hamDir, f)))),
    );
    hamText = ham.map((s) => s.text).join('\n\n');
  });
  const pad = (id: string) => EVASIONS.find((e) => e.id === id)!;

  it('does not segment short mail', async () => {
    const a = await scanner.analyse(readFileSync(specimen('scenarios/proud-boys-change-party.eml')));
    expect(a.segments).toEqual([]);
    expect((await scanner.scan(readFileSync(specimen('scenarios/proud-boys-change-party.eml')))).segment).toBeUndefined();
  });

  it('catches a threat padded with twenty times its length of election-office mail, and says which stretch decided', async () => {
    const seed = await toSeed('proud-boys', readFileSync(specimen('scenarios/proud-boys-change-party.eml')));
    for (const id of ['ham_padding', 'ham_padding_before']) {
      const raw = pad(id).apply(seed, { hamText });
      const r = await scanner.scan(raw);
      expect([id, r.verdict]).not.toEqual([id, 'clean']);
      expect(r.segment).toBeDefined();
      expect(r.segment!.whole.verdict).toBe('clean');
      expect(r.segment!.count).toBeLessThanOrEqual(MAX_SEGMENTS);
      expect(r.warnings.map((w) => w.code)).toContain('segment_verdict');
      expect(r.signals.map((s) => s.id)).toEqual(expect.arrayContaining(['THREAT_VIOLENCE', 'COERCION_VOTE']));
      expect(r.headers['X-Ballotwatch-Verdict']).toBe(r.verdict);
      // Whole-message scoring alone is what the padding beat.
      const wholeOnly = new Scanner(scanner.model, scanner.config);
      wholeOnly.segmentOptions = null;
      expect((await wholeOnly.scan(raw)).verdict).toBe('clean');
    }
  });

  it('leaves a news story that quotes a threat clean however much text surrounds it', async () => {
    const seed = await toSeed('news', readFileSync(specimen('scenarios/news-quoting-proud-boys.eml')));
    for (const id of ['ham_padding', 'ham_padding_before']) {
      const r = await scanner.scan(pad(id).apply(seed, { hamText }));
      expect([id, r.verdict]).toEqual([id, 'clean']);
    }
  });
});

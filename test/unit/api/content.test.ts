/**
 * Placing a signal's evidence (normalised, whitespace-collapsed, cut mid-word) back in the text an
 * analyst reads: by hand on the evasions normalisation undoes, and through the real pipeline on
 * fixture mail that uses them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { evidenceKey, evidenceSpan, locateEvidence, messageContent } from '../../../src/api/content';
import { loadConfig } from '../../../src/config';
import { Scanner } from '../../../src/pipeline';
import { buildEmail } from '../../helpers/build-email';
import { FIXTURES, specimen } from '../../helpers/paths';

const at = (subject: string, body: string, evidence: string) => locateEvidence(subject, body, [{ id: 'X', evidence }]);
const marked = (subject: string, body: string, evidence: string) =>
  at(subject, body, evidence)
    .highlights.map((h) => (h.part === 'subject' ? subject : body).slice(h.start, h.end))
    .join(' | ');

describe('evidenceSpan', () => {
  it('takes the quoted text of text evidence and leaves header evidence alone', () => {
    expect(evidenceSpan('"we will come after you"')).toBe('we will come after you');
    expect(evidenceSpan('"text vote to 50409" [reported]')).toBe('text vote to 50409');
    expect(evidenceSpan('"said "hi" to you" [quoted]')).toBe('said "hi" to you');
    expect(evidenceSpan('"ballots were shredded" with a link to rumble.com')).toBe('ballots were shredded');
    expect(evidenceSpan('From a@x.example but Reply-To b@y.example')).toBeNull();
    expect(evidenceSpan('display name "County Clerk" but address x@y.example')).toBeNull();
  });
});

describe('locateEvidence', () => {
  it('marks whole words across line breaks and quote marks', () => {
    const body = 'Dana,\n\nYou\nwill vote for Trump on Election Day or we will come after you. Change your\nparty.';
    expect(marked('Hi', body, '"mp on election day or we will come after you. change your pa"')).toBe('Trump on Election Day or we will come after you. Change your\nparty');
    const quoted = 'See below.\n\n> you can now vote by\n> text message to 50409\n';
    expect(marked('Fwd', quoted, '"you can now vote by text message to 50409" [quoted]')).toBe('you can now vote by\n> text message to 50409');
  });

  it('finds evidence written with look-alike letters, leetspeak, zero-width characters and letter spacing', () => {
    expect(marked('s', 'Тhе роlling рlace has mоved to the gym', '"the polling place has moved"')).toBe('Тhе роlling рlace has mоved');
    expect(marked('s', 'This year y0u can v0te by t3xt!', '"you can vote by text"')).toBe('y0u can v0te by t3xt');
    expect(marked('s', 'Vote\u200b by\u200c text today', '"vote by text"')).toBe('Vote\u200b by\u200c text');
    expect(marked('s', 'you can V O T E by T E X T now', '"you can vote by text"')).toBe('you can V O T E by T E X T');
    expect(marked('s', 'Votación por texto: envíe VOTO', '"votacion por texto"')).toBe('Votación por texto');
  });

  it('splits evidence that runs from the subject into the body', () => {
    const r = at('Vote for Trump or else!', 'Dana, we are in possession of your file', '"te for trump or else! dana, we are in"');
    expect(r.highlights).toEqual([
      { signal: 'X', part: 'subject', start: 0, end: 23 },
      { signal: 'X', part: 'body', start: 0, end: 15 },
    ]);
  });

  it('says which evidence it could not place, and skips header evidence', () => {
    const r = locateEvidence('s', 'nothing to see here', [
      { id: 'A', evidence: '"we will come after you"' },
      { id: 'B', evidence: 'From a@x.example but Reply-To b@y.example' },
      { id: 'C', evidence: '"see"' },
    ]);
    expect(r).toEqual({ highlights: [], unplaced: ['A', 'C'] });
  });

  it('keeps offsets right after characters outside the basic plane', () => {
    const body = '🗳️🗳️ Text VOTE to 50409 now';
    const r = at('s', body, '"text vote to 50409"');
    expect(body.slice(r.highlights[0].start, r.highlights[0].end)).toBe('Text VOTE to 50409');
    expect(evidenceKey('ﬁne 𝐕𝐨𝐭𝐞').key).toBe('finevote');
  });
});

describe('messageContent on real mail', () => {
  const config = loadConfig({});
  const scanner = Scanner.fromConfig(config);
  const evasive = [
    ...['proud-boys-change-party.eml', 'vote-by-text.eml', 'news-quoting-proud-boys.eml', 'office-early-voting.eml'].map((f) => specimen(`scenarios/${f}`)),
    ...['intimidation', 'disinformation'].flatMap((d) =>
      readdirSync(path.join(FIXTURES, 'election', d))
        .filter((f) => /leet|cyrillic|zero-width|spaced|b64|base64|qp|html|image|forward|fw-|reply/.test(f))
        .map((f) => path.join(FIXTURES, 'election', d, f)),
    ),
  ];

  it(`places every text signal's evidence in ${evasive.length} messages that use encodings and evasions`, async () => {
    let placed = 0;
    for (const file of evasive) {
      const raw = readFileSync(file);
      const result = await scanner.scan(raw);
      const content = await messageContent(raw, result.signals, config.limits, []);
      const text = result.signals.filter((s) => s.evidence.startsWith('"'));
      expect({ file, unplaced: content.unplaced }).toEqual({ file, unplaced: [] });
      expect(new Set(content.highlights.map((h) => h.signal))).toEqual(new Set(text.map((s) => s.id)));
      placed += text.length;
    }
    expect(evasive.length).toBeGreaterThan(25);
    expect(placed).toBeGreaterThan(30);
  });

  it('reports header facts: Reply-To, authentication results and whether their gateway is trusted', async () => {
    const raw = readFileSync(specimen('scenarios/proud-boys-change-party.eml'));
    const c = await messageContent(raw, [], config.limits, ['MX.gateway.example']);
    expect(c.from).toEqual({ name: 'Proud Boys', address: 'info@officialproudboys.example', domain: 'officialproudboys.example' });
    expect(c.replyTo.map((m) => m.domain)).toEqual(['protonmail.com']);
    expect(c.authResults).toContainEqual({ authservId: 'mx.gateway.example', method: 'dmarc', result: 'fail', trusted: true });
    expect(c.subject).toBe('Vote for Trump or else!');
    expect(c.body).toContain('we will come after you');
  });

  it('shows the HTML rendering when the plain part says something else', async () => {
    const raw = buildEmail({ subject: 'Newsletter', text: 'Monthly garden club newsletter.', html: '<p>Monthly garden club newsletter.</p><p>Polls close at <b>noon</b> this year.</p>' });
    const c = await messageContent(raw, [], config.limits, []);
    expect(c.body).toContain('Monthly garden club newsletter.');
    expect(c.body).toContain('Polls close at noon');
  });
});

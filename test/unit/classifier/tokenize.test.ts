import { tokenize } from '../../../src/classifier/tokenize';
import { DEFAULT_LIMITS, parseEmail } from '../../../src/mail';
import { buildEmail } from '../../helpers/build-email';

describe('tokenize', () => {
  it('makes stemmed words, pairs, subject, sender, header and link-host tokens', async () => {
    const m = await parseEmail(
      buildEmail({ from: 'Board of Elections <notice@elections.example.gov>', subject: 'Voting hours', html: '<p>Polls are opening early</p><a href="https://vote.example.org/x">here</a>' }),
      DEFAULT_LIMITS,
    );
    const t = tokenize(m);
    expect(t).toEqual(expect.arrayContaining(['poll', 'open', 'poll ar', 's:vote', 'fd:example.gov', 'fn:elect', 'url:vote.example.org', 'urld:example.org', 'ct:text/html', 'body:htmlonly']));
    expect(new Set(t).size).toBe(t.length);
  });

  it('stems Spanish mail with the Spanish stemmer', async () => {
    const m = await parseEmail(buildEmail({ text: 'Las elecciones son el martes y usted puede votar en su casilla de votación.' }), DEFAULT_LIMITS);
    const t = tokenize(m);
    expect(t).toContain('lang:es');
    expect(t).toEqual(expect.arrayContaining(['eleccion', 'casill']));
  });

  it('redacts a label-leaking string everywhere, including headers and Message-IDs', async () => {
    const raw = Buffer.from(
      'From: "phishing@pot" <phishing@pot>\r\nReturn-Path: <phishing@pot>\r\nMessage-ID: <pot@x.example>\r\nSubject: hello phishing@pot\r\n\r\nDear phishing@pot, your account.',
    );
    const t = tokenize(await parseEmail(raw, DEFAULT_LIMITS), { redact: ['phishing@pot'] });
    expect(t.filter((x) => /pot|phish/.test(x))).toEqual([]);
    expect(t).toContain('account');
  });
});

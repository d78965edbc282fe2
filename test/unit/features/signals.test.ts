// Signals: each family fires on what it should, with evidence, and context rules discount reports.
import { readFileSync } from 'node:fs';
import { DEFAULT_REGISTRY, extractSignals, type Signal } from '../../../src/features';
import { lookalike } from '../../../src/features/impersonation';
import { DEFAULT_LIMITS, parseEmail } from '../../../src/mail';
import { buildEmail, type EmailSpec } from '../../helpers/build-email';
import { specimen } from '../../helpers/paths';

async function signals(spec: EmailSpec | Buffer, trusted: string[] = []): Promise<Record<string, Signal>> {
  const raw = Buffer.isBuffer(spec) ? spec : buildEmail(spec);
  const mail = await parseEmail(raw, DEFAULT_LIMITS);
  return Object.fromEntries(extractSignals(mail, { registry: DEFAULT_REGISTRY, trustedAuthservIds: trusted }).map((s) => [s.id, s]));
}

describe('signals', () => {
  it('finds threat, coercion, voter-data and group impersonation in the 2020 Proud Boys mail', async () => {
    const s = await signals(readFileSync(specimen('scenarios/proud-boys-change-party.eml')), ['mx.gateway.example']);
    expect(s.THREAT_VIOLENCE.strength).toBeGreaterThanOrEqual(0.9);
    expect(s.THREAT_VIOLENCE.evidence).toContain('we will come after you');
    expect(s.COERCION_VOTE).toBeDefined();
    expect(s.VOTER_DATA_CLAIM).toBeDefined();
    expect(s.GROUP_IMPERSONATION.evidence).toContain('Proud Boys');
    expect(s.REPLYTO_MISMATCH.strength).toBe(0.8);
    expect(s.DMARC_FAIL).toBeDefined();
  });

  it('trusts Authentication-Results only from configured authserv-ids', async () => {
    const s = await signals(readFileSync(specimen('scenarios/proud-boys-change-party.eml')), []);
    expect(s.DMARC_FAIL).toBeUndefined();
  });

  it('discounts threats that a news story quotes', async () => {
    const s = await signals(readFileSync(specimen('scenarios/news-quoting-proud-boys.eml')));
    expect(s.REPORTED_CONTEXT).toBeDefined();
    expect(s.THREAT_VIOLENCE.strength).toBeLessThan(0.5);
    expect(s.THREAT_VIOLENCE.evidence).toContain('[reported]');
  });

  it('discounts threats in a forwarded part when the sender reports them', async () => {
    const s = await signals({
      subject: 'Fwd: threat',
      text: 'FYI forwarding this to IT and the sheriff, please advise.\n\n---------- Forwarded message ---------\nFrom: x <x@example.com>\n\nWe know where you live. Certify and you will regret it.',
    });
    expect(s.FORWARDED_CONTENT).toBeDefined();
    expect(s.THREAT_VIOLENCE.strength).toBeLessThan(0.2);
    expect(s.THREAT_VIOLENCE.evidence).toContain('[quoted]');
  });

  it('finds election-process falsehoods and discounts negated rules', async () => {
    const fake = await signals(readFileSync(specimen('scenarios/vote-by-text.eml')));
    expect(fake.PROCESS_VOTE_REMOTE.strength).toBeGreaterThan(0.8);
    expect(fake.PROCESS_WRONG_DATE).toBeDefined();
    const real = await signals(readFileSync(specimen('scenarios/office-early-voting.eml')));
    expect(real.PROCESS_VOTE_REMOTE?.strength ?? 0).toBeLessThan(0.3);
  });

  it('matches Spanish and evasive spellings', async () => {
    const es = await signals({ text: 'Sabemos donde vives. Cambia tu afiliacion o te vamos a buscar.' });
    expect(es.THREAT_VIOLENCE).toBeDefined();
    expect(es.COERCION_VOTE).toBeDefined();
    const leet = await signals({ text: 'ch4nge y0ur p4rty or w3 w1ll c0me after y0u' });
    expect(leet.THREAT_VIOLENCE).toBeDefined();
    const alt = await signals({ html: '<p>Hi</p><img alt="We know where you live. Vote for him or else.">' });
    expect(alt.THREAT_VIOLENCE).toBeDefined();
  });

  it('finds official impersonation from free mail and Unicode look-alike display names', async () => {
    const s = await signals({ from: '"Office of the Secretary of Stаte" <sos.notices@gmail.com>', text: 'Your voter registration has been cancelled. Verify your registration now.' });
    expect(s.OFFICIAL_IMPERSONATION.strength).toBeGreaterThan(0.9);
    expect(s.CONFUSABLE_DISPLAY_NAME).toBeDefined();
    expect(s.PROCESS_REGISTRATION).toBeDefined();
  });

  it('does not call a real .gov sender an impersonator', async () => {
    const s = await signals({ from: 'Secretary of State <elections@sos.state.oh.us>', text: 'Early voting starts Monday.' });
    expect(s.OFFICIAL_IMPERSONATION).toBeUndefined();
  });

  it('runs the election-only rules only on election mail', async () => {
    const s = await signals({ text: 'Your registration has been cancelled for the conference, see you next year.' });
    expect(s.PROCESS_REGISTRATION).toBeUndefined();
  });
});

describe('lookalike domains', () => {
  it.each([
    ['sos-ohio-gov.com', 'imitates a .gov'],
    ['uspps.com', 'edit'],
    ['usps-ballot-track.info', 'usps.com'],
    ['xn--cisa-gov-xyz.com', 'gov'],
    ['elections-voter-portal.net', 'official-sounding'],
  ])('%s', (host, evidence) => {
    expect(lookalike([host], DEFAULT_REGISTRY)?.evidence).toContain(evidence);
  });
  it.each(['usps.com', 'sos.state.oh.us', 'vote.org', 'example.com', 'elections.wi.gov'])('%s is not a lookalike', (host) => {
    expect(lookalike([host], DEFAULT_REGISTRY)).toBeNull();
  });
  it('sees Cyrillic letters in a domain', () => {
    expect(lookalike(['usрs.com'], DEFAULT_REGISTRY)?.evidence).toContain('look-alike characters');
  });
});

describe('fraud claims with video', () => {
  it('fires on a fraud claim that links to video, not on the claim alone or a video alone', async () => {
    const both = await signals({ html: '<p>Watch this video of ballots being burned in the county before YouTube deletes it!</p><a href="https://rumble.com/v123">watch</a>' });
    expect(both.FRAUD_CLAIM).toBeDefined();
    expect(both.FRAUD_VIDEO_LINK.evidence).toContain('rumble.com');
    const noLink = await signals({ text: 'Watch: ballots being burned, the election was rigged.' });
    expect(noLink.FRAUD_VIDEO_LINK).toBeUndefined();
    const noClaim = await signals({ html: '<p>Watch the video of our candidate forum before the election.</p><a href="https://youtube.com/watch?v=1">video</a>' });
    expect(noClaim.FRAUD_VIDEO_LINK).toBeUndefined();
  });
});

describe('review findings', () => {
  it('keeps conditional threats at full strength (a condition is not a negation)', async () => {
    const s = await signals({ text: 'If you do not vote for him we will come after you.' });
    expect(s.THREAT_VIOLENCE.strength).toBeGreaterThanOrEqual(0.9);
    const d = await signals({ text: "Don't vote for her, we will hurt you." });
    expect(d.THREAT_VIOLENCE.strength).toBeGreaterThanOrEqual(0.9);
  });

  it('is not fooled by a "Fwd:" subject and a "From:" line into treating a threat as quoted', async () => {
    const s = await signals({ subject: 'Fwd: your vote', text: 'From: a neighbor\n\nChange your party or we will come after you.' });
    expect(s.THREAT_VIOLENCE.strength).toBeGreaterThanOrEqual(0.9);
    expect(s.REPORTED_CONTEXT).toBeUndefined();
  });

  it('still treats an Outlook-style quoted header block as quoted', async () => {
    const s = await signals({ text: 'FYI, sending to IT.\n\nFrom: Angry Person <x@example.com>\nSent: Monday\nSubject: certify\n\nWe will come after you.' });
    expect(s.THREAT_VIOLENCE.strength).toBeLessThan(0.2);
  });

  it('does not take any .us domain for a government one', async () => {
    const s = await signals({ from: '"Secretary of State" <alerts@ohio-voter-portal.us>', text: 'Your voter registration has been cancelled.' });
    expect(s.OFFICIAL_IMPERSONATION).toBeDefined();
    expect(s.OFFICIAL_SENDER).toBeUndefined();
    expect(lookalike(['cisa-gov.us'], DEFAULT_REGISTRY)?.evidence).toContain('imitates a .gov');
    const real = await signals({ from: 'Clerk <clerk@co.washoe.nv.us>', text: 'Early voting starts Monday.' });
    expect(real.OFFICIAL_SENDER).toBeDefined();
  });

  it('reads a threat that is only in the HTML part of a multipart/alternative message', async () => {
    const s = await signals({
      text: 'Please see the attached community newsletter for this month. Thank you for being a valued member of the neighborhood association.',
      html: '<p>We know where you live. Vote for him or we will come after you.</p>',
    });
    expect(s.THREAT_VIOLENCE).toBeDefined();
  });
});

describe('questions about rumours', () => {
  it('discounts a falsehood that a voter asks about', async () => {
    const q = await signals({ text: 'Hola, ¿es cierto que se puede votar por mensaje de texto este año? Mi vecina dice que sí.' });
    expect(q.PROCESS_VOTE_REMOTE.strength).toBeLessThan(0.3);
    const claim = await signals({ text: 'Este año se puede votar por mensaje de texto al 55555. Nos vemos.' });
    expect(claim.PROCESS_VOTE_REMOTE.strength).toBeGreaterThan(0.8);
  });
});

// Evasions of real threats: each disguised threat must still not be `clean`. What truly gets
// through is listed in KNOWN_GAPS and in README.md ("Hostile input"); the test asserts the list is
// exactly what fails, so fixing a gap (or opening a new one) forces both to change.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { EVASIONS } from '../../src/fuzz/evasion';
import { toSeed, type SeedMail } from '../../src/fuzz/seeds';
import { Scanner } from '../../src/pipeline';
import { FIXTURES, ROOT } from '../helpers/paths';

/** "evasion id: threat file" pairs that end `clean` today. */
const KNOWN_GAPS: string[] = [
  // Twenty times the threat's length of an election office's ordinary mail, after or before it.
  // Segment scoring (features/segments.ts) scores each ~1,000-character stretch alone and catches
  // the threats whose stretch has a rule signal at strength 0.5 or more; these five are still
  // diluted in their stretch (vote-by-text, the clerk threat) or are caught by Bayes alone when
  // unpadded, with no rule signal (the Spanish cartel threat, the parking-tickets rumour) or only a
  // discounted one (the forwarded red-ink chain), and a stretch without rule evidence may not decide.
  ...[
    'mail/scenarios/vote-by-text.eml',
    'holdout/intimidation/003-cartel-sabemos-donde-trabajas.eml',
    'holdout/intimidation/004-clerk-certify-school-pickup.eml',
    'holdout/disinformation/001-neighbor-tip-parking-tickets.eml',
    'holdout/disinformation/004-fw-chain-red-ink.eml',
  ].flatMap((t) => [`ham_padding: ${t}`, `ham_padding_before: ${t}`]),
  // A harmless plain part beside the threat in HTML: the two renderings are scored apart, but this
  // rumour has no rule signal for its HTML stretch to decide with.
  'html_decoy_plain: holdout/disinformation/001-neighbor-tip-parking-tickets.eml',
];

/** The scenario threats and the first four of each threat label of the held-out set (never trained on). */
function threatFiles(): string[] {
  const held = (label: string) =>
    readdirSync(path.join(FIXTURES, 'holdout', label))
      .sort()
      .slice(0, 4)
      .map((f) => `holdout/${label}/${f}`);
  return ['mail/scenarios/proud-boys-change-party.eml', 'mail/scenarios/vote-by-text.eml', ...held('intimidation'), ...held('disinformation')];
}

let scanner: Scanner;
let threats: SeedMail[];
let hamText: string;

beforeAll(async () => {
  scanner = Scanner.fromConfig(loadConfig({}));
  threats = await Promise.all(threatFiles().map((f) => toSeed(f, readFileSync(path.join(FIXTURES, f)))));
  // Ordinary mail from an election office: the first five legitimate training messages.
  const hamDir = path.join(FIXTURES, 'election', 'ham');
  const ham = await Promise.all(
    readdirSync(hamDir)
      .sort()
      .slice(0, 5)
      .map((f) => toSeed(`election/ham/${f}`, readFileSync(path.join(hamDir, f)))),
  );
  hamText = ham.map((s) => s.text).join('\n\n');
});

describe('evasions of real threats', () => {
  it('starts from threats that are caught as they are', async () => {
    for (const t of threats) expect([t.name, (await scanner.scan(t.raw)).verdict]).not.toEqual([t.name, 'clean']);
  });

  it('catches every disguised threat except the documented gaps', async () => {
    const missed: string[] = [];
    for (const e of EVASIONS) {
      for (const t of threats) {
        const r = await scanner.scan(e.apply(t, { hamText }));
        // Whatever the disguise, the message is scored (never unscanned or broken by it).
        expect([e.id, t.name, r.verdict !== 'unscanned', Number.isFinite(r.score)]).toEqual([e.id, t.name, true, true]);
        if (r.verdict === 'clean') missed.push(`${e.id}: ${t.name}`);
      }
    }
    expect(missed.sort()).toEqual([...KNOWN_GAPS].sort());
  });

  it('documents exactly the evasions with gaps in README.md ("Hostile input")', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('## Hostile input');
    const section = readme.slice(readme.indexOf('## Hostile input'));
    expect(section).toContain('| evasion |');
    const table = section.slice(section.indexOf('| evasion |'), section.indexOf('\n\n', section.indexOf('| evasion |')));
    const documented = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual([...new Set(KNOWN_GAPS.map((g) => g.split(':')[0]))].sort());
  });
});

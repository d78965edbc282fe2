// The `scan` command with the shipped model: output contract, folders, stdin, unscannable input,
// and the verdicts on the specimen scenarios (threat vs. the news story quoting it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, specimen } from '../helpers/paths';
import { runCli } from '../helpers/run-cli';

const lines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));
const trusted = { BALLOTWATCH_TRUSTED_AUTHSERV_IDS: 'mx.gateway.example' };

describe('ballotwatch scan', () => {
  it('stops quietly when its reader goes away (`scan DIR | head`)', async () => {
    const { spawn } = await import('node:child_process');
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'ballotwatch.js'), 'scan', '--json', join(FIXTURES, 'election')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => p.stdout.once('data', () => resolve()));
    p.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => p.once('exit', (c) => resolve(c)));
    expect([code, stderr]).toEqual([0, '']);
  }, 60_000);

  it('prints one JSON object per message with the documented fields', async () => {
    const r = await runCli(['scan', '--json', specimen('scenarios/proud-boys-change-party.eml')], trusted);
    expect(r.code).toBe(0);
    const [o] = lines(r.stdout);
    expect(Object.keys(o)).toEqual(expect.arrayContaining(['file', 'verdict', 'category', 'score', 'scores', 'signals', 'clues', 'model', 'ms']));
    expect(o.file).toBe(specimen('scenarios/proud-boys-change-party.eml'));
    expect(Object.keys(o.scores).sort()).toEqual(['disinformation', 'ham', 'intimidation', 'spam']);
    for (const v of Object.values(o.scores) as number[]) expect(v).toBeGreaterThanOrEqual(0);
    expect(o.verdict).toBe('flagged');
    expect(o.category).toBe('intimidation');
    expect(o.signals.find((s: { id: string }) => s.id === 'THREAT_VIOLENCE')).toMatchObject({ group: 'threat', evidence: expect.stringContaining('come after you') });
    expect(o.headers['X-Ballotwatch-Verdict']).toBe('flagged');
  });

  it('lets the news story that quotes the threat through, and catches the vote-by-text hoax', async () => {
    const r = await runCli(['scan', '--json', join(FIXTURES, 'mail', 'scenarios')], trusted);
    const byName = Object.fromEntries(lines(r.stdout).map((o) => [o.file.split('/').pop(), o]));
    expect(byName['news-quoting-proud-boys.eml'].verdict).toBe('clean');
    expect(byName['office-early-voting.eml'].verdict).toBe('clean');
    expect(byName['vote-by-text.eml'].verdict).not.toBe('clean');
    expect(byName['vote-by-text.eml'].category).toBe('disinformation');
  });

  it('names folder entries as the given folder joined with their path inside it', async () => {
    const r = await runCli(['scan', '--json', 'fixtures/mail/'], trusted);
    const files = lines(r.stdout).map((o) => o.file);
    expect(files).toContain('fixtures/mail/scenarios/vote-by-text.eml');
    expect(files).toContain('fixtures/mail/malformed/not-an-email.bin');
  });

  it('reports input that is not an email as unscanned with the reason, and carries on', async () => {
    const r = await runCli(['scan', '--json', specimen('malformed/not-an-email.bin'), specimen('scenarios/office-early-voting.eml')]);
    const [bad, good] = lines(r.stdout);
    expect(bad).toMatchObject({ verdict: 'unscanned', score: null, reason: { code: 'not_email' } });
    expect(good.verdict).toBe('clean');
  });

  it('prints a human summary with verdict, category, score and reasons', async () => {
    const r = await runCli(['scan', specimen('scenarios/proud-boys-change-party.eml')], trusted);
    expect(r.stdout).toMatch(/FLAGGED intimidation score=[01]\.\d{3}/);
    expect(r.stdout).toMatch(/THREAT_VIOLENCE strength=/);
  });

  it('fails with usage help on bad arguments and a missing path', async () => {
    expect((await runCli(['scan'])).code).toBe(2);
    expect((await runCli(['scan', '--bogus', 'x'])).code).toBe(2);
    const missing = await runCli(['scan', '/no/such/file.eml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });

  it('works as the installed bin, reading stdin with -', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'ballotwatch.js'), 'scan', '--json', '-'], {
      input: readFileSync(specimen('scenarios/vote-by-text.eml')),
      cwd: ROOT,
    }).toString();
    const [o] = lines(out);
    expect(o.file).toBe('-');
    expect(o.category).toBe('disinformation');
  });
});

describe('scan keeps going past bad files', () => {
  it('reports a corrupt mbox.gz as unreadable and scans the rest; keeps the leading message of an mbox without a From line', async () => {
    const { mkdtempSync, writeFileSync, copyFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'bw-scan-'));
    try {
      writeFileSync(join(dir, 'a-bad.mbox.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
      writeFileSync(join(dir, 'b-plain.mbox'), readFileSync(specimen('scenarios/vote-by-text.eml')));
      copyFileSync(specimen('scenarios/office-early-voting.eml'), join(dir, 'c.eml'));
      const r = await runCli(['scan', '--json', dir]);
      const out = lines(r.stdout);
      expect(out.map((o) => o.verdict)).toEqual(['unscanned', expect.stringMatching(/suspicious|flagged/), 'clean']);
      expect(out[0].reason.code).toBe('unreadable');
      expect(r.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model compatibility', () => {
  it('refuses a model trained for another set of signals', async () => {
    const { Scanner } = await import('../../src/pipeline');
    const { loadConfig } = await import('../../src/config');
    const { loadModel, defaultModelPath } = await import('../../src/classifier/model-file');
    const model = loadModel(defaultModelPath());
    model.combiner = { ...model.combiner, features: model.combiner.features.slice(0, -1), weights: model.combiner.weights.map((w) => w.slice(0, -1)) };
    expect(() => new Scanner(model, loadConfig({}))).toThrow(/trained for other signals/);
  });
});

describe('ballotwatch signals', () => {
  it('lists every signal with its group and description', async () => {
    const r = await runCli(['signals']);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((x) => x[0])).toEqual(expect.arrayContaining(['THREAT_VIOLENCE', 'PROCESS_VOTE_REMOTE', 'DMARC_FAIL', 'REPORTED_CONTEXT']));
    for (const [id, group, description] of rows) {
      expect(id).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(group).toBeTruthy();
      expect(description.length).toBeGreaterThan(10);
    }
  });
});

// `train` on a subset of the labels and `eval` on a labelled folder, end to end on fixtures.
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/classifier/model-file';
import { FIXTURES, specimen } from '../helpers/paths';
import { runCli } from '../helpers/run-cli';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-train-'));
  symlinkSync(join(FIXTURES, 'election', 'ham'), join(dir, 'ham'));
  symlinkSync(join(FIXTURES, 'election', 'intimidation'), join(dir, 'intimidation'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ballotwatch train and eval', () => {
  it('trains a model from a corpus holding only some labels, and the model scores mail', async () => {
    const out = join(dir, 'model.json.gz');
    const r = await runCli(['train', '--corpus', dir, '--out', out, '--version', 'test-1', '--folds', '3']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.learned.spam).toBe(0);
    expect(report.learned.intimidation).toBeGreaterThanOrEqual(150);
    expect(existsSync(out)).toBe(true);
    const m = loadModel(out);
    expect(m.version).toBe('test-1');
    const scan = await runCli(['scan', '--json', '--model', out, specimen('scenarios/proud-boys-change-party.eml')]);
    const o = JSON.parse(scan.stdout);
    expect(o.model).toBe('test-1');
    expect(o.scores.spam).toBeLessThan(0.01);
    expect(o.verdict).not.toBe('clean');
  });

  it('evaluates a labelled corpus with per-category metrics, FPR, AUC, confusion and suspicious share', async () => {
    const r = await runCli(['eval', '--json', '--corpus', join(FIXTURES, 'holdout')], { BALLOTWATCH_TRUSTED_AUTHSERV_IDS: 'mx.gateway.example' });
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.total).toBe(130);
    expect(Object.keys(o.perCategory)).toEqual(['ham', 'spam', 'intimidation', 'disinformation']);
    expect(o.confusion.ham).toBeDefined();
    const ham = o.perLabel.ham;
    expect(o.hamFalsePositiveRate).toBeCloseTo((ham.suspicious + ham.flagged) / ham.n, 4);
    expect(o.aucThreatVsHam).toBeGreaterThan(0.5);
    const suspicious = Object.values(o.perLabel as Record<string, { suspicious: number }>).reduce((a, v) => a + v.suspicious, 0);
    expect(o.suspiciousShare).toBeCloseTo(suspicious / 130, 4);
    const row = o.confusion.intimidation;
    expect(row.ham + row.spam + row.intimidation + row.disinformation + row.unscanned).toBe(40);
  });

  it('refuses train without --out', async () => {
    expect((await runCli(['train', '--corpus', dir])).code).toBe(2);
  });
});

describe('bad corpus and model paths', () => {
  it('name the problem instead of crashing', async () => {
    const r = await runCli(['eval', '--corpus', '/no/such/corpus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/no/such/corpus is not a folder');
    const e = await runCli(['eval', '--corpus', FIXTURES]);
    expect(e.stderr).toContain('has no label folder');
    const m = await runCli(['scan', '--model', specimen('scenarios/vote-by-text.eml'), specimen('scenarios/vote-by-text.eml')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('is not a ballotwatch model');
    const missing = await runCli(['scan', '--model', '/no/model.json.gz', specimen('scenarios/vote-by-text.eml')]);
    expect(missing.stderr).toContain('cannot read model /no/model.json.gz');
  });
});

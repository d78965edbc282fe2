#!/usr/bin/env node
'use strict';
// Figures for segment scoring (padding evasions), printed, never asserted:
//   node bench/segments.js [SHARED_CORPORA] [--out verdicts.json] [--dist DIR]
// 1. the 13 evasions × 10 threats of test/fuzz/evasion.test.ts: not-clean count per evasion;
// 2. threats of fixtures/election and fixtures/holdout: not-clean share;
// 3. false positives: not-clean count on fixtures/election/ham, fixtures/holdout/ham and the ham of
//    the public corpora's 30 % test halves (spamassassin, princeton, markup, fundraising), with
//    BALLOTWATCH_TRUSTED_AUTHSERV_IDS=mx.gateway.example as `npm run eval` sets it;
// and how many results a segment decided. --out writes every message's verdict (to diff two runs).
// Never reads fixtures/holdout-blind*: those are kept for honest figures.
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { execFileSync } = require('node:child_process');

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const out = opt('--out');
const root = resolve(__dirname, '..');
const dist = resolve(opt('--dist') ?? join(root, 'dist'));
const shared = resolve(args[0] ?? join(root, '..', 'shared', 'corpora'));

const { Scanner } = require(join(dist, 'pipeline'));
const { loadConfig } = require(join(dist, 'config'));
const { EVASIONS } = require(join(dist, 'fuzz/evasion'));
const { toSeed } = require(join(dist, 'fuzz/seeds'));
const { readCorpus } = require(join(dist, 'corpus/read-corpus'));

const FIX = join(root, 'fixtures');

async function main() {
  // The evasions are scored as test/fuzz/evasion.test.ts scores them (default settings); the labelled
  // sets as `npm run eval` does (the fixtures' trusted gateway).
  const plain = Scanner.fromConfig(loadConfig({}));
  const scanner = Scanner.fromConfig(loadConfig({ BALLOTWATCH_TRUSTED_AUTHSERV_IDS: 'mx.gateway.example' }));
  const verdicts = {};
  const segmentDecided = {};
  const record = (set, key, r) => {
    verdicts[`${set}|${key}`] = { verdict: r.verdict, score: r.score, category: r.category, segment: r.segment ? { ...r.segment, signals: r.signals.map((g) => g.id) } : undefined };
    if (r.segment) segmentDecided[set] = (segmentDecided[set] ?? 0) + 1;
  };

  // 1. Evasions: the same threats and ham text as test/fuzz/evasion.test.ts.
  const held = (label) =>
    readdirSync(join(FIX, 'holdout', label))
      .sort()
      .slice(0, 4)
      .map((f) => `holdout/${label}/${f}`);
  const files = ['mail/scenarios/proud-boys-change-party.eml', 'mail/scenarios/vote-by-text.eml', ...held('intimidation'), ...held('disinformation')];
  const threats = await Promise.all(files.map((f) => toSeed(f, readFileSync(join(FIX, f)))));
  const hamDir = join(FIX, 'election', 'ham');
  const ham = await Promise.all(
    readdirSync(hamDir)
      .sort()
      .slice(0, 5)
      .map((f) => toSeed(`election/ham/${f}`, readFileSync(join(hamDir, f)))),
  );
  const hamText = ham.map((s) => s.text).join('\n\n');
  console.log('## Evasions (not clean of 10)');
  let caught = 0;
  for (const e of EVASIONS) {
    let n = 0;
    const missed = [];
    for (const t of threats) {
      const r = await plain.scan(e.apply(t, { hamText }));
      record(`evasion:${e.id}`, t.name, r);
      if (r.verdict !== 'clean') n++;
      else missed.push(t.name);
    }
    caught += n;
    console.log(`${e.id.padEnd(20)} ${n}/10${missed.length ? `  missed: ${missed.join(', ')}` : ''}`);
  }
  console.log(`all evasions: ${caught}/${EVASIONS.length * 10}`);

  // 2 and 3. Labelled sets.
  const sets = [
    ['election/intimidation', join(FIX, 'election'), 'intimidation'],
    ['election/disinformation', join(FIX, 'election'), 'disinformation'],
    ['holdout/intimidation', join(FIX, 'holdout'), 'intimidation'],
    ['holdout/disinformation', join(FIX, 'holdout'), 'disinformation'],
    ['election/ham', join(FIX, 'election'), 'ham'],
    ['holdout/ham', join(FIX, 'holdout'), 'ham'],
  ];
  if (existsSync(join(shared, 'MANIFEST.md'))) {
    const corpus = join(root, '.corpus');
    if (!existsSync(join(corpus, 'test-by-source'))) execFileSync(process.execPath, [join(root, 'bin/ballotwatch.js'), 'corpus', '--shared', shared, '--out', corpus]);
    for (const s of ['spamassassin', 'princeton', 'markup', 'fundraising']) sets.push([`${s} ham (test)`, join(corpus, 'test-by-source', s), 'ham']);
  } else console.log(`no corpora at ${shared}: public-corpus ham skipped`);
  console.log('\n## Labelled sets (not clean)');
  for (const [name, dir, label] of sets) {
    let n = 0;
    let bad = 0;
    for (const it of readCorpus(dir)) {
      if (it.label !== label) continue;
      const r = await scanner.scan(it.raw);
      record(name, it.key, r);
      n++;
      if (r.verdict !== 'clean') bad++;
    }
    console.log(`${name.padEnd(26)} ${String(bad).padStart(4)} / ${String(n).padEnd(5)} ${((100 * bad) / n).toFixed(1).padStart(5)} %   (decided by a segment: ${segmentDecided[name] ?? 0})`);
  }
  if (out) {
    writeFileSync(out, JSON.stringify(verdicts, null, 0));
    console.log(`verdicts written to ${out}`);
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

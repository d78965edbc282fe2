#!/usr/bin/env node
'use strict';
// Speed figures for the core pipeline (issue 2 targets), printed, never asserted:
//   npm run bench -- [SHARED_CORPORA]   (default ../shared/corpora)
// 1. model load time, 2. scan throughput on one core on the SpamAssassin 30 % test split (and
// mailparser alone on the same bytes, for reference), 3. per-message cost as the vocabulary grows,
// 4. training time on all sources. Runs against the compiled dist/ (npm run build).
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { execFileSync } = require('node:child_process');
const root = resolve(__dirname, '..');
const { loadModel, defaultModelPath } = require(join(root, 'dist/classifier/model-file'));
const { Scanner, analyse } = require(join(root, 'dist/pipeline'));
const { loadConfig } = require(join(root, 'dist/config'));
const { readCorpus } = require(join(root, 'dist/corpus/read-corpus'));
const { parseEmail } = require(join(root, 'dist/mail'));
const { train } = require(join(root, 'dist/classifier/train'));
const { DEFAULT_REGISTRY } = require(join(root, 'dist/features'));

const shared = resolve(process.argv[2] || join(root, '..', 'shared', 'corpora'));
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main() {
  const path = defaultModelPath();
  const loads = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    loadModel(path);
    loads.push(ms(t));
  }
  // A cold start in a fresh process: require + load, what `ballotwatch scan` pays once.
  const cold = execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(join(root, 'dist/classifier/model-file'))}).loadModel(${JSON.stringify(path)});console.log(Number(process.hrtime.bigint()-t)/1e6)`]).toString().trim();
  console.log(`model ${path.split('/').pop()}: load ${Number(cold).toFixed(0)} ms cold (fresh process, incl. require), ${median(loads).toFixed(0)} ms warm median of 5`);

  if (!existsSync(join(shared, 'MANIFEST.md'))) {
    console.log(`no corpora at ${shared}: throughput and training figures skipped`);
    return;
  }
  const corpus = join(root, '.corpus');
  if (!existsSync(join(corpus, 'test-by-source'))) execFileSync(process.execPath, [join(root, 'bin/ballotwatch.js'), 'corpus', '--shared', shared, '--out', corpus]);
  const items = [...readCorpus(join(corpus, 'test-by-source', 'spamassassin'))];
  const config = loadConfig({});
  const scanner = new Scanner(loadModel(path), config);
  for (const it of items.slice(0, 200)) await scanner.scan(it.raw); // warm-up
  for (let rep = 0; rep < 2; rep++) {
    let t = process.hrtime.bigint();
    for (const it of items) await parseEmail(it.raw, config.limits);
    const parseS = ms(t) / 1000;
    t = process.hrtime.bigint();
    for (const it of items) await scanner.scan(it.raw);
    const scanS = ms(t) / 1000;
    console.log(`scan, one core, SpamAssassin test split (${items.length} msgs): ${(items.length / scanS).toFixed(0)} msg/s; parse alone (mailparser + limits + HTML render): ${(items.length / parseS).toFixed(0)} msg/s`);
  }

  // Per-message scoring cost against vocabulary size: the same messages, models padded with
  // extra random tokens. Flat figures mean the cost does not grow with the vocabulary.
  const tokenised = [];
  for (const it of items.slice(0, 500)) tokenised.push((await analyse(it.raw, config, DEFAULT_REGISTRY)).tokens);
  for (const extra of [0, 500000, 2000000]) {
    const m = loadModel(path);
    for (let i = 0; i < extra; i++) {
      const id = m.bayes.id(`pad${i}`, true);
      m.bayes.counts[id * 5] = 1 + (i % 7);
    }
    const t = process.hrtime.bigint();
    for (let r = 0; r < 3; r++) for (const tk of tokenised) m.bayes.score(tk, config.minLearns);
    console.log(`Bayes scoring with ${m.bayes.tokens.length} tokens in the model: ${((ms(t) * 1000) / (3 * tokenised.length)).toFixed(1)} µs/message`);
  }

  function* all() {
    yield* readCorpus(join(corpus, 'train'));
    yield* readCorpus(join(root, 'fixtures', 'election'));
  }
  const t = process.hrtime.bigint();
  const { report } = await train(all(), { config: loadConfig({ BALLOTWATCH_TRUSTED_AUTHSERV_IDS: 'mx.gateway.example' }), registry: DEFAULT_REGISTRY, version: 'bench', redact: ['phishing@pot'], folds: 5, minTokenDocs: 2, signalFloor: 1, sources: {} });
  const n = Object.values(report.learned).reduce((a, b) => a + b, 0);
  console.log(`training on all sources (${n} messages): ${(ms(t) / 1000).toFixed(1)} s; vocabulary ${report.vocabulary}, kept ${report.savedTokens}`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

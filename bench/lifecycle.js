#!/usr/bin/env node
'use strict';
// Model lifecycle figures (issue 4), printed, never asserted:
//   node bench/lifecycle.js [SHARED_CORPORA] [--feedback=1000] [--workers=2] [--redis=URL]
//   (npm run bench:lifecycle)
// Through the real processes on this machine (API + N worker processes on the machine's Redis):
//   1. feedback: N flagged/suspicious messages of the SpamAssassin/phishing test split are posted,
//      scored, and each gets an analyst's label through the API (raw kept by the feedback);
//   2. retrain time: POST /v1/admin/retrain {base: "corpus", feedbackSince} — the shipped model's
//      whole training corpus (.corpus/train + fixtures/election) plus that feedback — from the
//      request to the job's completion;
//   3. scoring throughput (sustained msg/s, as e2e.js) with no retrain, then while that retrain runs;
//   4. swap latency: from POST /v1/admin/models/:v/activate until every worker's /metrics reports v.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const { args, sleep, pct, loadMessages, vmhwm, startCluster, stopCluster, agent, unique, sustained } = require('./lib');

const root = resolve(__dirname, '..');
const shared = resolve(args.find((a) => !a.startsWith('--')) || join(root, '..', 'shared', 'corpora'));
const opt = (name, dflt) => Number((args.find((a) => a.startsWith(`--${name}=`)) ?? `--${name}=${dflt}`).split('=')[1]);

async function api(c, method, path, body) {
  const res = await fetch(c.base + path, { method, headers: { Authorization: `Bearer ${c.key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function workerVersions(c) {
  return Promise.all(
    c.workerPorts.map(async (p) => {
      const t = await (await fetch(`http://127.0.0.1:${p}/metrics`, { headers: { Authorization: `Bearer ${c.key}` } })).text();
      return /ballotwatch_model_info\{version="([^"]+)"\} 1/.exec(t)?.[1] ?? null;
    }),
  );
}

/** Posts spam of the test split with ?wait and labels every non-clean one through the feedback API. */
async function giveFeedback(c, n) {
  const dir = join(root, '.corpus', 'test', 'spam');
  const files = readdirSync(dir).sort();
  let given = 0;
  let posted = 0;
  for (const f of files) {
    if (given >= n) break;
    const res = await fetch(`${c.base}/v1/messages?wait=30000`, { method: 'POST', headers: { Authorization: `Bearer ${c.key}`, 'Content-Type': 'message/rfc822' }, body: unique(readFileSync(join(dir, f))) });
    posted++;
    const r = await res.json();
    if (!r.result || r.result.verdict === 'clean' || r.result.verdict === 'unscanned') continue; // clean raw is not kept: nothing to learn from
    await api(c, 'POST', `/v1/messages/${r.id}/feedback`, { label: 'spam', note: 'bench' });
    given++;
  }
  return { given, posted };
}

async function waitJob(c, id, during) {
  for (;;) {
    const job = await api(c, 'GET', `/v1/admin/jobs/${id}`);
    if (job.state === 'completed' || job.state === 'failed') return job;
    if (during) await during(job);
    await sleep(200);
  }
}

async function main() {
  if (!existsSync(join(shared, 'MANIFEST.md'))) {
    console.log(`no corpora at ${shared}: lifecycle figures skipped`);
    return;
  }
  const { messages } = loadMessages(shared);
  const workers = opt('workers', 2);
  console.log(`model lifecycle, ${workers} worker processes, ${require('node:os').cpus().length} cores, loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  const c = await startCluster(workers, { BALLOTWATCH_TRUSTED_AUTHSERV_IDS: 'mx.gateway.example' });
  try {
    await sleep(1000);
    const shipped = (await api(c, 'GET', '/v1/admin/models')).active;
    const since = Date.now();
    const fb = await giveFeedback(c, opt('feedback', 1000));
    console.log(`  feedback: ${fb.given} analyst labels on flagged/suspicious test-split spam (${fb.posted} posted)`);

    await sustained(c, messages, 400, 32); // warm-up
    const base = await sustained(c, messages, 3000, 64);
    console.log(`  scoring with no retrain: ${base.rate.toFixed(0)} msg/s sustained (${base.done} msgs)`);

    const t0 = performance.now();
    const { jobId } = await api(c, 'POST', '/v1/admin/retrain', { base: 'corpus', feedbackSince: since, note: 'bench' });
    await sleep(3000); // past gathering the feedback, into training
    const during = await sustained(c, messages, 3000, 64);
    const stillRunning = (await api(c, 'GET', `/v1/admin/jobs/${jobId}`)).state === 'running';
    console.log(`  scoring during the retrain: ${during.rate.toFixed(0)} msg/s sustained (${((during.rate / base.rate - 1) * 100).toFixed(0)} % vs no retrain; retrain ${stillRunning ? 'still running at the end' : 'finished before the end: figure covers part of it'})`);
    const job = await waitJob(c, jobId);
    const secs = (performance.now() - t0) / 1000;
    if (job.state !== 'completed') throw new Error(`retrain failed: ${job.errors.join('; ')}`);
    const r = job.result;
    console.log(`  retrain (base corpus + ${fb.given} feedback): ${secs.toFixed(1)} s request → done (training + evaluation ${r.seconds.toFixed(1)} s); learned ${Object.entries(r.learned).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`    candidate ${r.version}: ${r.promoted ? 'promoted' : 'kept'} — ${r.reason}`);
    const fmt = (m) => `intimidation caught ${(m.detection.intimidation * 100).toFixed(1)} %, disinformation caught ${(m.detection.disinformation * 100).toFixed(1)} %, ham FPR ${(m.hamFpr * 100).toFixed(2)} %, AUC ${m.auc}`;
    console.log(`    evaluation set (${r.metrics.evaluated} msgs): candidate ${fmt(r.metrics)}; active ${fmt(r.activeMetrics)}`);

    const swaps = [];
    let target = r.promoted ? shipped : r.version;
    for (let i = 0; i < 6; i++) {
      const s0 = performance.now();
      await api(c, 'POST', `/v1/admin/models/${target}/activate`);
      for (;;) {
        const v = await workerVersions(c);
        if (v.every((x) => x === target)) break;
        if (performance.now() - s0 > 30_000) throw new Error(`workers did not switch: ${v.join(', ')}`);
        await sleep(5);
      }
      swaps.push(performance.now() - s0);
      target = target === shipped ? r.version : shipped;
    }
    swaps.sort((a, b) => a - b);
    console.log(`  swap latency across ${workers} workers (${swaps.length} activations): median ${pct(swaps, 50).toFixed(0)} ms, max ${swaps[swaps.length - 1].toFixed(0)} ms`);
    console.log(`  peak RSS: api ${vmhwm(c.api.pid).toFixed(0)} MB, workers ${c.workers.map((p) => vmhwm(p.pid).toFixed(0) + ' MB').join(', ')}`);
  } finally {
    await stopCluster(c);
    agent.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

#!/usr/bin/env node
'use strict';
// End-to-end service figures (issue 3 targets), printed, never asserted:
//   node bench/e2e.js [SHARED_CORPORA] [--no-rspamd] [--no-latency] [--workers=1,2] [--rate=200]
//                     [--redis=URL|/socket/path]   (default redis://127.0.0.1:6379/0)
//   (npm run bench runs it after bench.js)
// On the SpamAssassin 30 % test split (1,766 messages), through the real processes on this machine:
//   1. sustained msgs/s HTTP → queue → worker → Redis store, with 1 and 2 worker processes
//      (`serve --role api` + N × `serve --role worker`, as deployed), all on this 2-core machine
//      together with Redis and this load generator;
//   2. p50/p95/p99 latency of POST ?wait at an offered 200 msg/s (open loop);
//   3. peak RSS (VmHWM) of the API and worker processes; 4. Redis memory per 10k stored results;
//   5. rspamd's msgs/s on the same messages in the same run, where rspamd is installed.
// Each message gets one extra header (X-Bench-Seq) so repeats are new messages, not duplicates.
// Redis: the machine's 127.0.0.1:6379 under a throwaway key prefix, deleted at the end.
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, mkdtempSync, cpSync, rmSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { tmpdir } = require('node:os');
const { performance } = require('node:perf_hooks');
const { args, sleep, pct, loadMessages, vmhwm, startCluster, stopCluster, agent, post, unique, sustained } = require('./lib');
const root = resolve(__dirname, '..');
const shared = resolve(args.find((a) => !a.startsWith('--')) || join(root, '..', 'shared', 'corpora'));
/** Open-loop ?wait latency at `rate` msgs/s for `seconds`. */
async function waitLatency(c, messages, rate, seconds) {
  const n = rate * seconds;
  const lat = [];
  let non200 = 0;
  const t0 = performance.now();
  const pending = [];
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    const now = performance.now();
    if (due > now) await sleep(due - now);
    const body = unique(messages[i % messages.length]);
    const start = performance.now();
    pending.push(
      post(c, body, 2000).then((s) => {
        if (s !== 200) non200++;
        lat.push(performance.now() - start);
      }),
    );
  }
  await Promise.all(pending);
  lat.sort((a, b) => a - b);
  return { n, p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), max: lat[lat.length - 1], non200, offered: n / ((performance.now() - t0) / 1000) };
}

function rspamdFigure(corpusDir) {
  if (args.includes('--no-rspamd')) return 'skipped (--no-rspamd)';
  try {
    execFileSync('sh', ['-c', 'command -v rspamd && command -v rspamc'], { stdio: 'ignore' });
  } catch {
    return 'not installed (../shared/anchors/install.sh installs it)';
  }
  const anchors = join(shared, '..', 'anchors');
  if (!existsSync(join(anchors, 'rspamd.sh'))) return `no ${anchors}/rspamd.sh`;
  const work = mkdtempSync(join(tmpdir(), 'bw-rspamd-'));
  try {
    cpSync(anchors, join(work, 'anchors'), { recursive: true });
    const train = join(root, '.corpus', 'train-by-source', 'spamassassin');
    execFileSync('bash', [join(work, 'anchors', 'rspamd.sh'), train, corpusDir, join(work, 'out')], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, CONC: '8' }, timeout: 30 * 60_000 });
    const run = JSON.parse(readFileSync(join(work, 'out', 'rspamd-run.json'), 'utf8'));
    const s = run.scoring;
    return `rspamd ${run.version}, same messages, same machine: ${Number(s.msgs_per_s).toFixed(0)} msg/s scanning only (${s.client}; trained on the 70 % split, network checks off)`;
  } catch (e) {
    return `failed: ${e.message.split('\n')[0]}`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(join(shared, 'MANIFEST.md'))) {
    console.log(`no corpora at ${shared}: end-to-end figures skipped`);
    return;
  }
  const { dir, messages } = loadMessages(shared);
  console.log(`end to end, SpamAssassin test split (${messages.length} msgs), ${require('node:os').cpus().length} cores, loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  const counts = (args.find((a) => a.startsWith('--workers=')) ?? '--workers=1,2').slice(10).split(',').map(Number);
  for (const workers of counts) {
    const c = await startCluster(workers);
    try {
      await sustained(c, messages, 400, 32); // warm-up (JIT, connections)
      const s = args.includes('--no-sustained') ? null : await sustained(c, messages, messages.length * 3, 64);
      if (s) console.log(`  ${workers} worker process${workers > 1 ? 'es' : ''}: ${s.rate.toFixed(0)} msg/s sustained (${s.done} msgs in ${s.secs.toFixed(1)} s; ingest alone ${s.ingest.toFixed(0)} msg/s; ${s.errors} errors); Redis ${(s.bytesPer10k / 1048576).toFixed(1)} MB per 10k stored results`);
      if (s) console.log(`    CPU per message: ${Object.entries(s.perMsg).map(([k, v]) => `${k} ${v.toFixed(0)} µs`).join(', ')}`);
      const rate = Number((args.find((a) => a.startsWith('--rate=')) ?? '--rate=200').slice(7));
      const w = args.includes('--no-latency') ? null : await waitLatency(c, messages, rate, 15);
      if (w) console.log(`  ${workers} worker process${workers > 1 ? 'es' : ''}: POST ?wait at ${w.offered.toFixed(0)} msg/s offered (${w.n} msgs): p50 ${w.p50.toFixed(1)} ms, p95 ${w.p95.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms, max ${w.max.toFixed(0)} ms; ${w.non200} not scored in time`);
      console.log(`  peak RSS: api ${vmhwm(c.api.pid).toFixed(0)} MB, workers ${c.workers.map((p) => vmhwm(p.pid).toFixed(0) + ' MB').join(', ')}`);
    } finally {
      await stopCluster(c);
    }
  }
  console.log(`  ${rspamdFigure(dir)}`);
  agent.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

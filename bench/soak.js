#!/usr/bin/env node
'use strict';
// Sustained-load figures, printed, never asserted:
//   npm run soak [-- --minutes=10 --workers=2 --peak-seconds=30 --fraction=0.5 --sample=10 [SHARED_CORPORA]]
// 1. measures peak end-to-end throughput (HTTP → queue → worker → store, results per second) with a
//    closed loop of 64 concurrent POSTs for --peak-seconds;
// 2. offers --fraction (default 50 %) of that peak, open loop, for --minutes, sampling every
//    --sample seconds the RSS of the API and each worker process, queue depth, results/s and
//    POST latency; prints the table and whether each process's RSS stayed flat.
// The processes are the deployed ones (`serve --role api`, N × `serve --role worker`, heap bound
// 256 MB as in `npm start` and the image) on a private redis-server (no persistence, deleted after).
// Messages: the SpamAssassin test split from ../shared/corpora when present (as bench/e2e.js),
// else the project's own fixtures; each is made unique so nothing is a duplicate.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { performance } = require('node:perf_hooks');
const { Redis } = require('ioredis');
const { root, sleep, freePort, exited, startCluster, post, fixtureMessages, makeUnique, rssMb, agent } = require('./harness/cluster');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : def;
};
const minutes = opt('minutes', 10);
const workers = opt('workers', 2);
const peakSeconds = opt('peak-seconds', 30);
const fraction = opt('fraction', 0.5);
const sampleS = opt('sample', 10);
const shared = resolve(args.find((a) => !a.startsWith('--')) || join(root, '..', 'shared', 'corpora'));
const pct = (a, p) => (a.length ? a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))] : NaN);

function loadMessages() {
  const corpus = join(root, '.corpus');
  if (existsSync(join(shared, 'MANIFEST.md'))) {
    if (!existsSync(join(corpus, 'test-by-source'))) execFileSync(process.execPath, [join(root, 'bin/ballotwatch.js'), 'corpus', '--shared', shared, '--out', corpus], { stdio: 'ignore' });
    const dir = join(corpus, 'test-by-source', 'spamassassin');
    const out = [];
    for (const label of ['ham', 'spam']) for (const f of readdirSync(join(dir, label)).sort()) out.push(readFileSync(join(dir, label, f)));
    return { what: `SpamAssassin test split (${out.length} messages)`, messages: out };
  }
  const m = fixtureMessages();
  return { what: `project fixtures (${m.length} messages; no ${shared})`, messages: m };
}

/** A throwaway redis-server: soak is about process memory, so no persistence. */
async function startEphemeralRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bw-soak-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}/0`;
  for (let i = 0; i < 200; i++) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return { url, proc, dir };
    } catch {
      r.disconnect();
      await sleep(50);
    }
  }
  throw new Error('redis-server did not start');
}

/** Results stored so far under the prefix (the stats counters the store keeps per hour). */
async function results(r, prefix) {
  let n = 0;
  for (const hour of await r.zrange(`${prefix}:st:hours`, 0, -1)) n += Number((await r.hget(`${prefix}:st:${hour}`, 't')) ?? 0);
  return n;
}

async function waitDrained(r, prefix, ms = 300_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms && (await r.zcard(`${prefix}:i:queued`)) > 0) await sleep(200);
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : 0;
}

async function main() {
  const { what, messages } = loadMessages();
  const redis = await startEphemeralRedis();
  const c = await startCluster({ redisUrl: redis.url, workers, stderr: 'inherit' });
  const r = new Redis(redis.url);
  const unique = makeUnique(`soak-${process.pid}`);
  let i = 0;
  const next = () => unique(messages[i++ % messages.length]);
  try {
    console.log(`soak: ${what}; api + ${workers} worker process${workers > 1 ? 'es' : ''}; ${require('node:os').cpus().length} cores, loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    // Warm-up (JIT, connections), then the peak: 64 in flight for peakSeconds.
    await Promise.all(Array.from({ length: 400 }, () => post(c, next())));
    await waitDrained(r, c.prefix);
    const done0 = await results(r, c.prefix);
    const t0 = performance.now();
    let stop = false;
    const loops = Array.from({ length: 64 }, async () => {
      while (!stop) await post(c, next());
    });
    await sleep(peakSeconds * 1000);
    const done1 = await results(r, c.prefix);
    const peak = (done1 - done0) / ((performance.now() - t0) / 1000);
    stop = true;
    await Promise.all(loops);
    await waitDrained(r, c.prefix);
    const rate = Math.max(1, Math.round(peak * fraction));
    console.log(`peak: ${peak.toFixed(0)} results/s over ${peakSeconds} s (64 POSTs in flight); offering ${rate} msg/s (${(fraction * 100).toFixed(0)} %) for ${minutes} min, sampling every ${sampleS} s`);

    const pids = { api: c.api.pid, workers: c.workers.map((w) => w.pid) };
    const head = ['t (s)', 'api MB', ...pids.workers.map((_, k) => `worker${k + 1} MB`), 'queued', 'results/s', 'POST p50 ms', 'POST p99 ms', 'errors'];
    const rows = [];
    const print = (row) => console.log(row.map((x, k) => String(x).padStart(head[k].length)).join('  '));
    console.log(head.join('  '));
    const start = performance.now();
    const end = start + minutes * 60_000;
    let lat = [];
    let errors = 0;
    let lastDone = await results(r, c.prefix);
    let lastAt = start;
    const sample = async () => {
      const now = performance.now();
      const done = await results(r, c.prefix);
      const l = lat.sort((a, b) => a - b);
      const row = [Math.round((now - start) / 1000), rssMb(pids.api).toFixed(0), ...pids.workers.map((p) => rssMb(p).toFixed(0)), await r.zcard(`${c.prefix}:i:queued`), ((done - lastDone) / ((now - lastAt) / 1000)).toFixed(0), pct(l, 50).toFixed(1), pct(l, 99).toFixed(1), errors];
      rows.push(row);
      print(row);
      lat = [];
      errors = 0;
      lastDone = done;
      lastAt = now;
    };
    await sample();
    let nextSample = start + sampleS * 1000;
    const pending = new Set();
    for (let n = 0; ; n++) {
      const due = start + (n * 1000) / rate;
      if (due >= end) break;
      while (performance.now() >= nextSample) {
        await sample();
        nextSample += sampleS * 1000;
      }
      const wait = Math.min(due, nextSample) - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() < due) {
        n--;
        continue;
      }
      const s = performance.now();
      const p = post(c, next()).then((res) => {
        lat.push(performance.now() - s);
        if (res.status !== 202) errors++;
        pending.delete(p);
      });
      pending.add(p);
    }
    await Promise.all(pending);
    await sample();

    // Verdict per process: RSS after the first minute (warm-up) must not trend upwards. Flat when
    // the fitted growth over the run is under 10 MB or 5 %, whichever is larger.
    const steady = rows.filter((row) => row[0] >= 60);
    console.log('');
    const names = ['api', ...pids.workers.map((_, k) => `worker${k + 1}`)];
    let allFlat = true;
    for (const [k, name] of names.entries()) {
      const xs = steady.map((row) => row[0]);
      const ys = steady.map((row) => Number(row[1 + k]));
      if (ys.length < 3) {
        console.log(`${name}: too short a run for a verdict (need samples after the first minute)`);
        allFlat = false;
        continue;
      }
      const growth = slope(xs, ys) * (xs[xs.length - 1] - xs[0]);
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      const flat = growth < Math.max(10, mean * 0.05);
      allFlat &&= flat;
      console.log(`${name}: RSS ${Math.min(...ys).toFixed(0)}–${Math.max(...ys).toFixed(0)} MB after the first minute, fitted trend ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB over ${((xs[xs.length - 1] - xs[0]) / 60).toFixed(1)} min: ${flat ? 'FLAT' : 'NOT FLAT'}`);
    }
    const info = await r.info('memory');
    console.log(`verdict: memory ${allFlat ? 'flat' : 'NOT flat'}; ${await results(r, c.prefix)} results stored, Redis used_memory ${(Number(/used_memory:(\d+)/.exec(info)[1]) / 1048576).toFixed(0)} MB (results are kept by design: retention, not a leak)`);
  } finally {
    r.disconnect();
    await c.stop();
    redis.proc.kill('SIGKILL');
    await exited(redis.proc);
    rmSync(redis.dir, { recursive: true, force: true });
    agent.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

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
const { spawn, execFileSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, mkdtempSync, cpSync, rmSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { tmpdir } = require('node:os');
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const root = resolve(__dirname, '..');
const { Redis } = require('ioredis');
const { createKey } = require(join(root, 'dist/api/auth'));

const args = process.argv.slice(2);
const shared = resolve(args.find((a) => !a.startsWith('--')) || join(root, '..', 'shared', 'corpora'));
const REDIS_URL = (args.find((a) => a.startsWith('--redis=')) ?? '--redis=redis://127.0.0.1:6379/0').slice(8);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))];

function loadMessages() {
  const corpus = join(root, '.corpus');
  if (!existsSync(join(corpus, 'test-by-source'))) execFileSync(process.execPath, [join(root, 'bin/ballotwatch.js'), 'corpus', '--shared', shared, '--out', corpus], { stdio: 'ignore' });
  const dir = join(corpus, 'test-by-source', 'spamassassin');
  const out = [];
  for (const label of ['ham', 'spam']) for (const f of readdirSync(join(dir, label)).sort()) out.push(readFileSync(join(dir, label, f)));
  return { dir, messages: out };
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

async function redisPid() {
  const r = new Redis(REDIS_URL);
  try {
    return Number(/process_id:(\d+)/.exec(await r.info('server'))[1]);
  } catch {
    return NaN;
  } finally {
    r.disconnect();
  }
}

function vmhwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function freePort() {
  return new Promise((res) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

/** Starts API + N workers under a fresh prefix; returns handles. */
async function startCluster(workers) {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const key = createKey('admin');
  const port = await freePort();
  const env = { ...process.env, REDIS_URL, BALLOTWATCH_REDIS_PREFIX: prefix, BALLOTWATCH_API_KEYS: key.entry, PORT: String(port), BALLOTWATCH_RATE_ADMIN: '1000000' };
  const bin = join(root, 'bin/ballotwatch.js');
  // The same V8 heap bound as `npm start` / `npm run worker` and the Docker image.
  const node = [process.execPath, '--max-old-space-size=256'];
  const api = spawn(node[0], [node[1], bin, 'serve', '--role', 'api'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const ws = [];
  for (let i = 0; i < workers; i++) ws.push(spawn(node[0], [node[1], bin, 'serve', '--role', 'worker'], { env: { ...env, PORT: '0' }, stdio: ['ignore', 'ignore', 'inherit'] }));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  await sleep(500); // workers load the model
  return { prefix, key: key.key, base, port, api, workers: ws };
}

async function stopCluster(c) {
  for (const p of [c.api, ...c.workers]) p.kill('SIGTERM');
  await Promise.all([c.api, ...c.workers].map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${c.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.unlink(...keys);
  } while (cursor !== '0');
  r.disconnect();
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function post(c, body, wait) {
  return new Promise((resolvePost, reject) => {
    const req = http.request(`${c.base}/v1/messages${wait ? `?wait=${wait}` : ''}`, { method: 'POST', agent, headers: { Authorization: `Bearer ${c.key}`, 'Content-Type': 'message/rfc822', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolvePost(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let seq = 0;
const unique = (raw) => Buffer.concat([Buffer.from(`X-Bench-Seq: ${++seq}-${process.pid}\r\n`), raw.subarray(0, 5).toString() === 'From ' ? raw.subarray(raw.indexOf(10) + 1) : raw]);

/** Posts `total` messages with `conc` in flight; returns msgs/s from first post to last stored result. */
async function sustained(c, messages, total, conc) {
  const bodies = Array.from({ length: total }, (_, i) => unique(messages[i % messages.length]));
  const redis = new Redis(REDIS_URL);
  const mem0 = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
  const pids = { api: c.api.pid, workers: c.workers.map((w) => w.pid), redis: await redisPid(), bench: process.pid };
  const cpu = () => ({ api: cpuSeconds(pids.api), workers: pids.workers.reduce((a, p) => a + cpuSeconds(p), 0), redis: cpuSeconds(pids.redis), bench: cpuSeconds(pids.bench) });
  const cpu0 = cpu();
  const t0 = performance.now();
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < total) {
        const s = await post(c, bodies[next++]);
        if (s !== 202 && s !== 200) errors++;
      }
    }),
  );
  const posted = performance.now();
  // Done when nothing is left queued (the store's queued index), polled every 10 ms.
  let done = 0;
  let lastAt = posted;
  for (let i = 0; i < 12000; i++) {
    const left = (await redis.zcard(`${c.prefix}:i:queued`)) + (await redis.zcard(`${c.prefix}:i:failed`));
    lastAt = performance.now();
    done = total - errors - left;
    if (left === 0) break;
    await sleep(10);
  }
  const mem1 = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
  const cpu1 = cpu();
  const perMsg = Object.fromEntries(Object.keys(cpu0).map((k) => [k, ((cpu1[k] - cpu0[k]) / done) * 1e6]));
  redis.disconnect();
  const secs = (lastAt - t0) / 1000;
  return { rate: done / secs, ingest: total / ((posted - t0) / 1000), done, errors, secs, bytesPer10k: ((mem1 - mem0) / done) * 10_000, perMsg };
}

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
  const { dir, messages } = loadMessages();
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

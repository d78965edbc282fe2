'use strict';
// Shared by the service benchmarks (e2e.js, lifecycle.js): a cluster of real processes (`serve
// --role api` + N × `serve --role worker`) on the machine's Redis under a throwaway prefix, a
// keep-alive load generator, and /proc readings (CPU seconds, peak RSS).
const { spawn, execFileSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const root = resolve(__dirname, '..');
const { Redis } = require('ioredis');
const { createKey } = require(join(root, 'dist/api/auth'));

const args = process.argv.slice(2);
const REDIS_URL = (args.find((a) => a.startsWith('--redis=')) ?? '--redis=redis://127.0.0.1:6379/0').slice(8);
const { sleep, freePort, exited } = require('./harness/cluster');
const { dropPrefix } = require(join(root, 'dist/store/drop-prefix'));
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))];

function loadMessages(shared) {
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

/** Starts API + N workers under a fresh prefix; returns handles. */
async function startCluster(workers, extraEnv = {}) {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const key = createKey('admin');
  const port = await freePort();
  const env = { ...process.env, REDIS_URL, BALLOTWATCH_REDIS_PREFIX: prefix, BALLOTWATCH_API_KEYS: key.entry, PORT: String(port), BALLOTWATCH_RATE_ADMIN: '1000000', ...extraEnv };
  const bin = join(root, 'bin/ballotwatch.js');
  // The same V8 heap bound as `npm start` / `npm run worker` and the Docker image.
  const node = [process.execPath, '--max-old-space-size=256'];
  const api = spawn(node[0], [node[1], bin, 'serve', '--role', 'api'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const ws = [];
  const workerPorts = [];
  for (let i = 0; i < workers; i++) {
    // Each worker serves /readyz and /metrics on its own port (lifecycle.js reads its model version there).
    workerPorts.push(await freePort());
    ws.push(spawn(node[0], [node[1], bin, 'serve', '--role', 'worker'], { env: { ...env, PORT: String(workerPorts[i]) }, stdio: ['ignore', 'ignore', 'inherit'] }));
  }
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
  return { prefix, key: key.key, base, port, api, workers: ws, workerPorts };
}

async function stopCluster(c) {
  for (const p of [c.api, ...c.workers]) p.kill('SIGTERM');
  await Promise.all([c.api, ...c.workers].map(exited));
  const r = new Redis(REDIS_URL);
  await dropPrefix(r, c.prefix);
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


module.exports = { args, sleep, pct, loadMessages, vmhwm, startCluster, stopCluster, agent, post, unique, sustained };

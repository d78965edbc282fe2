'use strict';
// The deployed processes, for fault runs and load figures (bench/faults.js, bench/soak.js and the
// jest fault tests share it): a private redis-server with the append-only file, `serve --role api`
// and N × `serve --role worker` as separate processes, a keep-alive HTTP client, and a tally of what
// the store holds for the messages the API acknowledged. Needs `npm run build` (dist/).
// (bench/lib.js is the older helper of e2e.js and lifecycle.js, on the machine's Redis; this one
// adds what fault runs need: a private Redis to kill, workers to kill and add, the tally.)
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { tmpdir } = require('node:os');
const http = require('node:http');
const net = require('node:net');
const { randomBytes } = require('node:crypto');
const { Redis } = require('ioredis');

const root = resolve(__dirname, '..', '..');
const bin = join(root, 'bin', 'ballotwatch.js');
const { clearTimeout } = require('node:timers');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
}

/** Resolves when `child` has exited (at once if it already has). */
function exited(child) {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

async function pingRedis(url) {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * A private redis-server on a free loopback port, AOF on with `appendfsync always` (nothing
 * acknowledged is lost on a crash), `maxmemory-policy noeviction` as BullMQ requires. Stopped by
 * its pid; `restart()` starts it again on the same port and folder, so it replays the AOF.
 */
async function startPrivateRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bw-private-redis-'));
  const url = `redis://127.0.0.1:${port}/0`;
  const self = { port, dir, url, proc: null };
  self.start = async () => {
    self.proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await pingRedis(url)) return;
      if (self.proc.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`private redis-server on port ${port} did not start`);
  };
  /** SIGKILL: a crash, not a clean shutdown (no final save). */
  self.kill = async () => {
    const p = self.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGKILL');
    await exited(p);
  };
  self.restart = async () => {
    await self.kill();
    await self.start();
  };
  self.stop = async () => {
    await self.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  await self.start();
  return self;
}

/**
 * API and worker processes as deployed (`serve --role api|worker`), under one key prefix.
 * `env` adds settings (e.g. BALLOTWATCH_JOB_LOCK_MS) to every process.
 */
async function startCluster({ redisUrl, workers = 1, env = {}, prefix = `bwrun-${randomBytes(4).toString('hex')}`, heapMb = 256, stderr = 'ignore' }) {
  const { createKey } = require(join(root, 'dist', 'api', 'auth'));
  const keys = { gateway: createKey('gateway'), analyst: createKey('analyst'), admin: createKey('admin') };
  const port = await freePort();
  const base = { ...process.env, REDIS_URL: redisUrl, BALLOTWATCH_REDIS_PREFIX: prefix, BALLOTWATCH_API_KEYS: Object.values(keys).map((k) => k.entry).join(','), BALLOTWATCH_LOG_LEVEL: 'warn', BALLOTWATCH_RATE_GATEWAY: '1000000', BALLOTWATCH_RATE_ANALYST: '1000000', BALLOTWATCH_RATE_ADMIN: '1000000', ...env };
  const spawnRole = (role, p) => spawn(process.execPath, [`--max-old-space-size=${heapMb}`, bin, 'serve', '--role', role], { env: { ...base, PORT: String(p) }, stdio: ['ignore', 'ignore', stderr] });
  const c = {
    prefix,
    redisUrl,
    keys: Object.fromEntries(Object.entries(keys).map(([r, k]) => [r, k.key])),
    base: `http://127.0.0.1:${port}`,
    api: spawnRole('api', port),
    workers: [],
    started: 0,
    killed: 0,
  };
  /** Starts one more worker process and waits until it serves /readyz (model loaded, worker running). */
  c.addWorker = async () => {
    const wp = await freePort();
    const w = spawnRole('worker', wp);
    w.port = wp;
    c.workers.push(w);
    c.started++;
    await waitReady(`http://127.0.0.1:${wp}`, w);
    return w;
  };
  /** SIGKILLs one live worker (chosen by `pick`, default at random); returns it. */
  c.killWorker = async (pick = (live) => live[Math.floor(Math.random() * live.length)]) => {
    const live = c.workers.filter((w) => w.exitCode === null && w.signalCode === null);
    if (!live.length) return null;
    const w = pick(live);
    w.kill('SIGKILL');
    await exited(w);
    c.killed++;
    return w;
  };
  c.liveWorkers = () => c.workers.filter((w) => w.exitCode === null && w.signalCode === null);
  c.stop = async () => {
    const all = [c.api, ...c.workers];
    for (const p of all) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    let timer;
    await Promise.race([Promise.all(all.map(exited)), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    for (const p of all) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(all.map(exited));
  };
  c.dropKeys = async () => {
    const r = new Redis(redisUrl);
    try {
      await require(join(root, 'dist', 'store', 'drop-prefix')).dropPrefix(r, prefix);
    } finally {
      r.disconnect();
    }
  };
  try {
    await waitReady(c.base, c.api);
    for (let i = 0; i < workers; i++) await c.addWorker();
  } catch (err) {
    await c.stop();
    throw err;
  }
  return c;
}

async function waitReady(base, proc, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`process exited (${proc.exitCode ?? proc.signalCode}) before it was ready`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  throw new Error(`${base} not ready after ${ms} ms`);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * POSTs one raw message as the gateway. Resolves {status, id, retryAfter}; a transport error
 * (connection refused or reset) resolves status 0 rather than rejecting.
 */
function post(c, body, { wait = 0, timeoutMs = 30_000 } = {}) {
  return new Promise((res) => {
    const req = http.request(
      `${c.base}/v1/messages${wait ? `?wait=${wait}` : ''}`,
      { method: 'POST', agent, timeout: timeoutMs, headers: { Authorization: `Bearer ${c.keys.gateway}`, 'Content-Type': 'message/rfc822', 'Content-Length': body.length } },
      (r) => {
        const chunks = [];
        r.on('data', (d) => chunks.push(d));
        r.on('end', () => {
          let id = null;
          try {
            id = JSON.parse(Buffer.concat(chunks).toString('utf8')).id ?? null;
          } catch {
            /* not JSON */
          }
          res({ status: r.statusCode, id, retryAfter: r.headers['retry-after'] ?? null });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => res({ status: 0, id: null, retryAfter: null, error: e.message }));
    req.end(body);
  });
}

/** Real messages to send: the project's scenario and labelled election fixtures (read once). */
function fixtureMessages() {
  const out = [];
  const walk = (d) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.eml')) out.push(readFileSync(p));
    }
  };
  walk(join(root, 'fixtures', 'mail', 'scenarios'));
  walk(join(root, 'fixtures', 'election'));
  return out;
}

/** A new message each call (a sequence header in front), so repeats are not duplicates. */
function makeUnique(tag) {
  let seq = 0;
  return (raw) => Buffer.concat([Buffer.from(`X-Run-Seq: ${tag}-${++seq}\r\n`), raw.subarray(0, 5).toString() === 'From ' ? raw.subarray(raw.indexOf(10) + 1) : raw]);
}

/**
 * What the store holds for the acknowledged ids, read straight from Redis: results (status done),
 * still queued, failed, missing (`lost` = acknowledged without a result, whatever the reason); and `duplicated`, results counted more than once: the stats
 * counters (incremented by each completion) minus the number of done records under the prefix.
 */
async function tally(c, acked) {
  const r = new Redis(c.redisUrl);
  try {
    const p = `${c.prefix}:`;
    const ids = [...acked];
    const byStatus = { done: 0, queued: 0, failed: 0, missing: 0 };
    for (let i = 0; i < ids.length; i += 1000) {
      const pipe = r.pipeline();
      for (const id of ids.slice(i, i + 1000)) pipe.hget(`${p}m:${id}`, 'status');
      for (const [, st] of await pipe.exec()) byStatus[st ?? 'missing'] = (byStatus[st ?? 'missing'] ?? 0) + 1;
    }
    // Every record under the prefix (acknowledged or not: a 503'd POST may still have been stored).
    const all = await r.zrange(`${p}i:all`, 0, -1);
    let doneAll = 0;
    for (let i = 0; i < all.length; i += 1000) {
      const pipe = r.pipeline();
      for (const id of all.slice(i, i + 1000)) pipe.hget(`${p}m:${id}`, 'status');
      for (const [, st] of await pipe.exec()) if (st === 'done') doneAll++;
    }
    let counted = 0;
    for (const hour of await r.zrange(`${p}st:hours`, 0, -1)) counted += Number((await r.hget(`${p}st:${hour}`, 't')) ?? 0);
    return { acknowledged: ids.length, results: byStatus.done, queued: byStatus.queued, failed: byStatus.failed, lost: ids.length - byStatus.done, missing: byStatus.missing, duplicated: counted - doneAll, stored: all.length };
  } finally {
    r.disconnect();
  }
}

/** Resident set size of a process in MB (VmRSS), NaN once it is gone. */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

module.exports = { root, sleep, freePort, exited, startPrivateRedis, startCluster, post, fixtureMessages, makeUnique, tally, rssMb, agent };

'use strict';
// Fault scenarios against the deployed processes (bench/harness/cluster.js). `npm run faults` runs them
// at full size and prints the table; test/api/faults.redis.test.ts runs them small and asserts
// nothing acknowledged is lost or scored twice. Each returns the figures it measured.
const { Redis } = require('ioredis');
const { randomBytes } = require('node:crypto');
const { sleep, startCluster, post, fixtureMessages, makeUnique, tally } = require('./cluster');

/** Waits until none of `ids` is still queued (polled from Redis); returns ms taken, or -1 on timeout. */
async function settle(c, ids, ms) {
  const r = new Redis(c.redisUrl, { maxRetriesPerRequest: null });
  r.on('error', () => undefined);
  const list = [...ids];
  const t0 = Date.now();
  try {
    while (Date.now() - t0 < ms) {
      try {
        let queued = 0;
        for (let i = 0; i < list.length && !queued; i += 2000) {
          const pipe = r.pipeline();
          for (const id of list.slice(i, i + 2000)) pipe.hget(`${c.prefix}:m:${id}`, 'status');
          for (const [, st] of await pipe.exec()) if (st === 'queued') queued++;
        }
        if (!queued) return Date.now() - t0;
      } catch {
        /* Redis restarting */
      }
      await sleep(200);
    }
    return -1;
  } finally {
    r.disconnect();
  }
}

/** Messages still waiting under the prefix (the store's queued index). */
async function queuedCount(c) {
  const r = new Redis(c.redisUrl, { maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  try {
    return await r.zcard(`${c.prefix}:i:queued`);
  } catch {
    return 0;
  } finally {
    r.disconnect();
  }
}

/**
 * (a) `messages` messages flow through the API to `workers` worker processes while one worker at a
 * time is SIGKILLed every `killEveryMs` (and a fresh one started), up to `kills` times, only while
 * messages are waiting. Then every acknowledged message must have exactly one result.
 */
async function workerKills({ redisUrl, messages = 10_000, kills = 10, killEveryMs = 3000, workers = 2, concurrency = 16, lockMs = 1500, settleMs = 180_000, log = () => undefined }) {
  const c = await startCluster({ redisUrl, workers, env: { BALLOTWATCH_JOB_LOCK_MS: String(lockMs) } });
  const t0 = Date.now();
  try {
    const pool = fixtureMessages();
    const unique = makeUnique(randomBytes(4).toString('hex'));
    const acked = new Set();
    const statuses = {};
    let sent = 0;
    let posting = true;
    const sender = Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < messages) {
          const body = unique(pool[sent++ % pool.length]);
          const r = await post(c, body);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if ((r.status === 202 || r.status === 200) && r.id) acked.add(r.id);
        }
      }),
    ).finally(() => (posting = false));
    const killer = (async () => {
      while (c.killed < kills) {
        await sleep(killEveryMs);
        if (!posting && (await queuedCount(c)) === 0) break;
        const w = await c.killWorker();
        log(`  killed worker pid ${w?.pid} (${c.killed}/${kills}) at ${((Date.now() - t0) / 1000).toFixed(1)} s, ${sent} sent`);
        await c.addWorker();
      }
    })();
    await sender;
    const postedS = (Date.now() - t0) / 1000;
    await killer;
    const settled = await settle(c, acked, settleMs);
    const t = await tally(c, acked);
    return { scenario: 'worker SIGKILL', sent, ...t, kills: c.killed, workersStarted: c.started, statuses, postedS, seconds: (Date.now() - t0) / 1000, settled: settled >= 0 };
  } finally {
    await c.stop();
    await c.dropKeys().catch(() => undefined);
  }
}

/**
 * (b) Load at `rate` msg/s for `seconds` while the private Redis (`redis`, from startPrivateRedis)
 * is SIGKILLed at one third of the run and started again `downMs` later (replaying its AOF). While
 * it is down the API must answer 503 with Retry-After; afterwards it must accept again by itself;
 * every message acknowledged with 202, before or after, must get exactly one result.
 */
async function redisRestart({ redis, rate = 100, seconds = 30, downMs = 5000, workers = 2, settleMs = 180_000, log = () => undefined }) {
  const c = await startCluster({ redisUrl: redis.url, workers, env: { BALLOTWATCH_JOB_LOCK_MS: '1500' } });
  try {
    const pool = fixtureMessages();
    const unique = makeUnique(randomBytes(4).toString('hex'));
    const acked = new Set();
    const statuses = {};
    let unavailable = 0;
    let withRetryAfter = 0;
    let downAt = 0;
    let upAt = 0;
    let firstAckAfterUp = 0;
    let acceptedWhileDown = 0;
    const t0 = Date.now();
    const n = Math.round(rate * seconds);
    const pending = [];
    const outage = (async () => {
      await sleep((seconds * 1000) / 3);
      await redis.kill();
      downAt = Date.now();
      log(`  Redis SIGKILLed at ${((downAt - t0) / 1000).toFixed(1)} s`);
      await sleep(downMs);
      await redis.start();
      upAt = Date.now();
      log(`  Redis started again at ${((upAt - t0) / 1000).toFixed(1)} s (AOF replayed)`);
    })();
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      const body = unique(pool[i % pool.length]);
      pending.push(
        post(c, body, { timeoutMs: 20_000 }).then((r) => {
          const at = Date.now();
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if ((r.status === 202 || r.status === 200) && r.id) {
            acked.add(r.id);
            if (downAt && !upAt && at > downAt + 200) acceptedWhileDown++;
            if (upAt && !firstAckAfterUp) firstAckAfterUp = at;
          }
          if (r.status === 503) {
            unavailable++;
            if (r.retryAfter && Number(r.retryAfter) > 0) withRetryAfter++;
          }
        }),
      );
    }
    await Promise.all(pending);
    await outage;
    const settled = await settle(c, acked, settleMs);
    const t = await tally(c, acked);
    return {
      scenario: 'Redis SIGKILL + restart',
      sent: n,
      ...t,
      statuses,
      unavailable,
      withRetryAfter,
      acceptedWhileDown,
      downS: (upAt - downAt) / 1000,
      recoveryS: firstAckAfterUp ? (firstAckAfterUp - upAt) / 1000 : null,
      seconds: (Date.now() - t0) / 1000,
      settled: settled >= 0,
    };
  } finally {
    await c.stop();
    await c.dropKeys().catch(() => undefined);
  }
}

module.exports = { workerKills, redisRestart, settle };

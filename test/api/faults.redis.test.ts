/**
 * Faults against the deployed processes (`serve --role api` and `serve --role worker` as separate
 * processes, bench/harness/cluster.js), the same scenarios `npm run faults` runs at full size:
 * - workers SIGKILLed repeatedly while messages flow: every acknowledged message ends with exactly
 *   one result (none lost, none counted twice);
 * - Redis SIGKILLed and restarted under load (a private redis-server with AOF, appendfsync always):
 *   503 with Retry-After while it is down, 202 again by itself, nothing acknowledged lost;
 * - poison: a job that throws every time it runs (its stored raw message is corrupted: the key
 *   holds a hash, so every read fails with WRONGTYPE) and a message that kills the worker
 *   process every time it is picked up. Both are retried a bounded number of times and land in
 *   the failed set, visible through GET /v1/jobs/failed, while the messages behind them are scored.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { agent, fixtureMessages, makeUnique, post, sleep, startCluster, startPrivateRedis, type Cluster, type PrivateRedis } from '../../bench/harness/cluster';
import { redisRestart, settle, workerKills } from '../../bench/harness/faults';
import { REDIS_URL, request } from '../helpers/service';

let privateRedis: PrivateRedis | null = null;
const clusters: Cluster[] = [];
afterAll(async () => {
  for (const c of clusters) {
    await c.stop();
    await c.dropKeys().catch(() => undefined);
  }
  await privateRedis?.stop();
  agent.destroy();
});

it('loses and duplicates nothing while worker processes are SIGKILLed repeatedly', async () => {
  const r = await workerKills({ redisUrl: REDIS_URL, messages: 800, kills: 3, killEveryMs: 700, workers: 2, concurrency: 8, settleMs: 45_000 });
  expect(r.kills).toBeGreaterThanOrEqual(2);
  expect(r.statuses).toEqual({ 202: 800 });
  expect(r).toMatchObject({ sent: 800, acknowledged: 800, results: 800, lost: 0, duplicated: 0, failed: 0, queued: 0, settled: true });
}, 60_000);

it('answers 503 with Retry-After while Redis is down, recovers by itself and loses nothing acknowledged', async () => {
  privateRedis = await startPrivateRedis();
  const r = await redisRestart({ redis: privateRedis, rate: 60, seconds: 8, downMs: 1500, workers: 1, settleMs: 45_000 });
  expect(r.unavailable).toBeGreaterThan(0);
  expect(r.withRetryAfter).toBe(r.unavailable);
  // Nothing but accepted or "not accepted, retry": no 500s, no dropped connections.
  expect(Object.keys(r.statuses).sort()).toEqual(['202', '503']);
  expect(r.recoveryS).not.toBeNull();
  expect(r.acceptedWhileDown).toBe(0);
  expect(r.acknowledged).toBeGreaterThan(0);
  expect(r).toMatchObject({ lost: 0, duplicated: 0, failed: 0, queued: 0, settled: true });
}, 60_000);

describe('poison', () => {
  const normal = (c: Cluster, n: number) => {
    const pool = fixtureMessages();
    const unique = makeUnique(randomBytes(4).toString('hex'));
    return Promise.all(Array.from({ length: n }, (_, i) => post(c, unique(pool[i % pool.length])))).then((rs) => rs.map((r) => r.id as string));
  };
  const admin = (c: Cluster, path: string) => request(c.base + path, { headers: { Authorization: `Bearer ${c.keys.admin}` } });

  it('a job whose stored raw message is corrupted is retried JOB_ATTEMPTS times and fails, without holding up the queue', async () => {
    const c = await startCluster({ redisUrl: REDIS_URL, workers: 0, env: { BALLOTWATCH_JOB_ATTEMPTS: '3', BALLOTWATCH_JOB_BACKOFF_MS: '100' } });
    clusters.push(c);
    const pool = fixtureMessages();
    const poison = await post(c, makeUnique('poison')(pool[0]));
    expect(poison.status).toBe(202);
    const others = await normal(c, 40);
    // Corrupt the stored bytes in place: the raw key now holds a hash, so every read of it fails.
    const r = new Redis(REDIS_URL);
    await r.del(`${c.prefix}:raw:${poison.id}`);
    await r.hset(`${c.prefix}:raw:${poison.id}`, 'corrupted', '1');
    r.disconnect();
    await c.addWorker();
    expect(await settle(c, [...others, poison.id as string], 30_000)).toBeGreaterThanOrEqual(0);

    const failed = await (await admin(c, '/v1/jobs/failed')).json();
    expect(failed.items).toEqual([expect.objectContaining({ id: poison.id, attemptsMade: 3, failedReason: expect.stringMatching(/WRONGTYPE/) })]);
    const rec = await (await admin(c, `/v1/messages/${poison.id}`)).json();
    expect(rec.status).toBe('failed');
    expect(rec.error.code).toBe('attempts_exhausted');
    for (const id of others) expect((await (await admin(c, `/v1/messages/${id}`)).json()).status).toBe('done');
    // The admin's retry puts it back with fresh attempts (it fails again: the bytes are still bad).
    expect((await request(`${c.base}/v1/jobs/${poison.id}/retry`, { method: 'POST', headers: { Authorization: `Bearer ${c.keys.admin}` } })).status).toBe(202);
  }, 60_000);

  it('a message that kills the worker process every time is given up after a bounded number of deaths', async () => {
    // One job at a time, so each death takes only the poison message down (with the default
    // concurrency of 4 the jobs it holds alongside are stalled too, and retried).
    const c = await startCluster({ redisUrl: REDIS_URL, workers: 0, env: { BALLOTWATCH_JOB_LOCK_MS: '1000', BALLOTWATCH_WORKER_CONCURRENCY: '1' } });
    clusters.push(c);
    const before = await normal(c, 10);
    // A large message (8 MB of text: a few hundred ms of parsing and scoring), so the fault below
    // reliably strikes while a worker holds it.
    const words = 'the county clerk says the polling place and ballot drop box hours changed for election day'.split(' ');
    const text = Array.from({ length: 800_000 }, (_, i) => `${words[i % words.length]}${i % 997}`).join(' ');
    const poison = await post(c, Buffer.from(`From: someone@example.org\r\nTo: clerk@county.example.gov\r\nSubject: heavy\r\n\r\n${text}\r\n`));
    expect(poison.status).toBe(202);
    const after = await normal(c, 10);
    // The fault: whenever a worker process is holding the poison job, it dies (SIGKILL, as a
    // parser segfault or the kernel's OOM killer would end it) and a new one takes its place.
    const r = new Redis(REDIS_URL);
    let deaths = 0;
    let stop = false;
    let lastLock: string | null = null;
    const killer = (async () => {
      while (!stop) {
        // A worker holds the job while its lock exists; each pick-up takes a new lock token.
        const lock = await r.get(`${c.prefix}:bull:scan:${poison.id}:lock`);
        if (lock && lock !== lastLock) {
          lastLock = lock;
          await c.killWorker();
          deaths++;
          await c.addWorker();
        }
        await sleep(10);
      }
    })();
    await c.addWorker();
    const all = [...before, poison.id as string, ...after];
    // Generous: each death restarts a worker that loads the model, slow when the suite runs in parallel.
    const settled = await settle(c, all, 100_000);
    stop = true;
    await killer;
    r.disconnect();
    expect(settled).toBeGreaterThanOrEqual(0);
    // Each death ends the job's hold one of two ways: BullMQ's stall check finds it (the third
    // stall fails the job: maxStalledCount 2), or, when the kill lands after the lock was lost
    // under load, the attempt fails (JOB_ATTEMPTS 5). Which one depends on timing (full parallel
    // runs saw 3, 4, 5 and 8 deaths), so the property is the bound and the end state.
    expect(deaths).toBeGreaterThanOrEqual(3);
    expect(deaths).toBeLessThanOrEqual(3 + 5);
    const failed = await (await admin(c, '/v1/jobs/failed')).json();
    expect(failed.items).toEqual([expect.objectContaining({ id: poison.id })]);
    const rec = await (await admin(c, `/v1/messages/${poison.id}`)).json();
    expect(rec.status).toBe('failed');
    expect(['stalled', 'attempts_exhausted']).toContain(rec.error.code);
    for (const id of [...before, ...after]) expect((await (await admin(c, `/v1/messages/${id}`)).json()).status).toBe('done');
  }, 150_000);
});

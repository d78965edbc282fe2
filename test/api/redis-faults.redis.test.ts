/**
 * Faults, against a private redis-server on its own loopback port (stopped by its pid): a message
 * the API accepted survives Redis being killed (with the append-only file the README asks
 * production to use) and is scored after the restart; while Redis is down, POST answers 503
 * `unavailable` (not accepted, so the gateway retries) and the API stays up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { specimen } from '../helpers/paths';
import { freePort, postMessage, request, startTestService, type TestService } from '../helpers/service';

const dir = mkdtempSync(path.join(tmpdir(), 'bw-redis-faults-'));
let port = 0;
let redis: ChildProcess | null = null;
const services: TestService[] = [];

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const { Redis } = await import('ioredis');
      const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      await r.connect();
      await r.ping();
      r.disconnect();
      return;
    } catch {
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  throw new Error('private redis-server did not start');
}

async function killRedis(): Promise<void> {
  const r = redis;
  if (!r || r.exitCode !== null) return;
  const exited = new Promise((res) => r.once('exit', res));
  r.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
});
afterAll(async () => {
  for (const s of services) await s.close().catch(() => undefined);
  await killRedis();
  rmSync(dir, { recursive: true, force: true });
});

it('keeps an accepted message across a Redis crash, refuses new ones while Redis is down, then scores it', async () => {
  const url = `redis://127.0.0.1:${port}/0`;
  const api = await startTestService({ REDIS_URL: url, ROLE: 'api' });
  services.push(api);
  const res = await postMessage(api, readFileSync(specimen('scenarios/vote-by-text.eml')));
  expect(res.status).toBe(202);
  const { id } = await res.json();

  await killRedis();
  const refused = await postMessage(api, readFileSync(specimen('scenarios/office-early-voting.eml')));
  expect(refused.status).toBe(503);
  expect((await refused.json()).error.code).toBe('unavailable');
  expect((await request(`${api.url}/healthz`)).status).toBe(200);
  expect((await request(`${api.url}/readyz`)).status).toBe(503);

  await startRedis();
  const worker = await startTestService({ REDIS_URL: url, ROLE: 'worker', BALLOTWATCH_REDIS_PREFIX: api.prefix });
  services.push(worker);
  let rec = { status: 'queued', result: null as null | { verdict: string } };
  for (let i = 0; i < 200 && rec.status !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const got = await api.call('analyst', `/v1/messages/${id}`);
    if (got.status === 200) rec = await got.json();
  }
  expect(rec.status).toBe('done');
  expect(rec.result?.verdict).toBe('flagged');
}, 60_000);

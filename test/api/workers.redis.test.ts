/**
 * Scale-out and failure: an API process and two separate worker processes (`serve --role worker`,
 * as `npm run worker` starts them) on one Redis. One worker is killed with SIGKILL mid-stream; its
 * stalled job is picked up by the other once its lock expires, and every message is scored
 * exactly once. The survivor exits 0 on SIGTERM after draining.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { buildEmail } from '../helpers/build-email';
import { ROOT } from '../helpers/paths';
import { dropPrefix, postMessage, REDIS_URL, startTestService, uniquePrefix, type TestService } from '../helpers/service';

const prefix = uniquePrefix('workers');
const workerEnv = { ...process.env, REDIS_URL, BALLOTWATCH_REDIS_PREFIX: prefix, PORT: '0', BALLOTWATCH_JOB_LOCK_MS: '1500', BALLOTWATCH_LOG_LEVEL: 'warn' };
let api: TestService;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const w = spawn(process.execPath, [path.join(ROOT, 'bin', 'ballotwatch.js'), 'serve', '--role', 'worker'], { env: workerEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  api = await startTestService({ REDIS_URL, ROLE: 'api', BALLOTWATCH_REDIS_PREFIX: prefix });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await api?.close();
  await dropPrefix(prefix);
});

async function total(): Promise<number> {
  return (await (await api.call('analyst', '/v1/stats')).json()).total;
}

it('scores every message exactly once though a worker dies mid-stream', async () => {
  const n = 150;
  for (let i = 0; i < n; i++) {
    const res = await postMessage(api, buildEmail({ subject: `Notice ${i}`, text: `Message number ${i}: the polling place at the library is open from 7am to 8pm on election day.` }));
    expect(res.status).toBe(202);
  }
  const a = startWorker();
  const b = startWorker();
  for (let i = 0; i < 400 && (await total()) < 10; i++) await new Promise((r) => setTimeout(r, 25));
  a.kill('SIGKILL');
  for (let i = 0; i < 400 && (await total()) < n; i++) await new Promise((r) => setTimeout(r, 50));
  expect(await total()).toBe(n);
  const queued = await (await api.call('analyst', '/v1/messages?status=queued')).json();
  expect(queued.items).toHaveLength(0);

  const exited = new Promise<number | null>((resolve) => b.once('exit', (code) => resolve(code)));
  b.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 60_000);

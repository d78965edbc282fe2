/**
 * Model lifecycle across processes: an API process and two separate worker processes on one Redis.
 * A retrain runs as a job (progress visible), its candidate is stored with figures on the
 * evaluation set, activating it switches both workers without a restart, and activating the old
 * version (rollback) switches them back. A retrain with deliberately flipped labels is refused by
 * the gate and stays a candidate. Everything is in the audit log with the key that did it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths';
import { dropPrefix, freePort, postMessage, REDIS_URL, request, startTestService, uniquePrefix, type TestService } from '../helpers/service';

const prefix = uniquePrefix('lifecycle');
let api: TestService;
const workers: { proc: ChildProcess; port: number }[] = [];

const fixture = (label: string, n: number, from = 0) =>
  readdirSync(path.join(ROOT, 'fixtures/election', label))
    .sort()
    .slice(from, from + n)
    .map((f) => readFileSync(path.join(ROOT, 'fixtures/election', label, f), 'utf8'));

async function startWorker(): Promise<void> {
  const port = await freePort();
  const env = { ...process.env, REDIS_URL, BALLOTWATCH_REDIS_PREFIX: prefix, PORT: String(port), BALLOTWATCH_API_KEYS: api.keyEntries, BALLOTWATCH_LOG_LEVEL: 'warn' };
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'ballotwatch.js'), 'serve', '--role', 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  workers.push({ proc, port });
  for (let i = 0; i < 300; i++) {
    const ok = await request(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('worker did not become ready');
}

/** The model version a worker process reports in its own /metrics. */
async function workerModel(port: number): Promise<string | null> {
  const text = await (await request(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${api.keys.admin}` } })).text();
  return /ballotwatch_model_info\{version="([^"]+)"\} 1/.exec(text)?.[1] ?? null;
}

async function waitForWorkers(version: string): Promise<number> {
  const t0 = Date.now();
  for (let i = 0; i < 200; i++) {
    const seen = await Promise.all(workers.map((w) => workerModel(w.port)));
    if (seen.every((v) => v === version)) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`workers did not switch to ${version}: ${(await Promise.all(workers.map((w) => workerModel(w.port)))).join(', ')}`);
}

const admin = (p: string, init: RequestInit & { headers?: Record<string, string> } = {}) => api.call('admin', p, init);
const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** Polls a retrain job to its end; returns the job and every (state, percent) seen on the way. */
async function finish(jobId: string) {
  const seen: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const job = await (await admin(`/v1/admin/jobs/${jobId}`)).json();
    const step = `${job.state}:${job.percent}`;
    if (seen[seen.length - 1] !== step) seen.push(step);
    if (job.state === 'completed' || job.state === 'failed') return { job, seen };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`retrain did not finish: ${seen.join(' → ')}`);
}

beforeAll(async () => {
  // Polling jobs and records is faster than the admin role's default rate limit.
  api = await startTestService({ REDIS_URL, ROLE: 'api', BALLOTWATCH_REDIS_PREFIX: prefix, BALLOTWATCH_RATE_ADMIN: '100000' });
  await Promise.all([startWorker(), startWorker()]);
}, 60_000);
afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
  await api?.close();
  await dropPrefix(prefix);
});

it('retrains as a job, then activation and rollback switch both worker processes', async () => {
  const models = await (await admin('/v1/admin/models')).json();
  const shipped = models.active as string;
  expect(models.items.find((m: { version: string }) => m.version === shipped).source).toBe('shipped');
  await waitForWorkers(shipped);

  const examples = [...fixture('intimidation', 15).map((raw) => ({ label: 'intimidation', raw })), ...fixture('ham', 15).map((raw) => ({ label: 'ham', raw }))];
  const res = await admin('/v1/admin/retrain', json({ examples, note: 'integration test' }));
  expect(res.status).toBe(202);
  const { jobId } = await res.json();
  expect(res.headers.get('location')).toBe(`/v1/admin/jobs/${jobId}`);
  const { job, seen } = await finish(jobId);
  expect(job.state).toBe('completed');
  expect(job.percent).toBe(100);
  // Progress was reported on the way (not just queued → done).
  expect(seen.some((s) => /^running:\d+$/.test(s))).toBe(true);
  const candidate = job.result.version as string;
  expect(job.result.learned.intimidation).toBe(models.items.find((m: { version: string }) => m.version === shipped).counts.intimidation + 15);
  expect(job.result.metrics.evaluated).toBeGreaterThan(100);
  expect(job.result.activeMetrics.evaluated).toBe(job.result.metrics.evaluated);
  for (const c of ['intimidation', 'disinformation']) expect(job.result.metrics.categories[c].recall).toBeGreaterThan(0.5);

  const listed = (await (await admin('/v1/admin/models')).json()).items.find((m: { version: string }) => m.version === candidate);
  expect(listed).toMatchObject({ source: 'retrain', parent: shipped, trainedBy: expect.any(String), metrics: { evaluated: job.result.metrics.evaluated } });
  expect(listed.gate.passed).toBe(job.result.promoted);

  // Activate the candidate (a no-op if the gate already promoted it) while mail is flowing: no
  // job in flight fails, and every message names the version that scored it.
  const flow = Array.from({ length: 40 }, (_, i) => postMessage(api, Buffer.from(`Subject: during the swap ${i}\r\n\r\nEarly voting at the library runs until 6pm on Saturday; message ${i}.\r\n`)));
  const act = await admin(`/v1/admin/models/${candidate}/activate`, { method: 'POST' });
  expect(act.status).toBe(200);
  const ids = await Promise.all(flow.map(async (p) => (await (await p).json()).id as string));
  await waitForWorkers(candidate);
  for (const id of ids) {
    let rec = await (await admin(`/v1/messages/${id}`)).json();
    for (let i = 0; i < 200 && rec.status === 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rec = await (await admin(`/v1/messages/${id}`)).json();
    }
    expect(rec.status).toBe('done');
    expect([shipped, candidate]).toContain(rec.result.model);
  }
  const scored = await (await postMessage(api, Buffer.from(fixture('intimidation', 1, 200)[0]), '?wait=10000')).json();
  expect(scored.result.model).toBe(candidate);

  const back = await (await admin(`/v1/admin/models/${shipped}/activate`, { method: 'POST' })).json();
  expect(back).toMatchObject({ active: shipped, previous: candidate, action: 'rollback' });
  await waitForWorkers(shipped);
  const again = await (await postMessage(api, Buffer.from(fixture('disinformation', 1, 200)[0]), '?wait=10000')).json();
  expect(again.result.model).toBe(shipped);

  const audit = (await (await admin('/v1/admin/audit?limit=20')).json()).items.map((e: { action: string; version: string | null }) => `${e.action}:${e.version ?? ''}`);
  expect(audit[0]).toBe(`rollback:${shipped}`);
  expect(audit).toContain(`retrain:`);
  expect(audit).toContain(`seed:${shipped}`);
}, 120_000);

it('refuses a retrain with deliberately flipped labels and keeps the active model', async () => {
  const active = (await (await admin('/v1/admin/models')).json()).active;
  const examples = [
    ...fixture('intimidation', 60).map((raw) => ({ label: 'ham', raw })),
    ...fixture('disinformation', 60).map((raw) => ({ label: 'ham', raw })),
    ...fixture('ham', 60).map((raw) => ({ label: 'intimidation', raw })),
  ];
  const { jobId } = await (await admin('/v1/admin/retrain', json({ examples }))).json();
  const { job } = await finish(jobId);
  expect(job.state).toBe('completed');
  expect(job.result.promoted).toBe(false);
  expect(job.result.reason).toMatch(/kept as a candidate: .*ham false-positive rate rose/);
  const after = await (await admin('/v1/admin/models')).json();
  expect(after.active).toBe(active);
  const cand = after.items.find((m: { version: string }) => m.version === job.result.version);
  expect(cand).toMatchObject({ status: 'candidate', active: false, gate: { passed: false, forced: false } });
  const audit = (await (await admin('/v1/admin/audit?limit=1')).json()).items[0];
  expect(audit).toMatchObject({ action: 'refuse', version: job.result.version });
  // A candidate that is not active can be deleted; the active one cannot.
  expect((await admin(`/v1/admin/models/${job.result.version}`, { method: 'DELETE' })).status).toBe(204);
  const del = await admin(`/v1/admin/models/${active}`, { method: 'DELETE' });
  expect(del.status).toBe(409);
  expect((await del.json()).error.code).toBe('conflict');
}, 120_000);

it('lists every bad example in one error and accepts JSON lines', async () => {
  const bad = await admin('/v1/admin/retrain', json({ examples: [{ label: 'threat', text: 'x' }, { label: 'ham', raw: ' ' }, { label: 'spam' }, { label: 'spam', text: 'ok', raw: 'ok' }] }));
  expect(bad.status).toBe(400);
  const msg = (await bad.json()).error.message;
  for (const i of [0, 1, 2, 3]) expect(msg).toContain(`examples[${i}]`);
  const lines = fixture('ham', 2).map((raw) => JSON.stringify({ label: 'ham', raw })).join('\n');
  const ok = await admin('/v1/admin/retrain?note=lines', { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: lines });
  expect(ok.status).toBe(202);
  const { job } = await finish((await ok.json()).jobId);
  expect(job.request).toMatchObject({ examples: 2, note: 'lines', base: 'active' });
  expect((await admin('/v1/admin/retrain', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' })).status).toBe(415);
  expect((await admin('/v1/admin/jobs/not-a-uuid')).status).toBe(400);
  expect((await admin('/v1/admin/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
}, 120_000);

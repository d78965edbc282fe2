/**
 * Model lifecycle in embedded mode (SQLite, scoring thread): a retrain learns the newest analyst
 * label of each message with feedback (latest wins, history kept), activation swaps the scoring
 * thread's model in place, a retrain whose classes fall below the minimum is refused, and a
 * version survives a restart as the active one.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, specimen } from '../helpers/paths';
import { postMessage, startTestService, type TestService } from '../helpers/service';

const dir = mkdtempSync(path.join(tmpdir(), 'bw-lifecycle-'));
const env = { BALLOTWATCH_DATA_DIR: dir };
let svc: TestService | null = null;
afterAll(async () => {
  await svc?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (p: string, body: unknown) => svc!.call('admin', p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

async function finish(jobId: string) {
  for (let i = 0; i < 1200; i++) {
    const job = await (await svc!.call('admin', `/v1/admin/jobs/${jobId}`)).json();
    if (job.state === 'completed' || job.state === 'failed') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('retrain did not finish');
}

it('retrains from feedback (latest label wins), swaps the scoring thread, keeps the choice across a restart', async () => {
  svc = await startTestService(env);
  const shipped = (await (await svc.call('admin', '/v1/admin/models')).json()).active;
  const before = Date.now();
  const scored = await (await postMessage(svc, readFileSync(specimen('scenarios/vote-by-text.eml')), '?wait=10000')).json();
  expect(scored.result.model).toBe(shipped);
  // Two analysts disagree; the later one wins, both stay in the history.
  await post(`/v1/messages/${scored.id}/feedback`, { label: 'ham', note: 'first look' });
  await new Promise((r) => setTimeout(r, 5));
  await post(`/v1/messages/${scored.id}/feedback`, { label: 'spam', note: 'second look' });
  const counts = (await (await svc.call('admin', `/v1/admin/models/${shipped}`)).json()).counts;

  const res = await post('/v1/admin/retrain', { feedbackSince: new Date(before).toISOString() });
  expect(res.status).toBe(202);
  const job = await finish((await res.json()).jobId);
  expect(job.state).toBe('completed');
  expect(job.result.learned.spam).toBe(counts.spam + 1);
  expect(job.result.learned.ham).toBe(counts.ham);
  const history = (await (await svc.call('analyst', `/v1/messages/${scored.id}`)).json()).feedback.map((f: { label: string }) => f.label);
  expect(history).toEqual(['ham', 'spam']);

  const candidate = job.result.version;
  expect((await post(`/v1/admin/models/${candidate}/activate`, {})).status).toBe(200);
  let model = '';
  for (let i = 0; i < 100 && model !== candidate; i++) {
    const r = await (await postMessage(svc, Buffer.from(`Subject: check ${i}\r\n\r\nPolls are open from 7am to 8pm at the library, bring ID if you have it.\r\n`), '?wait=10000')).json();
    model = r.result.model;
    if (model !== candidate) await new Promise((r2) => setTimeout(r2, 50));
  }
  expect(model).toBe(candidate);

  await svc.close();
  svc = await startTestService(env);
  expect((await (await svc.call('admin', '/v1/admin/models')).json()).active).toBe(candidate);
  const after = await (await postMessage(svc, Buffer.from('Subject: after restart\r\n\r\nThe county clerk office will be closed on Friday for the holiday, early voting resumes Monday.\r\n'), '?wait=10000')).json();
  expect(after.result.model).toBe(candidate);
}, 120_000);

it('promotes a gate-refused candidate only with force, logged in the audit as forced', async () => {
  const dirOf = (label: string) => path.join(ROOT, 'fixtures/election', label);
  const flip = (from: string, to: string) =>
    readdirSync(dirOf(from))
      .slice(0, 60)
      .map((f) => ({ label: to, raw: readFileSync(path.join(dirOf(from), f), 'utf8') }));
  const examples = [...flip('intimidation', 'ham'), ...flip('disinformation', 'ham'), ...flip('ham', 'intimidation')];
  const active = (await (await svc!.call('admin', '/v1/admin/models')).json()).active;
  const job = await finish((await (await post('/v1/admin/retrain', { examples, force: true, note: 'forced on purpose' })).json()).jobId);
  expect(job.state).toBe('completed');
  expect(job.result.promoted).toBe(true);
  expect(job.result.reason).toMatch(/^promoted by force despite the gate: .*ham false-positive rate rose/);
  const models = await (await svc!.call('admin', '/v1/admin/models')).json();
  expect(models.active).toBe(job.result.version);
  expect(models.items[0]).toMatchObject({ version: job.result.version, gate: { passed: false, forced: true } });
  const audit = (await (await svc!.call('admin', '/v1/admin/audit?limit=1')).json()).items[0];
  expect(audit).toMatchObject({ action: 'promote', version: job.result.version, details: { forced: true, previous: active } });
  // And undone.
  expect((await (await post(`/v1/admin/models/${active}/activate`, {})).json()).action).toBe('rollback');
}, 120_000);

it('refuses a retrain whose classes fall below the minimum of learned examples', async () => {
  const dirOf = (label: string) => path.join(ROOT, 'fixtures/election', label);
  const examples = ['ham', 'intimidation'].flatMap((label) =>
    readdirSync(dirOf(label))
      .slice(0, 5)
      .map((f) => ({ label, raw: readFileSync(path.join(dirOf(label), f), 'utf8') })),
  );
  const job = await finish((await (await post('/v1/admin/retrain', { examples, base: 'none' })).json()).jobId);
  expect(job.state).toBe('failed');
  expect(job.errors.join(' ')).toMatch(/too few learned examples: ham 5, spam 0, intimidation 5, disinformation 0/);
  const bad = await post('/v1/admin/retrain', { examples, base: 'none', baseCorpus: true });
  expect(bad.status).toBe(400);
}, 60_000);

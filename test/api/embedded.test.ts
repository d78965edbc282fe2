/**
 * Embedded mode (no REDIS_URL): one process, SQLite store, scoring on a worker thread. The same
 * HTTP API; results survive a restart, and messages accepted but not yet scored when the process
 * stopped are scored at the next start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { SqliteStore, sqliteFile } from '../../src/store/sqlite-store';
import { buildEmail } from '../helpers/build-email';
import { runCli } from '../helpers/run-cli';
import { specimen } from '../helpers/paths';
import { postMessage, startTestService, type TestService } from '../helpers/service';

const dir = mkdtempSync(path.join(tmpdir(), 'bw-embedded-'));
const env = { BALLOTWATCH_DATA_DIR: dir };
let svc: TestService | null = null;
afterAll(async () => {
  await svc?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('scores through the same API with no Redis', async () => {
  svc = await startTestService(env);
  expect(svc.mode).toBe('embedded');
  const res = await postMessage(svc, readFileSync(specimen('scenarios/vote-by-text.eml')), '?wait=10000');
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.result.verdict).toBe('flagged');
  expect(body.result.category).toBe('disinformation');
  expect((await postMessage(svc, Buffer.alloc(0))).status).toBe(400);
  const stats = await (await svc.call('analyst', '/v1/stats')).json();
  expect(stats.verdict.flagged).toBe(1);
  const metrics = await (await svc.call('admin', '/metrics')).text();
  expect(metrics).toMatch(/ballotwatch_model_info\{version="[^"]+"\} 1/);

  // An analyst's correction comes back out as training mail.
  const fb = await svc.call('analyst', `/v1/messages/${body.id}/feedback`, { method: 'POST', body: JSON.stringify({ label: 'disinformation', note: 'confirmed' }), headers: { 'Content-Type': 'application/json' } });
  expect(fb.status).toBe(201);
  const out = path.join(dir, 'export');
  const cli = await runCli(['feedback', 'export', '--out', out], { BALLOTWATCH_DATA_DIR: dir });
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout)).toEqual({ out, messages: 1, written: { disinformation: 1 }, missingRaw: 0 });
  expect(readFileSync(path.join(out, 'disinformation', `${body.id}.eml`))).toEqual(readFileSync(specimen('scenarios/vote-by-text.eml')));
});

it('keeps results across a restart and scores what was still queued', async () => {
  await svc!.close();
  svc = null;
  // While the service is down, a message is accepted into the store but not scored (as after a crash).
  const raw = buildEmail({ subject: 'left in the queue', text: 'This message was accepted just before the process stopped and must still be scored.' });
  const id = createHash('sha256').update(raw).digest('hex');
  const store = SqliteStore.open({ file: sqliteFile(dir), retention: { resultsMs: 86_400_000, rawMs: 86_400_000 } });
  const envelope = { clientIp: null, mailFrom: null, rcptTo: [], helo: null, gateway: 'g' };
  await store.accept({ id, raw, receivedAt: Date.now(), envelope });
  // More than one page of the store's pending list (1,000): all of it must be picked up.
  for (let i = 0; i < 1100; i++) {
    const r = Buffer.from(`Subject: n${i}\r\n\r\nnote ${i}\r\n`);
    await store.accept({ id: createHash('sha256').update(r).digest('hex'), raw: r, receivedAt: Date.now() - 1000, envelope });
  }
  await store.close();

  svc = await startTestService(env);
  const list = await (await svc.call('analyst', '/v1/messages?verdict=flagged')).json();
  expect(list.items).toHaveLength(1);
  let rec = { status: 'queued' };
  for (let i = 0; i < 100 && rec.status !== 'done'; i++) {
    rec = await (await svc.call('analyst', `/v1/messages/${id}`)).json();
    if (rec.status !== 'done') await new Promise((r) => setTimeout(r, 50));
  }
  expect(rec.status).toBe('done');
  let queued = 1;
  for (let i = 0; i < 400 && queued > 0; i++) {
    queued = (await (await svc.call('analyst', '/v1/messages?status=queued&limit=500')).json()).items.length;
    if (queued) await new Promise((r) => setTimeout(r, 50));
  }
  expect(queued).toBe(0);
  expect((await (await svc.call('analyst', '/v1/stats')).json()).total).toBe(1 + 1 + 1100);
}, 60_000);

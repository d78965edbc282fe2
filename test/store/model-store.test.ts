/**
 * One contract for the model store, run against Redis (unique prefix) and SQLite (in memory):
 * versions are never overwritten, activation is atomic and announced, the active version cannot be
 * deleted, retrain jobs keep their examples until dropped, the audit log pages newest first.
 */
import { Redis } from 'ioredis';
import type { ModelMeta, ModelStore, RetrainJob } from '../../src/store/model-store';
import { UnknownModelError } from '../../src/store/model-store';
import { RedisModelStore } from '../../src/store/redis-model-store';
import { SqliteModelStore } from '../../src/store/sqlite-model-store';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/service';

const meta = (version: string, createdAt: number): ModelMeta => ({
  version,
  createdAt,
  source: 'retrain',
  parent: null,
  trainedBy: 'key-1',
  counts: { ham: 100, civic: 10, spam: 100, intimidation: 100, disinformation: 100 },
  metrics: null,
  gate: null,
  training: {},
  bytes: 3,
});

const job = (id: string): RetrainJob => ({
  id,
  state: 'queued',
  percent: 0,
  phase: 'queued',
  errors: [],
  createdAt: 1,
  updatedAt: 1,
  by: 'key-1',
  request: { feedbackSince: null, examples: 1, base: 'active', force: false, note: '' },
  result: null,
});

const redisConns: Redis[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const c of redisConns) c.disconnect();
  for (const p of prefixes) await dropPrefix(p);
});

const stores: [string, () => Promise<ModelStore>][] = [
  [
    'redis',
    async () => {
      const prefix = uniquePrefix('models');
      prefixes.push(prefix);
      const c = new Redis(REDIS_URL);
      redisConns.push(c);
      return new RedisModelStore(c, `${prefix}:`);
    },
  ],
  ['sqlite', async () => SqliteModelStore.open(':memory:')],
];

describe.each(stores)('%s model store', (_name, open) => {
  let s: ModelStore;
  beforeEach(async () => {
    s = await open();
  });
  afterEach(async () => {
    await s.close();
  });

  it('stores versions with their bytes and never overwrites one', async () => {
    expect(await s.put(meta('v1', 1000), Buffer.from([1, 2, 3]))).toBe(true);
    expect(await s.put(meta('v1', 2000), Buffer.from([9]))).toBe(false);
    expect((await s.get('v1'))?.createdAt).toBe(1000);
    expect(await s.blob('v1')).toEqual(Buffer.from([1, 2, 3]));
    expect(await s.get('nope')).toBeNull();
    expect(await s.blob('nope')).toBeNull();
    await s.put(meta('v2', 3000), Buffer.from([4]));
    expect((await s.list()).map((m) => m.version)).toEqual(['v2', 'v1']);
  });

  it('activates atomically, tells listeners, and refuses unknown versions', async () => {
    await s.put(meta('v1', 1), Buffer.from([1]));
    await s.put(meta('v2', 2), Buffer.from([2]));
    const heard: string[] = [];
    const stop = await s.onActivate((v) => heard.push(v));
    expect(await s.activateIfNone('v1')).toBe(true);
    expect(await s.activateIfNone('v2')).toBe(false);
    expect(await s.active()).toBe('v1');
    expect(await s.activate('v2')).toBe('v1');
    await expect(s.activate('v3')).rejects.toBeInstanceOf(UnknownModelError);
    expect(await s.active()).toBe('v2');
    for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual(['v1', 'v2']);
    await stop();
  });

  it('deletes only versions that are not active', async () => {
    await s.put(meta('v1', 1), Buffer.from([1]));
    await s.put(meta('v2', 2), Buffer.from([2]));
    await s.activate('v1');
    expect(await s.delete('v1')).toBe('active');
    expect(await s.delete('v2')).toBe('deleted');
    expect(await s.delete('v2')).toBe('missing');
    expect(await s.blob('v2')).toBeNull();
    expect((await s.list()).map((m) => m.version)).toEqual(['v1']);
  });

  it('updates a version\'s figures and gate decision', async () => {
    await s.put(meta('v1', 1), Buffer.from([1]));
    await s.updateMeta('v1', { gate: { passed: false, forced: false, reasons: ['worse'] } });
    expect((await s.get('v1'))?.gate?.reasons).toEqual(['worse']);
    await expect(s.updateMeta('nope', { gate: null })).rejects.toBeInstanceOf(UnknownModelError);
  });

  it('keeps a retrain job and its examples until they are dropped', async () => {
    await s.putJob(job('j1'), [{ label: 'spam', raw: 'aGk=' }]);
    expect((await s.getJob('j1'))?.state).toBe('queued');
    await s.updateJob('j1', { state: 'running', percent: 40, phase: 'training' });
    const j = await s.getJob('j1');
    expect([j?.state, j?.percent, j?.phase, j?.by]).toEqual(['running', 40, 'training', 'key-1']);
    expect(await s.jobExamples('j1')).toEqual([{ label: 'spam', raw: 'aGk=' }]);
    await s.dropJobExamples('j1');
    expect(await s.jobExamples('j1')).toEqual([]);
    expect(await s.getJob('j1')).not.toBeNull();
    expect(await s.getJob('j2')).toBeNull();
  });

  it('pages the audit log newest first', async () => {
    for (let i = 0; i < 5; i++) await s.audit({ at: i, action: 'activate', by: 'k', version: `v${i}`, details: { i } });
    const first = await s.auditLog(2);
    expect(first.items.map((e) => e.version)).toEqual(['v4', 'v3']);
    const second = await s.auditLog(2, first.nextCursor!);
    expect(second.items.map((e) => e.version)).toEqual(['v2', 'v1']);
    const third = await s.auditLog(2, second.nextCursor!);
    expect(third.items.map((e) => e.version)).toEqual(['v0']);
    expect(third.nextCursor).toBeNull();
    expect(third.items[0].details).toEqual({ i: 0 });
  });
});

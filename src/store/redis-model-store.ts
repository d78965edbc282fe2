import type { Redis } from 'ioredis';
import { UnknownModelError, type AuditEntry, type ModelMeta, type ModelStore, type RetrainJob, type StoredExample } from './model-store';

/** Retrain job records are kept this long; their examples only until the job ends (or a day). */
const JOB_TTL_S = 30 * 86_400;
const EXAMPLES_TTL_S = 86_400;
/** The audit stream keeps about this many entries. */
const AUDIT_MAX = 100_000;

/**
 * Keys (all under the deployment's prefix):
 *   model:meta          hash: version → ModelMeta JSON
 *   model:blob:{v}      the gzipped model file
 *   model:active        the active version;  channel model:activated carries each new one
 *   rjob:{id}           RetrainJob JSON;  rjob:{id}:ex  its labelled examples (JSON)
 *   audit               stream of AuditEntry (the stream id is the entry id and the cursor)
 */
export class RedisModelStore implements ModelStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('bwModelPut', {
      numberOfKeys: 2,
      lua: `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
            redis.call('SET', KEYS[2], ARGV[3])
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1`,
    });
    redis.defineCommand('bwModelActivate', {
      numberOfKeys: 2,
      lua: `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {0, false} end
            local old = redis.call('GET', KEYS[2])
            redis.call('SET', KEYS[2], ARGV[1])
            redis.call('PUBLISH', ARGV[2], ARGV[1])
            return {1, old}`,
    });
    redis.defineCommand('bwModelDelete', {
      numberOfKeys: 3,
      lua: `if redis.call('GET', KEYS[2]) == ARGV[1] then return 'active' end
            if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 'missing' end
            redis.call('DEL', KEYS[3])
            return 'deleted'`,
    });
  }

  private k(s: string): string {
    return `${this.prefix}${s}`;
  }

  get channel(): string {
    return this.k('model:activated');
  }

  private cmd(): {
    bwModelPut(meta: string, blobKey: string, version: string, json: string, blob: Buffer): Promise<number>;
    bwModelActivate(meta: string, active: string, version: string, channel: string): Promise<[number, string | null]>;
    bwModelDelete(meta: string, active: string, blobKey: string, version: string): Promise<'deleted' | 'active' | 'missing'>;
  } {
    return this.redis as unknown as ReturnType<RedisModelStore['cmd']>;
  }

  async put(meta: ModelMeta, blob: Buffer): Promise<boolean> {
    return (await this.cmd().bwModelPut(this.k('model:meta'), this.k(`model:blob:${meta.version}`), meta.version, JSON.stringify(meta), blob)) === 1;
  }

  async get(version: string): Promise<ModelMeta | null> {
    const s = await this.redis.hget(this.k('model:meta'), version);
    return s ? (JSON.parse(s) as ModelMeta) : null;
  }

  blob(version: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.k(`model:blob:${version}`));
  }

  async list(): Promise<ModelMeta[]> {
    const all = await this.redis.hvals(this.k('model:meta'));
    return all.map((s) => JSON.parse(s) as ModelMeta).sort((a, b) => b.createdAt - a.createdAt || (a.version < b.version ? 1 : -1));
  }

  async updateMeta(version: string, patch: Partial<Pick<ModelMeta, 'metrics' | 'gate'>>): Promise<void> {
    const meta = await this.get(version);
    if (!meta) throw new UnknownModelError(version);
    await this.redis.hset(this.k('model:meta'), version, JSON.stringify({ ...meta, ...patch }));
  }

  delete(version: string): Promise<'deleted' | 'active' | 'missing'> {
    return this.cmd().bwModelDelete(this.k('model:meta'), this.k('model:active'), this.k(`model:blob:${version}`), version);
  }

  active(): Promise<string | null> {
    return this.redis.get(this.k('model:active'));
  }

  async activate(version: string): Promise<string | null> {
    const [ok, old] = await this.cmd().bwModelActivate(this.k('model:meta'), this.k('model:active'), version, this.channel);
    if (!ok) throw new UnknownModelError(version);
    return old;
  }

  async activateIfNone(version: string): Promise<boolean> {
    if (!(await this.get(version))) throw new UnknownModelError(version);
    const set = (await this.redis.set(this.k('model:active'), version, 'NX')) === 'OK';
    if (set) await this.redis.publish(this.channel, version);
    return set;
  }

  async onActivate(fn: (version: string) => void): Promise<() => Promise<void>> {
    // The subscriber waits for its connection (the store's own connection fails fast instead).
    const sub = this.redis.duplicate({ enableAutoPipelining: false, enableOfflineQueue: true });
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, version: string) => {
      if (channel === this.channel) fn(version);
    });
    await sub.subscribe(this.channel);
    return async () => {
      await sub.quit().catch(() => sub.disconnect());
    };
  }

  async putJob(job: RetrainJob, examples: StoredExample[]): Promise<void> {
    const m = this.redis.multi();
    if (examples.length) m.set(this.k(`rjob:${job.id}:ex`), JSON.stringify(examples), 'EX', EXAMPLES_TTL_S);
    m.set(this.k(`rjob:${job.id}`), JSON.stringify(job), 'EX', JOB_TTL_S);
    await m.exec();
  }

  async getJob(id: string): Promise<RetrainJob | null> {
    const s = await this.redis.get(this.k(`rjob:${id}`));
    return s ? (JSON.parse(s) as RetrainJob) : null;
  }

  async updateJob(id: string, patch: Partial<Omit<RetrainJob, 'id' | 'createdAt' | 'by' | 'request'>>): Promise<void> {
    // One writer per job (the worker running it), so read-modify-write is safe.
    const job = await this.getJob(id);
    if (!job) return;
    await this.redis.set(this.k(`rjob:${id}`), JSON.stringify({ ...job, ...patch, updatedAt: Date.now() }), 'EX', JOB_TTL_S);
  }

  async jobExamples(id: string): Promise<StoredExample[]> {
    const s = await this.redis.get(this.k(`rjob:${id}:ex`));
    return s ? (JSON.parse(s) as StoredExample[]) : [];
  }

  async dropJobExamples(id: string): Promise<void> {
    await this.redis.del(this.k(`rjob:${id}:ex`));
  }

  async audit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const id = await this.redis.xadd(this.k('audit'), 'MAXLEN', '~', String(AUDIT_MAX), '*', 'e', JSON.stringify(entry));
    return { id: id as string, ...entry };
  }

  async auditLog(limit: number, cursor?: string): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const rows = await this.redis.xrevrange(this.k('audit'), cursor ? `(${cursor}` : '+', '-', 'COUNT', limit + 1);
    const items = rows.slice(0, limit).map(([id, fields]) => ({ id, ...(JSON.parse(fields[1]) as Omit<AuditEntry, 'id'>) }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async close(): Promise<void> {
    // The connection belongs to the caller.
  }
}

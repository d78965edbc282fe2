import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { decodeCursor, encodeCursor, isAfter, type Position } from './cursor';
import type {
  AcceptInput,
  CampaignMember,
  CampaignQuery,
  CompleteInput,
  Counts,
  Feedback,
  FeedbackLabel,
  FeedbackQuery,
  ListQuery,
  MessageRecord,
  Page,
  ResultStore,
  Retention,
  Stats,
  StatsQuery,
} from './types';

const HOUR = 3_600_000;
/** Most index entries one list request reads by default (see list()). */
const LIST_SCAN_LIMIT = 5_000;
const DAY = 24 * HOUR;

/*
 * Key layout (every key starts with the configured prefix, e.g. "bw:"):
 *   m:{id}        hash: status, at, size, env, gw, result, scoredAt, error, verdict, category,
 *                 subject, from (lower case, for q), senderDomain, simhash
 *   raw:{id}      the raw message bytes
 *   mfb:{id}      list of the message's feedback (JSON), oldest first
 *   i:all  i:queued  i:failed  i:v:{verdict}  i:c:{category}  i:g:{gateway}  i:d:{domain}
 *                 sorted sets of ids scored by receivedAt; `indexes` names the dynamic ones for purge
 *   rawexp        sorted set: id → when its raw message expires;  pin: set of ids whose raw is kept (feedback)
 *   st:{hour}     hash of counters for messages received in that hour; st:hours lists the hours
 *   fb:{fbid}     feedback JSON;  fbi, fbi:{label}: sorted sets of feedback ids by time
 *   w:{id}        set (with a TTL) while a request waits for the message's result
 *   done          pub/sub channel: id of each newly completed message that someone waits for
 * Writes that must be all-or-nothing (accept, complete) are Lua scripts: one round trip, atomic,
 * and `complete` checks the status inside the script so a retried job cannot count twice.
 */

const RECORD_FIELDS = ['status', 'at', 'size', 'env', 'result', 'scoredAt', 'error', 'simhash', 'senderDomain'] as const;
const RECORD_FIELDS_LUA = RECORD_FIELDS.map((f) => `'${f}'`).join(', ');

const ACCEPT_LUA = `
local p, id = ARGV[1], ARGV[2]
local mk = p .. 'm:' .. id
if redis.call('EXISTS', mk) == 1 then return 0 end
redis.call('HSET', mk, 'status', 'queued', 'at', ARGV[3], 'size', ARGV[4], 'env', ARGV[5], 'gw', ARGV[6])
redis.call('SET', p .. 'raw:' .. id, ARGV[7])
redis.call('ZADD', p .. 'i:all', ARGV[3], id)
redis.call('ZADD', p .. 'i:queued', ARGV[3], id)
if ARGV[6] ~= '' then
  local k = p .. 'i:g:' .. ARGV[6]
  redis.call('ZADD', k, ARGV[3], id)
  redis.call('SADD', p .. 'indexes', k)
end
return 1`;

// ARGV: prefix id scoredAt result verdict category senderDomain simhash keepRawUntil subject from signals(\\n-separated)
const COMPLETE_LUA = `
local p, id = ARGV[1], ARGV[2]
local mk = p .. 'm:' .. id
local st = redis.call('HGET', mk, 'status')
if (not st) or st == 'done' then return 0 end
local at = tonumber(redis.call('HGET', mk, 'at'))
local verdict, category, domain = ARGV[5], ARGV[6], ARGV[7]
redis.call('HSET', mk, 'status', 'done', 'scoredAt', ARGV[3], 'result', ARGV[4], 'verdict', verdict, 'category', category,
  'senderDomain', domain, 'simhash', ARGV[8], 'subject', ARGV[10], 'from', ARGV[11], 'sigs', ARGV[12])
redis.call('HDEL', mk, 'error')
redis.call('ZREM', p .. 'i:queued', id)
redis.call('ZREM', p .. 'i:failed', id)
local function idx(k)
  redis.call('ZADD', k, at, id)
  redis.call('SADD', p .. 'indexes', k)
end
idx(p .. 'i:v:' .. verdict)
if category ~= '' then idx(p .. 'i:c:' .. category) end
if domain ~= '' then idx(p .. 'i:d:' .. domain) end
if redis.call('SISMEMBER', p .. 'pin', id) == 0 then
  if ARGV[9] == '' then redis.call('DEL', p .. 'raw:' .. id)
  else redis.call('ZADD', p .. 'rawexp', ARGV[9], id) end
end
local hour = at - (at % ${HOUR})
local sk = p .. 'st:' .. hour
redis.call('HINCRBY', sk, 't', 1)
redis.call('HINCRBY', sk, 'v:' .. verdict, 1)
if category ~= '' then redis.call('HINCRBY', sk, 'c:' .. category, 1) end
if domain ~= '' then
  redis.call('HINCRBY', sk, 'dt:' .. domain, 1)
  if verdict == 'flagged' or verdict == 'suspicious' then redis.call('HINCRBY', sk, 'df:' .. domain, 1) end
end
if ARGV[12] ~= '' then
  for sig in string.gmatch(ARGV[12], '[^\\n]+') do redis.call('HINCRBY', sk, 's:' .. sig, 1) end
end
redis.call('ZADD', p .. 'st:hours', hour, hour)
-- Announced only when an API process waits for it (?wait): nobody else needs waking.
if redis.call('EXISTS', p .. 'w:' .. id) == 1 then redis.call('PUBLISH', p .. 'done', id) end
-- The stored record, so the caller needs no second round trip (without the result it just sent).
return {redis.call('HMGET', mk, ${RECORD_FIELDS_LUA.replace("'result'", "'nil'")}), redis.call('LRANGE', p .. 'mfb:' .. id, 0, -1)}`;

// Drops one message, undoing its stat counters so stats match what is still stored.
// ARGV: prefix id. Returns 1 when a raw message was deleted.
const PURGE_LUA = `
local p, id = ARGV[1], ARGV[2]
local mk = p .. 'm:' .. id
local f = redis.call('HMGET', mk, 'status', 'at', 'verdict', 'category', 'senderDomain', 'sigs')
local raw = 0
if redis.call('SISMEMBER', p .. 'pin', id) == 0 then raw = redis.call('DEL', p .. 'raw:' .. id) end
redis.call('ZREM', p .. 'rawexp', id)
if f[1] == 'done' then
  local at = tonumber(f[2])
  local sk = p .. 'st:' .. (at - (at % ${HOUR}))
  local function dec(field)
    if redis.call('HINCRBY', sk, field, -1) <= 0 then redis.call('HDEL', sk, field) end
  end
  dec('t')
  dec('v:' .. f[3])
  if f[4] and f[4] ~= '' then dec('c:' .. f[4]) end
  if f[5] and f[5] ~= '' then
    dec('dt:' .. f[5])
    if f[3] == 'flagged' or f[3] == 'suspicious' then dec('df:' .. f[5]) end
  end
  if f[6] and f[6] ~= '' then
    for sig in string.gmatch(f[6], '[^\\n]+') do dec('s:' .. sig) end
  end
end
redis.call('DEL', mk, p .. 'mfb:' .. id)
redis.call('ZREM', p .. 'i:all', id)
return raw`;

// Status changes that must not overwrite a result: fail (queued → failed) and requeue (failed → queued).
// ARGV: prefix id error-json. Returns 1 when the status changed.
const FAIL_LUA = `
local p, id = ARGV[1], ARGV[2]
local mk = p .. 'm:' .. id
local st = redis.call('HGET', mk, 'status')
if st ~= 'queued' and st ~= 'failed' then return 0 end
redis.call('HSET', mk, 'status', 'failed', 'error', ARGV[3])
redis.call('ZREM', p .. 'i:queued', id)
redis.call('ZADD', p .. 'i:failed', redis.call('HGET', mk, 'at'), id)
if redis.call('EXISTS', p .. 'w:' .. id) == 1 then redis.call('PUBLISH', p .. 'done', id) end
return 1`;

const REQUEUE_LUA = `
local p, id = ARGV[1], ARGV[2]
local mk = p .. 'm:' .. id
if redis.call('HGET', mk, 'status') ~= 'failed' then return 0 end
redis.call('HSET', mk, 'status', 'queued')
redis.call('HDEL', mk, 'error')
redis.call('ZREM', p .. 'i:failed', id)
redis.call('ZADD', p .. 'i:queued', redis.call('HGET', mk, 'at'), id)
return 1`;

type RedisWithScripts = Redis & {
  bwFail(...args: string[]): Promise<number>;
  bwRequeue(...args: string[]): Promise<number>;
  bwPurge(...args: (string | number)[]): Promise<number>;
  bwAccept(...args: (string | number | Buffer)[]): Promise<number>;
  bwComplete(...args: (string | number)[]): Promise<0 | [(string | null)[], string[]]>;
};


export class RedisStore implements ResultStore {
  readonly kind = 'redis' as const;
  private readonly redis: RedisWithScripts;
  private closed = false;

  /**
   * @param redis a connection this store may use (and close, when `ownsConnection`)
   * @param prefix key prefix, e.g. "bw:"
   */
  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly retention: Retention,
    private readonly ownsConnection = false,
    private readonly listScanLimit = LIST_SCAN_LIMIT,
  ) {
    this.redis = redis as RedisWithScripts;
    if (!('bwAccept' in redis)) {
      redis.defineCommand('bwAccept', { numberOfKeys: 0, lua: ACCEPT_LUA });
      redis.defineCommand('bwComplete', { numberOfKeys: 0, lua: COMPLETE_LUA });
      redis.defineCommand('bwPurge', { numberOfKeys: 0, lua: PURGE_LUA });
      redis.defineCommand('bwFail', { numberOfKeys: 0, lua: FAIL_LUA });
      redis.defineCommand('bwRequeue', { numberOfKeys: 0, lua: REQUEUE_LUA });
    }
  }

  /** Channel on which each completed message's id is published. */
  get doneChannel(): string {
    return `${this.prefix}done`;
  }

  /** Asks for `id`'s completion to be published on doneChannel for the next `ms`. */
  async markWaiting(id: string, ms: number): Promise<void> {
    await this.redis.set(this.k(`w:${id}`), '1', 'PX', Math.max(1, ms));
  }

  private k(s: string): string {
    return this.prefix + s;
  }

  async accept(input: AcceptInput): Promise<{ created: boolean; record: MessageRecord }> {
    const created = await this.redis.bwAccept(this.prefix, input.id, input.receivedAt, input.raw.length, JSON.stringify(input.envelope), input.envelope.gateway ?? '', input.raw);
    if (created === 1) {
      // What the script just wrote: no second round trip on the hot path.
      const record: MessageRecord = { id: input.id, status: 'queued', receivedAt: input.receivedAt, size: input.raw.length, envelope: input.envelope, result: null, scoredAt: null, error: null, simhash: null, senderDomain: null, feedback: [] };
      return { created: true, record };
    }
    const record = await this.get(input.id);
    if (!record) throw new Error(`message ${input.id} vanished right after it was accepted`);
    return { created: created === 1, record };
  }

  async getRaw(id: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.k(`raw:${id}`));
  }

  async complete(id: string, input: CompleteInput): Promise<MessageRecord | null> {
    const r = input.result;
    const cleanMs = this.retention.cleanRawMs ?? 0;
    const keepRaw = r.verdict !== 'clean' ? String(input.scoredAt + this.retention.rawMs) : cleanMs > 0 ? String(input.scoredAt + cleanMs) : '';
    const done = await this.redis.bwComplete(
      this.prefix,
      id,
      input.scoredAt,
      JSON.stringify(r),
      r.verdict,
      r.category ?? '',
      input.senderDomain ?? '',
      input.simhash ?? '',
      keepRaw,
      r.message.subject,
      (r.message.from ?? '').toLowerCase(),
      [...new Set(r.signals.map((s) => s.id))].join('\n'),
    );
    if (done === 0) return null;
    const record = parseRecord(id, done[0], done[1]);
    if (record) record.result = r;
    return record;
  }

  async fail(id: string, error: { code: string; message: string }): Promise<void> {
    await this.redis.bwFail(this.prefix, id, JSON.stringify(error));
  }

  async requeue(id: string): Promise<boolean> {
    return (await this.redis.bwRequeue(this.prefix, id)) === 1;
  }

  async get(id: string): Promise<MessageRecord | null> {
    const [rec] = await this.getMany([id]);
    return rec ?? null;
  }

  private async getMany(ids: string[]): Promise<(MessageRecord | null)[]> {
    if (!ids.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) {
      pipe.hmget(this.k(`m:${id}`), ...RECORD_FIELDS);
      pipe.lrange(this.k(`mfb:${id}`), 0, -1);
    }
    const res = (await pipe.exec()) ?? [];
    return ids.map((id, i) => {
      const [err, v] = res[2 * i];
      if (err) throw err;
      return parseRecord(id, v as (string | null)[], res[2 * i + 1][1] as string[]);
    });
  }

  /**
   * Walks a sorted set newest first, strictly after `after`, within [since, until), in batches:
   * yields ids with their scores. Equal scores are ordered by id descending (ZREVRANGEBYSCORE).
   */
  private async *walk(key: string, since: number | undefined, until: number | undefined, after: Position | undefined, batch: number): AsyncGenerator<Position> {
    let max = until === undefined ? '+inf' : `(${until}`;
    if (after && (until === undefined || after.at < until)) max = String(after.at);
    const min = since === undefined ? '-inf' : String(since);
    let skip = 0;
    let pos = after;
    for (;;) {
      const res = await this.redis.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', skip, batch);
      if (!res.length) return;
      let lastAt = NaN;
      let sameAtLast = 0;
      for (let i = 0; i < res.length; i += 2) {
        const p = { id: res[i], at: Number(res[i + 1]) };
        if (p.at === lastAt) sameAtLast++;
        else {
          lastAt = p.at;
          sameAtLast = 1;
        }
        if (pos && !isAfter(p, pos)) continue;
        pos = undefined;
        yield p;
      }
      if (res.length < batch * 2) return;
      // Next batch: from the last score seen, skipping the members at that score already read.
      if (String(lastAt) === max) skip += sameAtLast;
      else {
        max = String(lastAt);
        skip = sameAtLast;
      }
    }
  }

  async list(q: ListQuery): Promise<Page<MessageRecord>> {
    checkLimit(q.limit);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    // The most selective index carries the walk; the other filters are checked on each record.
    const key = q.sender
      ? `i:d:${q.sender.toLowerCase()}`
      : q.gateway
        ? `i:g:${q.gateway}`
        : q.category
          ? `i:c:${q.category}`
          : q.verdict
            ? `i:v:${q.verdict}`
            : q.status === 'queued'
              ? 'i:queued'
              : q.status === 'failed'
                ? 'i:failed'
                : 'i:all';
    const needle = q.q?.toLowerCase();
    const items: MessageRecord[] = [];
    let more = false;
    let chunk: Position[] = [];
    const flush = async (): Promise<boolean> => {
      const recs = await this.getMany(chunk.map((p) => p.id));
      chunk = [];
      for (const r of recs) {
        if (!r || !matches(r, q, needle)) continue;
        if (items.length === q.limit) {
          more = true;
          return true;
        }
        items.push(r);
      }
      return false;
    };
    // One request reads at most listScanLimit index entries: a filter that matches little
    // returns a short (even empty) page with a cursor where the reading stopped.
    let scanned = 0;
    let lastScanned: Position | null = null;
    let cut = false;
    for await (const p of this.walk(this.k(key), q.since, q.until, after, Math.max(50, q.limit * 2))) {
      chunk.push(p);
      lastScanned = p;
      if (chunk.length >= Math.max(50, q.limit + 1) && (await flush())) break;
      if (++scanned >= this.listScanLimit && items.length < q.limit) {
        if (chunk.length && (await flush())) break;
        cut = !more;
        break;
      }
    }
    if (!more && !cut && chunk.length) await flush();
    const last = items[items.length - 1];
    if (cut && lastScanned) return { items, nextCursor: encodeCursor(lastScanned) };
    return { items, nextCursor: more && last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null };
  }

  async stats(q: StatsQuery): Promise<Stats> {
    // Counters are kept per hour: the window is widened to whole hours.
    const from = q.since - (q.since % HOUR);
    const hours = (await this.redis.zrangebyscore(this.k('st:hours'), from, `(${q.until}`)).map(Number);
    const pipe = this.redis.pipeline();
    for (const h of hours) pipe.hgetall(this.k(`st:${h}`));
    const res = (await pipe.exec()) ?? [];
    const total: Counts = { total: 0, verdict: {}, category: {} };
    const series = new Map<number, Counts & { start: number }>();
    const domains = new Map<string, { domain: string; total: number; flagged: number }>();
    const signals = new Map<string, number>();
    const bump = <K extends string>(o: Partial<Record<K, number>>, k: K, n: number) => (o[k] = (o[k] ?? 0) + n);
    hours.forEach((h, i) => {
      const fields = (res[i]?.[1] ?? {}) as Record<string, string>;
      const start = q.bucket === 'day' ? h - (h % DAY) : h;
      let b = series.get(start);
      if (!b) series.set(start, (b = { start, total: 0, verdict: {}, category: {} }));
      for (const [f, v] of Object.entries(fields)) {
        const n = Number(v);
        const colon = f.indexOf(':');
        const kind = colon < 0 ? f : f.slice(0, colon);
        const name = f.slice(colon + 1);
        if (kind === 't') {
          total.total += n;
          b.total += n;
        } else if (kind === 'v') {
          bump(total.verdict, name as never, n);
          bump(b.verdict, name as never, n);
        } else if (kind === 'c') {
          bump(total.category, name as never, n);
          bump(b.category, name as never, n);
        } else if (kind === 'dt' || kind === 'df') {
          let d = domains.get(name);
          if (!d) domains.set(name, (d = { domain: name, total: 0, flagged: 0 }));
          if (kind === 'dt') d.total += n;
          else d.flagged += n;
        } else if (kind === 's') signals.set(name, (signals.get(name) ?? 0) + n);
      }
    });
    return {
      ...total,
      since: q.since,
      until: q.until,
      bucket: q.bucket,
      series: [...series.values()].filter((b) => b.total > 0).sort((a, b) => a.start - b.start),
      topSenderDomains: [...domains.values()].sort((a, b) => b.flagged - a.flagged || b.total - a.total || (a.domain < b.domain ? -1 : 1)).slice(0, q.top),
      topSignals: [...signals.entries()]
        .map(([id, count]) => ({ id, count }))
        .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
        .slice(0, q.top),
    };
  }

  async addFeedback(messageId: string, fb: { label: FeedbackLabel; note: string; by: string; at: number }): Promise<Feedback | null> {
    const [status, verdict, category] = await this.redis.hmget(this.k(`m:${messageId}`), 'status', 'verdict', 'category');
    if (!status) return null;
    // Pin first, then look: a raw message that exists now cannot be purged afterwards.
    await this.redis.multi().sadd(this.k('pin'), messageId).zrem(this.k('rawexp'), messageId).exec();
    const rawKept = (await this.redis.exists(this.k(`raw:${messageId}`))) === 1;
    const entry: Feedback = {
      id: randomUUID(),
      messageId,
      label: fb.label,
      note: fb.note,
      by: fb.by,
      at: fb.at,
      verdict: (verdict || null) as Feedback['verdict'],
      category: (category || null) as Feedback['category'],
      rawKept,
    };
    const json = JSON.stringify(entry);
    await this.redis
      .multi()
      .rpush(this.k(`mfb:${messageId}`), json)
      .set(this.k(`fb:${entry.id}`), json)
      .zadd(this.k('fbi'), entry.at, entry.id)
      .zadd(this.k(`fbi:${entry.label}`), entry.at, entry.id)
      .exec();
    return entry;
  }

  async listFeedback(q: FeedbackQuery): Promise<Page<Feedback>> {
    checkLimit(q.limit);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const ids: string[] = [];
    let more = false;
    for await (const p of this.walk(this.k(q.label ? `fbi:${q.label}` : 'fbi'), q.since, q.until, after, q.limit + 1)) {
      if (ids.length === q.limit) {
        more = true;
        break;
      }
      ids.push(p.id);
    }
    const items = ids.length ? (await this.redis.mget(...ids.map((id) => this.k(`fb:${id}`)))).filter((s): s is string => !!s).map((s) => JSON.parse(s) as Feedback) : [];
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? encodeCursor({ at: last.at, id: last.id }) : null };
  }

  async campaignMembers(q: CampaignQuery): Promise<CampaignMember[]> {
    const out: CampaignMember[] = [];
    // Per verdict, newest first, up to scanLimit members that have a simhash; then merged.
    for (const v of q.verdicts) {
      let found = 0;
      let chunk: Position[] = [];
      const flush = async () => {
        const pipe = this.redis.pipeline();
        for (const p of chunk) pipe.hmget(this.k(`m:${p.id}`), 'simhash', 'at', 'gw', 'senderDomain', 'verdict', 'category', 'subject');
        const res = (await pipe.exec()) ?? [];
        chunk.forEach((p, j) => {
          const f = res[j][1] as (string | null)[];
          if (!f[0] || found >= q.scanLimit) return;
          found++;
          out.push({ id: p.id, simhash: f[0], receivedAt: Number(f[1]), gateway: f[2] || null, senderDomain: f[3] || null, verdict: f[4] as CampaignMember['verdict'], category: (f[5] || null) as CampaignMember['category'], subject: f[6] ?? '' });
        });
        chunk = [];
      };
      for await (const p of this.walk(this.k(`i:v:${v}`), q.since, q.until, undefined, 500)) {
        chunk.push(p);
        if (chunk.length >= 500) await flush();
        if (found >= q.scanLimit) break;
      }
      if (chunk.length && found < q.scanLimit) await flush();
    }
    out.sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : -1));
    return out.slice(0, q.scanLimit);
  }

  async pending(before: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.k('i:queued'), '-inf', `(${before}`, 'LIMIT', 0, limit);
  }

  async purge(now: number): Promise<{ results: number; raw: number }> {
    const cutoff = now - this.retention.resultsMs;
    let results = 0;
    let raw = 0;
    const pinned = async (ids: string[]) => {
      if (!ids.length) return [] as boolean[];
      const r = await this.redis.smismember(this.k('pin'), ...ids);
      return r.map((x) => x === 1);
    };
    for (;;) {
      const ids = await this.redis.zrangebyscore(this.k('i:all'), '-inf', `(${cutoff}`, 'LIMIT', 0, 1000);
      if (!ids.length) break;
      const deleted = await Promise.all(ids.map((id) => this.redis.bwPurge(this.prefix, id)));
      raw += deleted.reduce((a, b) => a + b, 0);
      results += ids.length;
    }
    const indexes = await this.redis.smembers(this.k('indexes'));
    const m = this.redis.multi();
    for (const key of [this.k('i:queued'), this.k('i:failed'), ...indexes]) m.zremrangebyscore(key, '-inf', `(${cutoff}`);
    // Index names come from client-chosen gateway ids and sender domains: forget the empty ones.
    for (const key of indexes) m.zcard(key);
    const oldHours = await this.redis.zrangebyscore(this.k('st:hours'), '-inf', `(${cutoff - (cutoff % HOUR)}`);
    for (const h of oldHours) m.del(this.k(`st:${h}`));
    m.zremrangebyscore(this.k('st:hours'), '-inf', `(${cutoff - (cutoff % HOUR)}`);
    const res = (await m.exec()) ?? [];
    const base = 2 + indexes.length;
    const empty = indexes.filter((_, i) => res[base + i]?.[1] === 0);
    if (empty.length) await this.redis.srem(this.k('indexes'), ...empty);
    for (;;) {
      const ids = await this.redis.zrangebyscore(this.k('rawexp'), '-inf', `(${now}`, 'LIMIT', 0, 1000);
      if (!ids.length) break;
      const pins = await pinned(ids);
      const m2 = this.redis.multi();
      const gone = ids.filter((_, i) => !pins[i]);
      if (gone.length) m2.del(...gone.map((id) => this.k(`raw:${id}`)));
      m2.zrem(this.k('rawexp'), ...ids);
      await m2.exec();
      raw += gone.length;
    }
    return { results, raw };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsConnection) await this.redis.quit();
  }
}

/** A record from its hash fields (RECORD_FIELDS order) and feedback list; null when it does not exist. */
function parseRecord(id: string, f: (string | null)[], feedback: string[]): MessageRecord | null {
  if (!f[0]) return null;
  return {
    id,
    status: f[0] as MessageRecord['status'],
    receivedAt: Number(f[1]),
    size: Number(f[2]),
    envelope: JSON.parse(f[3] ?? '{}'),
    result: f[4] ? JSON.parse(f[4]) : null,
    scoredAt: f[5] ? Number(f[5]) : null,
    error: f[6] ? JSON.parse(f[6]) : null,
    simhash: f[7] || null,
    senderDomain: f[8] || null,
    feedback: feedback.map((s) => JSON.parse(s) as Feedback).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RangeError(`limit must be 1..500, not ${limit}`);
}

function matches(r: MessageRecord, q: ListQuery, needle: string | undefined): boolean {
  if (q.status && r.status !== q.status) return false;
  if (q.verdict && r.result?.verdict !== q.verdict) return false;
  if (q.category && r.result?.category !== q.category) return false;
  if (q.gateway && r.envelope.gateway !== q.gateway) return false;
  if (q.sender && r.senderDomain !== q.sender.toLowerCase()) return false;
  if (needle) {
    const subject = r.result?.message.subject.toLowerCase() ?? '';
    const from = r.result?.message.from?.toLowerCase() ?? '';
    if (!subject.includes(needle) && !from.includes(needle)) return false;
  }
  return true;
}

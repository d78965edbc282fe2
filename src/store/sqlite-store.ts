import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Category } from '../classifier/categories';
import type { ScanResult } from '../pipeline';
import type { Verdict } from '../scoring/verdict';
import { decodeCursor, encodeCursor, type Position } from './cursor';
import type {
  AcceptInput,
  CampaignMember,
  CampaignQuery,
  CompleteInput,
  Counts,
  Envelope,
  Feedback,
  FeedbackLabel,
  FeedbackQuery,
  ListQuery,
  MessageRecord,
  MessageStatus,
  Page,
  Retention,
  ResultStore,
  Stats,
  StatsQuery,
} from './types';

/** Bumped with every schema change; a file written by a newer version is refused rather than misread. */
export const SCHEMA_VERSION = 1;

const MAX_LIMIT = 500;
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;

// Every filter index ends in (received_at, id) so that each list filter reads rows already in page
// order and stops after one page. messages_done covers both stats queries (named with INDEXED BY:
// without ANALYZE figures the planner prefers messages_status and reads every row's result JSON).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('queued', 'done', 'failed')),
  received_at INTEGER NOT NULL,
  size INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  gateway TEXT,
  sender_domain TEXT,
  verdict TEXT,
  category TEXT,
  subject TEXT,
  from_addr TEXT,
  simhash TEXT,
  result TEXT,
  scored_at INTEGER,
  error TEXT
);
CREATE INDEX IF NOT EXISTS messages_received ON messages (received_at, id);
CREATE INDEX IF NOT EXISTS messages_status ON messages (status, received_at, id);
CREATE INDEX IF NOT EXISTS messages_verdict ON messages (verdict, received_at, id);
CREATE INDEX IF NOT EXISTS messages_category ON messages (category, received_at, id);
CREATE INDEX IF NOT EXISTS messages_gateway ON messages (gateway, received_at, id);
CREATE INDEX IF NOT EXISTS messages_sender ON messages (sender_domain, received_at, id);
CREATE INDEX IF NOT EXISTS messages_done ON messages (received_at, verdict, category, sender_domain) WHERE status = 'done';

-- keep_until is null while the message waits to be scored; pinned raw (feedback) never expires.
CREATE TABLE IF NOT EXISTS raw (
  id TEXT PRIMARY KEY,
  bytes BLOB NOT NULL,
  keep_until INTEGER,
  pinned INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS raw_expiry ON raw (keep_until) WHERE pinned = 0;

CREATE TABLE IF NOT EXISTS signals (
  message_id TEXT NOT NULL,
  signal_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, signal_id)
);
CREATE INDEX IF NOT EXISTS signals_received ON signals (received_at, signal_id);

-- Kept forever (retraining data), also after its message is purged.
CREATE TABLE IF NOT EXISTS feedback (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  label TEXT NOT NULL,
  note TEXT NOT NULL,
  by_key TEXT NOT NULL,
  at INTEGER NOT NULL,
  verdict TEXT,
  category TEXT,
  raw_kept INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_message ON feedback (message_id, at, id);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at, id);
CREATE INDEX IF NOT EXISTS feedback_label ON feedback (label, at, id);
`;

const MESSAGE_COLUMNS = 'id, status, received_at, size, envelope, result, scored_at, error, simhash, sender_domain';
const FEEDBACK_COLUMNS = 'id, message_id, label, note, by_key, at, verdict, category, raw_kept';

interface MessageRow {
  id: string;
  status: MessageStatus;
  received_at: number;
  size: number;
  envelope: string;
  result: string | null;
  scored_at: number | null;
  error: string | null;
  simhash: string | null;
  sender_domain: string | null;
}

interface FeedbackRow {
  id: string;
  message_id: string;
  label: FeedbackLabel;
  note: string;
  by_key: string;
  at: number;
  verdict: Verdict | null;
  category: Category | null;
  raw_kept: number;
}

interface CountRow {
  start: number;
  verdict: Verdict;
  category: Category | null;
  n: number;
}

interface MemberRow {
  id: string;
  simhash: string;
  received_at: number;
  gateway: string | null;
  sender_domain: string | null;
  verdict: Verdict;
  category: Category | null;
  subject: string | null;
}

type Params = Record<string, string | number | Buffer | null>;

export interface SqliteStoreOptions {
  /** Database file, or ':memory:'. */
  file: string;
  retention: Retention;
}

/** The embedded store's file in the service's data folder (BALLOTWATCH_DATA_DIR). */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'ballotwatch.sqlite');
}

export class SqliteStore implements ResultStore {
  readonly kind = 'sqlite' as const;
  private readonly stmt;
  /** list/listFeedback statements, one per combination of filters used (prepared on first use). */
  private readonly dynamic = new Map<string, Database.Statement<[Params]>>();
  private readonly acceptTx;
  private readonly completeTx;
  private readonly feedbackTx;
  private readonly purgeTx;

  private constructor(
    private readonly db: Database.Database,
    private readonly retention: Retention,
  ) {
    const p = <R>(sql: string) => db.prepare<[Params], R>(sql);
    this.stmt = {
      getMessage: p<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = @id`),
      getState: p<{ verdict: Verdict | null; category: Category | null }>('SELECT verdict, category FROM messages WHERE id = @id'),
      insertMessage: p(
        `INSERT INTO messages (id, status, received_at, size, envelope, gateway)
         VALUES (@id, 'queued', @receivedAt, @size, @envelope, @gateway) ON CONFLICT (id) DO NOTHING`,
      ),
      // The same bytes may come back after their record was purged while feedback pinned the raw.
      insertRaw: p('INSERT INTO raw (id, bytes) VALUES (@id, @bytes) ON CONFLICT (id) DO UPDATE SET keep_until = NULL'),
      getRaw: p<{ bytes: Buffer }>('SELECT bytes FROM raw WHERE id = @id'),
      // A late result for a failed record is still worth keeping; only `done` is final.
      complete: p(
        `UPDATE messages SET status = 'done', result = @result, scored_at = @scoredAt, verdict = @verdict, category = @category,
           subject = @subject, from_addr = @fromAddr, simhash = @simhash, sender_domain = @senderDomain, error = NULL
         WHERE id = @id AND status <> 'done'`,
      ),
      insertSignal: p('INSERT OR IGNORE INTO signals (message_id, signal_id, received_at) SELECT @id, @signalId, received_at FROM messages WHERE id = @id'),
      deleteUnpinnedRaw: p('DELETE FROM raw WHERE id = @id AND pinned = 0'),
      expireRaw: p('UPDATE raw SET keep_until = @keepUntil WHERE id = @id'),
      // A done record keeps its result: failing it would drop it from stats a retry already counted.
      fail: p("UPDATE messages SET status = 'failed', error = @error WHERE id = @id AND status <> 'done'"),
      requeue: p("UPDATE messages SET status = 'queued', error = NULL WHERE id = @id AND status = 'failed'"),
      feedbackOf: p<FeedbackRow>(`SELECT ${FEEDBACK_COLUMNS} FROM feedback WHERE message_id = @id ORDER BY at, id`),
      feedbackOfMany: p<FeedbackRow>(`SELECT ${FEEDBACK_COLUMNS} FROM feedback WHERE message_id IN (SELECT value FROM json_each(@ids)) ORDER BY at, id`),
      pinRaw: p('UPDATE raw SET pinned = 1 WHERE id = @id'),
      insertFeedback: p(
        `INSERT INTO feedback (id, message_id, label, note, by_key, at, verdict, category, raw_kept)
         VALUES (@id, @messageId, @label, @note, @by, @at, @verdict, @category, @rawKept)`,
      ),
      statsCounts: p<CountRow>(
        `SELECT (received_at / CAST(@size AS INTEGER)) * CAST(@size AS INTEGER) AS start, verdict, category, COUNT(*) AS n
         FROM messages INDEXED BY messages_done WHERE status = 'done' AND received_at >= @since AND received_at < @until
         GROUP BY start, verdict, category ORDER BY start`,
      ),
      topSenders: p<{ domain: string; total: number; flagged: number }>(
        `SELECT sender_domain AS domain, COUNT(*) AS total, SUM(verdict IN ('flagged', 'suspicious')) AS flagged
         FROM messages INDEXED BY messages_done WHERE status = 'done' AND received_at >= @since AND received_at < @until AND sender_domain IS NOT NULL
         GROUP BY sender_domain ORDER BY flagged DESC, total DESC, domain LIMIT @top`,
      ),
      topSignals: p<{ id: string; count: number }>(
        `SELECT signal_id AS id, COUNT(*) AS count FROM signals WHERE received_at >= @since AND received_at < @until
         GROUP BY signal_id ORDER BY count DESC, id LIMIT @top`,
      ),
      campaign: p<MemberRow>(
        `SELECT id, simhash, received_at, gateway, sender_domain, verdict, category, subject FROM messages
         WHERE status = 'done' AND received_at >= @since AND received_at < @until AND simhash IS NOT NULL
           AND verdict IN (SELECT value FROM json_each(@verdicts))
         ORDER BY received_at DESC, id DESC LIMIT @limit`,
      ),
      pending: p<{ id: string }>("SELECT id FROM messages WHERE status = 'queued' AND received_at < @before ORDER BY received_at, id LIMIT @limit"),
      purgeSignals: p('DELETE FROM signals WHERE received_at < @cutoff'),
      purgeRawOfResults: p('DELETE FROM raw WHERE pinned = 0 AND id IN (SELECT id FROM messages WHERE received_at < @cutoff)'),
      purgeResults: p('DELETE FROM messages WHERE received_at < @cutoff'),
      purgeExpiredRaw: p('DELETE FROM raw WHERE pinned = 0 AND keep_until < @now'),
      ping: db.prepare('SELECT 1'),
    };

    this.acceptTx = db.transaction((input: AcceptInput, envelope: Envelope): boolean => {
      const { changes } = this.stmt.insertMessage.run({ id: input.id, receivedAt: input.receivedAt, size: input.raw.length, envelope: JSON.stringify(envelope), gateway: envelope.gateway });
      if (changes === 0) return false;
      this.stmt.insertRaw.run({ id: input.id, bytes: input.raw });
      return true;
    });

    this.completeTx = db.transaction((id: string, input: CompleteInput): boolean => {
      const { result } = input;
      const { changes } = this.stmt.complete.run({
        id,
        result: JSON.stringify(result),
        scoredAt: input.scoredAt,
        verdict: result.verdict,
        category: result.category,
        subject: result.message.subject,
        fromAddr: result.message.from,
        simhash: input.simhash,
        senderDomain: input.senderDomain?.toLowerCase() ?? null,
      });
      if (changes === 0) return false;
      for (const s of result.signals) this.stmt.insertSignal.run({ id, signalId: s.id });
      const cleanMs = this.retention.cleanRawMs ?? 0;
      if (result.verdict === 'clean' && cleanMs <= 0) this.stmt.deleteUnpinnedRaw.run({ id });
      else this.stmt.expireRaw.run({ id, keepUntil: input.scoredAt + (result.verdict === 'clean' ? cleanMs : this.retention.rawMs) });
      return true;
    });

    this.feedbackTx = db.transaction((messageId: string, fb: { label: FeedbackLabel; note: string; by: string; at: number }): Feedback | null => {
      const state = this.stmt.getState.get({ id: messageId });
      if (!state) return null;
      const rawKept = this.stmt.pinRaw.run({ id: messageId }).changes > 0;
      const feedback: Feedback = { id: randomUUID(), messageId, label: fb.label, note: fb.note, by: fb.by, at: fb.at, verdict: state.verdict, category: state.category, rawKept };
      this.stmt.insertFeedback.run({ ...feedback, rawKept: rawKept ? 1 : 0 });
      return feedback;
    });

    this.purgeTx = db.transaction((now: number) => {
      const cutoff = now - this.retention.resultsMs;
      this.stmt.purgeSignals.run({ cutoff });
      let raw = this.stmt.purgeRawOfResults.run({ cutoff }).changes;
      const results = this.stmt.purgeResults.run({ cutoff }).changes;
      raw += this.stmt.purgeExpiredRaw.run({ now }).changes;
      return { results, raw };
    });
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    const memory = options.file === ':memory:';
    if (!memory) mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file, { timeout: 5000 });
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) throw new Error(`${options.file} has schema version ${version}; this build reads up to ${SCHEMA_VERSION}`);
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit is in the WAL (the OS's page cache) before accept returns, so it
      // survives a crash of this process; only a power loss or OS crash can lose the last commits,
      // and FULL would pay an fsync per accepted message for that.
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      // Unicode-aware lower case for `q` (SQLite's LIKE and lower() fold ASCII only).
      db.function('bw_lower', { deterministic: true }, (s: string | null) => (s === null ? null : s.toLowerCase()));
      return new SqliteStore(db, options.retention);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async accept(input: AcceptInput): Promise<{ created: boolean; record: MessageRecord }> {
    // Exactly the five fields, whatever else the caller's object carries.
    const e = input.envelope;
    const envelope: Envelope = { clientIp: e.clientIp ?? null, mailFrom: e.mailFrom ?? null, rcptTo: e.rcptTo ?? [], helo: e.helo ?? null, gateway: e.gateway ?? null };
    const created = this.acceptTx(input, envelope);
    return { created, record: this.read(input.id)! };
  }

  async getRaw(id: string): Promise<Buffer | null> {
    return this.stmt.getRaw.get({ id })?.bytes ?? null;
  }

  async complete(id: string, input: CompleteInput): Promise<MessageRecord | null> {
    return this.completeTx(id, input) ? this.read(id) : null;
  }

  async fail(id: string, error: { code: string; message: string }): Promise<void> {
    this.stmt.fail.run({ id, error: JSON.stringify({ code: error.code, message: error.message }) });
  }

  async requeue(id: string): Promise<boolean> {
    return this.stmt.requeue.run({ id }).changes > 0;
  }

  async get(id: string): Promise<MessageRecord | null> {
    return this.read(id);
  }

  async list(q: ListQuery): Promise<Page<MessageRecord>> {
    checkLimit(q.limit);
    const where: string[] = [];
    const params: Params = { limit: q.limit + 1 };
    const eq = (column: string, name: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = @${name}`);
      params[name] = value;
    };
    eq('verdict', 'verdict', q.verdict);
    eq('category', 'category', q.category);
    eq('status', 'status', q.status);
    eq('gateway', 'gateway', q.gateway);
    eq('sender_domain', 'sender', q.sender);
    if (q.since !== undefined) {
      where.push('received_at >= @since');
      params.since = q.since;
    }
    if (q.until !== undefined) {
      where.push('received_at < @until');
      params.until = q.until;
    }
    if (q.q) {
      // instr, not LIKE: the text is matched literally, so % and _ need no escaping.
      where.push('(instr(bw_lower(subject), @q) > 0 OR instr(bw_lower(from_addr), @q) > 0)');
      params.q = q.q.toLowerCase();
    }
    addCursor(where, params, 'received_at', q.cursor);
    const sql = `SELECT ${MESSAGE_COLUMNS} FROM messages ${whereClause(where)} ORDER BY received_at DESC, id DESC LIMIT @limit`;
    const rows = this.prepared(sql).all(params) as MessageRow[];
    const page = rows.slice(0, q.limit);
    const feedback = this.feedbackFor(page.map((r) => r.id));
    return {
      items: page.map((r) => toRecord(r, feedback.get(r.id) ?? [])),
      nextCursor: rows.length > q.limit ? encodeCursor({ at: page[page.length - 1].received_at, id: page[page.length - 1].id }) : null,
    };
  }

  async stats(q: StatsQuery): Promise<Stats> {
    const size = BUCKET_MS[q.bucket];
    if (size === undefined) throw new RangeError(`bucket must be hour or day, not ${String(q.bucket)}`);
    const window = { since: q.since, until: q.until };
    const stats: Stats = { since: q.since, until: q.until, bucket: q.bucket, ...emptyCounts(), series: [], topSenderDomains: [], topSignals: [] };
    for (const row of this.stmt.statsCounts.all({ ...window, size })) {
      let bucket = stats.series[stats.series.length - 1];
      if (bucket?.start !== row.start) {
        bucket = { start: row.start, ...emptyCounts() };
        stats.series.push(bucket);
      }
      addCounts(stats, row);
      addCounts(bucket, row);
    }
    stats.topSenderDomains = this.stmt.topSenders.all({ ...window, top: q.top });
    stats.topSignals = this.stmt.topSignals.all({ ...window, top: q.top });
    return stats;
  }

  async addFeedback(messageId: string, fb: { label: FeedbackLabel; note: string; by: string; at: number }): Promise<Feedback | null> {
    // IMMEDIATE: it reads before it writes, and a deferred read lock cannot be upgraded in WAL mode
    // once another process (the CLI beside the service) has committed in between.
    return this.feedbackTx.immediate(messageId, fb);
  }

  async listFeedback(q: FeedbackQuery): Promise<Page<Feedback>> {
    checkLimit(q.limit);
    const where: string[] = [];
    const params: Params = { limit: q.limit + 1 };
    if (q.label !== undefined) {
      where.push('label = @label');
      params.label = q.label;
    }
    if (q.since !== undefined) {
      where.push('at >= @since');
      params.since = q.since;
    }
    if (q.until !== undefined) {
      where.push('at < @until');
      params.until = q.until;
    }
    addCursor(where, params, 'at', q.cursor);
    const sql = `SELECT ${FEEDBACK_COLUMNS} FROM feedback ${whereClause(where)} ORDER BY at DESC, id DESC LIMIT @limit`;
    const rows = this.prepared(sql).all(params) as FeedbackRow[];
    const page = rows.slice(0, q.limit);
    return {
      items: page.map(toFeedback),
      nextCursor: rows.length > q.limit ? encodeCursor({ at: page[page.length - 1].at, id: page[page.length - 1].id }) : null,
    };
  }

  async campaignMembers(q: CampaignQuery): Promise<CampaignMember[]> {
    const rows = this.stmt.campaign.all({ since: q.since, until: q.until, verdicts: JSON.stringify(q.verdicts), limit: q.scanLimit });
    return rows.map((r) => ({
      id: r.id,
      simhash: r.simhash,
      receivedAt: r.received_at,
      gateway: r.gateway,
      senderDomain: r.sender_domain,
      verdict: r.verdict,
      category: r.category,
      subject: r.subject ?? '',
    }));
  }

  async pending(before: number, limit: number): Promise<string[]> {
    return this.stmt.pending.all({ before, limit }).map((r) => r.id);
  }

  async purge(now: number): Promise<{ results: number; raw: number }> {
    return this.purgeTx(now);
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private read(id: string): MessageRecord | null {
    const row = this.stmt.getMessage.get({ id });
    return row ? toRecord(row, this.stmt.feedbackOf.all({ id }).map(toFeedback)) : null;
  }

  private feedbackFor(ids: string[]): Map<string, Feedback[]> {
    const byMessage = new Map<string, Feedback[]>();
    if (ids.length === 0) return byMessage;
    for (const row of this.stmt.feedbackOfMany.all({ ids: JSON.stringify(ids) })) {
      const list = byMessage.get(row.message_id) ?? [];
      list.push(toFeedback(row));
      byMessage.set(row.message_id, list);
    }
    return byMessage;
  }

  private prepared(sql: string): Database.Statement<[Params]> {
    let s = this.dynamic.get(sql);
    if (!s) {
      s = this.db.prepare<[Params]>(sql);
      this.dynamic.set(sql, s);
    }
    return s;
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`limit must be an integer in 1..${MAX_LIMIT}, not ${limit}`);
}

/** Newest-first paging: rows strictly after the cursor's (time, id) position. */
function addCursor(where: string[], params: Params, timeColumn: string, cursor: string | undefined): void {
  if (cursor === undefined) return;
  const pos: Position = decodeCursor(cursor);
  where.push(`(${timeColumn}, id) < (@cursorAt, @cursorId)`);
  params.cursorAt = pos.at;
  params.cursorId = pos.id;
}

function whereClause(where: string[]): string {
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

function emptyCounts(): Counts {
  return { total: 0, verdict: {}, category: {} };
}

function addCounts(c: Counts, row: CountRow): void {
  c.total += row.n;
  c.verdict[row.verdict] = (c.verdict[row.verdict] ?? 0) + row.n;
  if (row.category !== null) c.category[row.category] = (c.category[row.category] ?? 0) + row.n;
}

function toRecord(row: MessageRow, feedback: Feedback[]): MessageRecord {
  return {
    id: row.id,
    status: row.status,
    receivedAt: row.received_at,
    size: row.size,
    envelope: JSON.parse(row.envelope) as Envelope,
    result: row.result === null ? null : (JSON.parse(row.result) as ScanResult),
    scoredAt: row.scored_at,
    error: row.error === null ? null : (JSON.parse(row.error) as { code: string; message: string }),
    simhash: row.simhash,
    senderDomain: row.sender_domain,
    feedback,
  };
}

function toFeedback(row: FeedbackRow): Feedback {
  return {
    id: row.id,
    messageId: row.message_id,
    label: row.label,
    note: row.note,
    by: row.by_key,
    at: row.at,
    verdict: row.verdict,
    category: row.category,
    rawKept: row.raw_kept === 1,
  };
}

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { UnknownModelError, type AuditEntry, type ModelMeta, type ModelStore, type RetrainJob, type StoredExample } from './model-store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS models (version TEXT PRIMARY KEY, created_at INTEGER NOT NULL, meta TEXT NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS retrain_jobs (id TEXT PRIMARY KEY, job TEXT NOT NULL, examples TEXT);
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
`;

/** The embedded store's model file, beside its results file. */
export function modelsFile(dataDir: string): string {
  return join(dataDir, 'models.sqlite');
}

/**
 * Embedded mode's model store: one SQLite file (WAL). Only one process uses it, so activation
 * reaches the scoring thread through the in-process listeners.
 */
export class SqliteModelStore implements ModelStore {
  private readonly listeners = new Set<(version: string) => void>();

  private constructor(private readonly db: Database.Database) {}

  static open(file: string): SqliteModelStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: 5000 });
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
    return new SqliteModelStore(db);
  }

  async put(meta: ModelMeta, blob: Buffer): Promise<boolean> {
    return this.db.prepare('INSERT OR IGNORE INTO models (version, created_at, meta, blob) VALUES (?, ?, ?, ?)').run(meta.version, meta.createdAt, JSON.stringify(meta), blob).changes === 1;
  }

  async get(version: string): Promise<ModelMeta | null> {
    const row = this.db.prepare('SELECT meta FROM models WHERE version = ?').get(version) as { meta: string } | undefined;
    return row ? (JSON.parse(row.meta) as ModelMeta) : null;
  }

  async blob(version: string): Promise<Buffer | null> {
    const row = this.db.prepare('SELECT blob FROM models WHERE version = ?').get(version) as { blob: Buffer } | undefined;
    return row?.blob ?? null;
  }

  async list(): Promise<ModelMeta[]> {
    const rows = this.db.prepare('SELECT meta FROM models ORDER BY created_at DESC, version DESC').all() as { meta: string }[];
    return rows.map((r) => JSON.parse(r.meta) as ModelMeta);
  }

  async updateMeta(version: string, patch: Partial<Pick<ModelMeta, 'metrics' | 'gate'>>): Promise<void> {
    const meta = await this.get(version);
    if (!meta) throw new UnknownModelError(version);
    this.db.prepare('UPDATE models SET meta = ? WHERE version = ?').run(JSON.stringify({ ...meta, ...patch }), version);
  }

  async delete(version: string): Promise<'deleted' | 'active' | 'missing'> {
    return this.db.transaction(() => {
      if (this.activeSync() === version) return 'active' as const;
      return this.db.prepare('DELETE FROM models WHERE version = ?').run(version).changes ? ('deleted' as const) : ('missing' as const);
    })();
  }

  private activeSync(): string | null {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = 'active'").get() as { value: string } | undefined;
    return row?.value ?? null;
  }

  async active(): Promise<string | null> {
    return this.activeSync();
  }

  async activate(version: string): Promise<string | null> {
    const old = this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM models WHERE version = ?').get(version)) throw new UnknownModelError(version);
      const prev = this.activeSync();
      this.db.prepare("INSERT INTO settings (key, value) VALUES ('active', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(version);
      return prev;
    })();
    for (const fn of this.listeners) fn(version);
    return old;
  }

  async activateIfNone(version: string): Promise<boolean> {
    if (!(await this.get(version))) throw new UnknownModelError(version);
    const set = this.db.prepare("INSERT OR IGNORE INTO settings (key, value) VALUES ('active', ?)").run(version).changes === 1;
    if (set) for (const fn of this.listeners) fn(version);
    return set;
  }

  async onActivate(fn: (version: string) => void): Promise<() => Promise<void>> {
    this.listeners.add(fn);
    return async () => {
      this.listeners.delete(fn);
    };
  }

  async putJob(job: RetrainJob, examples: StoredExample[]): Promise<void> {
    this.db.prepare('INSERT INTO retrain_jobs (id, job, examples) VALUES (?, ?, ?)').run(job.id, JSON.stringify(job), examples.length ? JSON.stringify(examples) : null);
  }

  async getJob(id: string): Promise<RetrainJob | null> {
    const row = this.db.prepare('SELECT job FROM retrain_jobs WHERE id = ?').get(id) as { job: string } | undefined;
    return row ? (JSON.parse(row.job) as RetrainJob) : null;
  }

  async updateJob(id: string, patch: Partial<Omit<RetrainJob, 'id' | 'createdAt' | 'by' | 'request'>>): Promise<void> {
    const job = await this.getJob(id);
    if (!job) return;
    this.db.prepare('UPDATE retrain_jobs SET job = ? WHERE id = ?').run(JSON.stringify({ ...job, ...patch, updatedAt: Date.now() }), id);
  }

  /** Jobs that were queued or running when the process stopped (embedded mode resumes or fails them). */
  async unfinishedJobs(): Promise<RetrainJob[]> {
    const rows = this.db.prepare('SELECT job FROM retrain_jobs').all() as { job: string }[];
    return rows.map((r) => JSON.parse(r.job) as RetrainJob).filter((j) => j.state === 'queued' || j.state === 'running');
  }

  async jobExamples(id: string): Promise<StoredExample[]> {
    const row = this.db.prepare('SELECT examples FROM retrain_jobs WHERE id = ?').get(id) as { examples: string | null } | undefined;
    return row?.examples ? (JSON.parse(row.examples) as StoredExample[]) : [];
  }

  async dropJobExamples(id: string): Promise<void> {
    this.db.prepare('UPDATE retrain_jobs SET examples = NULL WHERE id = ?').run(id);
  }

  async audit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const id = this.db.prepare('INSERT INTO audit (entry) VALUES (?)').run(JSON.stringify(entry)).lastInsertRowid;
    return { id: String(id), ...entry };
  }

  async auditLog(limit: number, cursor?: string): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const before = cursor ? Number(cursor.split('-')[0]) : Number.MAX_SAFE_INTEGER;
    const rows = this.db.prepare('SELECT id, entry FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?').all(before, limit + 1) as { id: number; entry: string }[];
    const items = rows.slice(0, limit).map((r) => ({ id: String(r.id), ...(JSON.parse(r.entry) as Omit<AuditEntry, 'id'>) }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite-store';
import type { Envelope, Retention } from '../../src/store/types';
import { buildEmail } from '../helpers/build-email';
import { storeContract } from './store-contract';

storeContract('sqlite', async (retention) => SqliteStore.open({ file: ':memory:', retention }));

describe('SqliteStore file', () => {
  const retention: Retention = { resultsMs: 86_400_000, rawMs: 3_600_000 };
  const envelope: Envelope = { clientIp: null, mailFrom: null, rcptTo: [], helo: null, gateway: 'office-a' };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballotwatch-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its directory, uses WAL, and keeps data across close and reopen', async () => {
    const file = join(dir, 'nested', 'results.db');
    const raw = buildEmail({ subject: 'kept' });
    const first = SqliteStore.open({ file, retention });
    const { record } = await first.accept({ id: 'a'.repeat(64), raw, receivedAt: 1_000, envelope });
    const fb = await first.addFeedback(record.id, { label: 'spam', note: '', by: 'key-1', at: 2_000 });
    await first.close();

    const db = new Database(file, { readonly: true });
    expect([db.pragma('journal_mode', { simple: true }), db.pragma('user_version', { simple: true })]).toEqual(['wal', SCHEMA_VERSION]);
    db.close();

    const second = SqliteStore.open({ file, retention });
    expect(await second.get(record.id)).toEqual({ ...record, feedback: [fb] });
    expect(await second.getRaw(record.id)).toEqual(raw);
    expect(await second.accept({ id: record.id, raw, receivedAt: 5_000, envelope })).toMatchObject({ created: false, record: { receivedAt: 1_000 } });
    await second.close();
  });

  it('refuses a file written with a newer schema', () => {
    const file = join(dir, 'newer.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => SqliteStore.open({ file, retention })).toThrow(/schema version/);
  });
});

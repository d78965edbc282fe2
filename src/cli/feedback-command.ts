import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadServiceConfig } from '../config/service';
import { createRedis, ready } from '../queue/connection';
import { RedisStore } from '../store/redis-store';
import { SqliteStore, sqliteFile } from '../store/sqlite-store';
import type { ResultStore } from '../store/types';
import { str, UsageError, type Parsed } from './main';

/** The store the service uses under the same configuration (Redis with REDIS_URL, else SQLite). */
async function openStore(): Promise<ResultStore> {
  const config = loadServiceConfig();
  if (!config.redisUrl) return SqliteStore.open({ file: sqliteFile(config.dataDir), retention: config.retention });
  const redis = createRedis(config.redisUrl, 'worker', 'store');
  await ready(redis);
  return new RedisStore(redis, `${config.prefix}:`, config.retention, true);
}

/**
 * `ballotwatch feedback export --out DIR [--since T]`: analysts' corrections as a labelled corpus
 * (DIR/<label>/<message id>.eml, the newest label per message) that `ballotwatch train --corpus`
 * reads. Messages whose raw bytes were gone when the feedback arrived are counted, not written.
 */
export async function runFeedbackExport(p: Parsed): Promise<number> {
  const [sub] = p.positionals;
  if (sub !== 'export') throw new UsageError('usage: ballotwatch feedback export --out DIR [--since T]');
  const out = str(p, 'out');
  if (!out) throw new UsageError('--out DIR is required');
  const sinceArg = str(p, 'since');
  const since = sinceArg === undefined ? undefined : /^\d+$/.test(sinceArg) ? Number(sinceArg) : Date.parse(sinceArg);
  if (since !== undefined && !Number.isFinite(since)) throw new UsageError(`--since must be ms since epoch or an ISO date, not "${sinceArg}"`);
  const store = await openStore();
  try {
    const seen = new Set<string>();
    const written: Record<string, number> = {};
    let missingRaw = 0;
    let cursor: string | undefined;
    do {
      const page = await store.listFeedback({ limit: 500, since, cursor });
      for (const fb of page.items) {
        if (seen.has(fb.messageId)) continue; // newest first: the first label seen is the latest
        seen.add(fb.messageId);
        const raw = await store.getRaw(fb.messageId);
        if (!raw) {
          missingRaw++;
          continue;
        }
        mkdirSync(path.join(out, fb.label), { recursive: true });
        writeFileSync(path.join(out, fb.label, `${fb.messageId}.eml`), raw);
        written[fb.label] = (written[fb.label] ?? 0) + 1;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    process.stdout.write(`${JSON.stringify({ out, messages: seen.size, written, missingRaw })}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

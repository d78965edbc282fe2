/**
 * The store contract against the real Redis on this machine, each store under its own key prefix
 * (deleted afterwards), plus what is Redis-specific: completions are published for ?wait.
 */
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis-store';
import { buildEmail } from '../helpers/build-email';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/service';
import { storeContract } from './store-contract';

const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p);
});

function openStore(retention: { resultsMs: number; rawMs: number }): RedisStore {
  const prefix = uniquePrefix('store');
  prefixes.push(prefix);
  return new RedisStore(new Redis(REDIS_URL), `${prefix}:`, retention, true);
}

storeContract('redis', async (retention) => openStore(retention));

describe('RedisStore', () => {
  it('publishes a completed id once, and only when a request waits for it', async () => {
    const store = openStore({ resultsMs: 86_400_000, rawMs: 3_600_000 });
    const sub = new Redis(REDIS_URL);
    const got: string[] = [];
    sub.on('message', (_ch: string, id: string) => got.push(id));
    await sub.subscribe(store.doneChannel);
    const raw = buildEmail({ subject: 'pub' });
    const envelope = { clientIp: null, mailFrom: null, rcptTo: [], helo: null, gateway: null };
    const id = 'b'.repeat(64);
    const unwatched = 'c'.repeat(64);
    await store.accept({ id, raw, receivedAt: 1_000, envelope });
    await store.accept({ id: unwatched, raw, receivedAt: 1_000, envelope });
    await store.markWaiting(id, 10_000);
    const { Scanner } = await import('../../src/pipeline');
    const result = await Scanner.fromConfig().scan(raw);
    await store.complete(unwatched, { result, simhash: null, senderDomain: null, scoredAt: 2_000 });
    await store.complete(id, { result, simhash: null, senderDomain: null, scoredAt: 2_000 });
    await store.complete(id, { result, simhash: null, senderDomain: null, scoredAt: 3_000 });
    await sub.ping();
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([id]);
    sub.disconnect();
    await store.close();
  });
});

describe('RedisStore list reads a bounded number of index entries', () => {
  it('returns short pages with a cursor where it stopped, and still finds every match', async () => {
    const prefix = uniquePrefix('scan');
    prefixes.push(prefix);
    const store = new RedisStore(new Redis(REDIS_URL), `${prefix}:`, { resultsMs: 86_400_000, rawMs: 3_600_000 }, true, 10);
    const envelope = { clientIp: null, mailFrom: null, rcptTo: [], helo: null, gateway: null };
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      const id = i.toString(16).padStart(64, '0');
      ids.push(id);
      await store.accept({ id, raw: Buffer.from(`m${i}`), receivedAt: 1_000 + i, envelope });
    }
    // Only every 20th message is still queued after this: the others are failed.
    for (let i = 0; i < 45; i++) if (i % 20 !== 0) await store.fail(ids[i], { code: 'x', message: 'x' });
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ status: 'queued', limit: 5, cursor });
      pages.push(page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 20);
    expect(pages.flat()).toEqual([ids[40], ids[20], ids[0]]);
    // i:queued holds only the 3 matches, so this filter is answered from its own index in one page...
    expect(pages).toHaveLength(1);
    // ...whereas text search walks everything: pages of at most 10 entries read.
    const seen: string[] = [];
    let pagesRead = 0;
    cursor = undefined;
    do {
      const page = await store.list({ q: 'no such subject', limit: 5, cursor });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
      pagesRead++;
    } while (cursor && pagesRead < 20);
    expect(seen).toEqual([]);
    expect(pagesRead).toBe(5);
    await store.close();
  });
});

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

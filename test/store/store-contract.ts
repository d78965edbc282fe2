import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category } from '../../src/classifier/categories';
import { Scanner, type ScanResult } from '../../src/pipeline';
import type { Verdict } from '../../src/scoring/verdict';
import { CursorError } from '../../src/store/cursor';
import type { Envelope, Feedback, ListQuery, MessageRecord, Page, ResultStore, Retention } from '../../src/store/types';
import { buildEmail } from '../helpers/build-email';
import { FIXTURES } from '../helpers/paths';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION: Retention = { resultsMs: 30 * DAY, rawMs: 7 * DAY };
/** A UTC midnight, so hour and day buckets start at known times. */
const D = Date.UTC(2026, 10, 3);
const SIMHASH = '0123456789abcdef';

const scenario = (name: string) => readFileSync(join(FIXTURES, 'mail', 'scenarios', name));
const sha256 = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');
const envelope = (gateway: string | null): Envelope => ({ clientIp: '192.0.2.10', mailFrom: 'bounce@example.org', rcptTo: ['clerk@county.example.gov', 'it@county.example.gov'], helo: 'mx.example.org', gateway });

/** Newest first by (time, id), the order every paged listing uses. */
function newestFirst<T>(items: T[], at: (t: T) => number, id: (t: T) => string): T[] {
  return [...items].sort((a, b) => at(b) - at(a) || (id(a) < id(b) ? 1 : id(a) > id(b) ? -1 : 0));
}

/** Follows nextCursor to the end (a full last page may hand out a cursor to an empty page). */
async function allPages<T>(fetch: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  // Bounded, so a store whose cursor never ends fails the test instead of hanging it.
  while (pages.length < 20) {
    const page = await fetch(cursor);
    pages.push(page.items);
    if (page.nextCursor === null) return pages;
    expect(page.items.length).toBeGreaterThan(0);
    cursor = page.nextCursor;
  }
  throw new Error('nextCursor never became null');
}

/**
 * The behaviour every ResultStore must show. `open` must return a fresh, empty store on every call
 * (each test opens its own and closes it).
 */
export function storeContract(name: string, open: (retention: Retention) => Promise<ResultStore>): void {
  describe(`ResultStore contract: ${name}`, () => {
    let clean: ScanResult;
    let flagged: ScanResult;
    let disinfo: ScanResult;
    let store: ResultStore;
    const raws = new Map<string, Buffer>();
    let seq = 0;

    beforeAll(async () => {
      const scanner = Scanner.fromConfig();
      clean = await scanner.scan(scenario('office-early-voting.eml'));
      flagged = await scanner.scan(scenario('proud-boys-change-party.eml'));
      disinfo = await scanner.scan(scenario('vote-by-text.eml'));
    });
    beforeEach(async () => {
      store = await open(RETENTION);
    });
    afterEach(async () => {
      await store.close();
    });

    /** A real result with the fields a test controls replaced. */
    function variant(base: ScanResult, o: { verdict?: Verdict; category?: Category | null; signals?: string[]; subject?: string; from?: string }): ScanResult {
      return {
        ...base,
        verdict: o.verdict ?? base.verdict,
        category: o.category === undefined ? base.category : o.category,
        signals: o.signals ? o.signals.map((id) => ({ ...flagged.signals[0], id })) : base.signals,
        message: { ...base.message, subject: o.subject ?? base.message.subject, from: o.from ?? base.message.from },
      };
    }

    async function add(receivedAt: number, gateway: string | null = null): Promise<string> {
      const raw = buildEmail({ subject: `message ${++seq}`, text: `body ${seq}` });
      const id = sha256(raw);
      raws.set(id, raw);
      const { created } = await store.accept({ id, raw, receivedAt, envelope: envelope(gateway) });
      expect(created).toBe(true);
      return id;
    }

    async function addDone(
      receivedAt: number,
      result: ScanResult,
      o: { gateway?: string; senderDomain?: string; simhash?: string | null; scoredAt?: number } = {},
    ): Promise<string> {
      const id = await add(receivedAt, o.gateway ?? null);
      const record = await store.complete(id, {
        result,
        simhash: o.simhash === undefined ? SIMHASH : o.simhash,
        senderDomain: o.senderDomain ?? null,
        scoredAt: o.scoredAt ?? receivedAt + 1000,
      });
      expect(record?.status).toBe('done');
      return id;
    }

    const ids = (page: Page<MessageRecord>) => page.items.map((r) => r.id);
    const listIds = async (q: Omit<ListQuery, 'limit'>) => ids(await store.list({ limit: 500, ...q }));

    it('scans the fixtures it builds on as expected', () => {
      expect([clean.verdict, clean.category]).toEqual(['clean', 'ham']);
      expect([flagged.verdict, flagged.category]).toEqual(['flagged', 'intimidation']);
      expect([disinfo.verdict, disinfo.category]).toEqual(['flagged', 'disinformation']);
      expect(flagged.signals.length).toBeGreaterThan(0);
    });

    describe('accept', () => {
      it('stores a queued record and the raw bytes once; a second accept returns the first record', async () => {
        const raw = buildEmail({ subject: 'accept me' });
        const id = sha256(raw);
        const env = envelope('office-a');
        const expected: MessageRecord = {
          id,
          status: 'queued',
          receivedAt: D,
          size: raw.length,
          envelope: env,
          result: null,
          scoredAt: null,
          error: null,
          simhash: null,
          senderDomain: null,
          feedback: [],
        };
        expect(await store.accept({ id, raw, receivedAt: D, envelope: env })).toEqual({ created: true, record: expected });
        expect(await store.accept({ id, raw, receivedAt: D + 5000, envelope: envelope('office-b') })).toEqual({ created: false, record: expected });
        expect(await store.get(id)).toEqual(expected);
        expect(await store.getRaw(id)).toEqual(raw);
        expect(await listIds({})).toEqual([id]);
        expect(await store.pending(D + 1, 10)).toEqual([id]);

        const done = await store.complete(id, { result: flagged, simhash: SIMHASH, senderDomain: 'officialproudboys.example', scoredAt: D + 1000 });
        expect(await store.accept({ id, raw, receivedAt: D + 9000, envelope: env })).toEqual({ created: false, record: done });
      });

      it('knows nothing of ids it never accepted', async () => {
        const unknown = 'f'.repeat(64);
        expect(await store.get(unknown)).toBeNull();
        expect(await store.getRaw(unknown)).toBeNull();
        expect(await store.complete(unknown, { result: flagged, simhash: SIMHASH, senderDomain: null, scoredAt: D })).toBeNull();
        expect(await store.requeue(unknown)).toBe(false);
        await store.fail(unknown, { code: 'x', message: 'y' });
        expect(await store.get(unknown)).toBeNull();
      });
    });

    describe('complete', () => {
      it('stores the result and keeps the raw message of a flagged or unscanned result', async () => {
        const id = await add(D, 'office-a');
        const queued = (await store.get(id))!;
        const record = await store.complete(id, { result: flagged, simhash: SIMHASH, senderDomain: 'officialproudboys.example', scoredAt: D + 2000 });
        const expected: MessageRecord = { ...queued, status: 'done', result: flagged, scoredAt: D + 2000, simhash: SIMHASH, senderDomain: 'officialproudboys.example' };
        expect(record).toEqual(expected);
        expect(await store.get(id)).toEqual(expected);
        expect(await store.getRaw(id)).toEqual(raws.get(id));

        const unscanned = variant(flagged, { verdict: 'unscanned', category: null, signals: [] });
        const other = await add(D + 1);
        expect((await store.complete(other, { result: unscanned, simhash: null, senderDomain: null, scoredAt: D + 2000 }))?.result).toEqual(unscanned);
        expect(await store.getRaw(other)).toEqual(raws.get(other));
      });

      it('deletes the raw message of a clean result', async () => {
        const id = await add(D);
        const record = await store.complete(id, { result: clean, simhash: SIMHASH, senderDomain: 'elections.example.gov', scoredAt: D + 1000 });
        expect(record?.result).toEqual(clean);
        expect(await store.getRaw(id)).toBeNull();
      });

      it('keeps the raw message of a clean result for cleanRawMs when configured, so a missed threat can be corrected', async () => {
        const keeping = await open({ ...RETENTION, cleanRawMs: DAY });
        try {
          const raw = buildEmail({ subject: `kept clean ${++seq}`, text: 'ordinary mail' });
          const id = sha256(raw);
          await keeping.accept({ id, raw, receivedAt: D, envelope: envelope(null) });
          await keeping.complete(id, { result: clean, simhash: SIMHASH, senderDomain: null, scoredAt: D + 1000 });
          expect(await keeping.getRaw(id)).toEqual(raw);
          const raw2 = buildEmail({ subject: `kept clean ${++seq}`, text: 'ordinary mail' });
          const id2 = sha256(raw2);
          await keeping.accept({ id: id2, raw: raw2, receivedAt: D, envelope: envelope(null) });
          await keeping.complete(id2, { result: clean, simhash: SIMHASH, senderDomain: null, scoredAt: D + 1000 });
          // An analyst says the first one was a threat: its raw is pinned; the other expires after a day.
          expect((await keeping.addFeedback(id, { label: 'intimidation', note: 'missed', by: 'k', at: D + 2000 }))?.rawKept).toBe(true);
          expect(await keeping.purge(D + 1000 + DAY - 1)).toEqual({ results: 0, raw: 0 });
          expect(await keeping.purge(D + 1000 + DAY + 1)).toEqual({ results: 0, raw: 1 });
          expect(await keeping.getRaw(id)).toEqual(raw);
          expect(await keeping.getRaw(id2)).toBeNull();
        } finally {
          await keeping.close();
        }
      });

      it('completes once: a second call returns null, changes nothing and is not counted again', async () => {
        const result = variant(flagged, { signals: ['THREAT_VIOLENCE', 'COERCION_VOTE'] });
        const id = await add(D + HOUR, 'office-a');
        const first = await store.complete(id, { result, simhash: SIMHASH, senderDomain: 'bad.example', scoredAt: D + HOUR + 1 });
        expect(await store.complete(id, { result: clean, simhash: 'ffffffffffffffff', senderDomain: 'good.example', scoredAt: D + HOUR + 2 })).toBeNull();
        expect(await store.get(id)).toEqual(first);
        expect(await store.getRaw(id)).toEqual(raws.get(id));
        const stats = await store.stats({ since: D, until: D + DAY, bucket: 'day', top: 10 });
        expect({ ...stats, topSignals: [...stats.topSignals].sort((a, b) => a.id.localeCompare(b.id)) }).toEqual({
          since: D,
          until: D + DAY,
          bucket: 'day',
          total: 1,
          verdict: { flagged: 1 },
          category: { intimidation: 1 },
          series: [{ start: D, total: 1, verdict: { flagged: 1 }, category: { intimidation: 1 } }],
          topSenderDomains: [{ domain: 'bad.example', total: 1, flagged: 1 }],
          topSignals: [
            { id: 'COERCION_VOTE', count: 1 },
            { id: 'THREAT_VIOLENCE', count: 1 },
          ],
        });
      });
    });

    describe('fail and requeue', () => {
      it('marks a record failed keeping its raw message, and requeues only failed records', async () => {
        const id = await add(D);
        const queued = (await store.get(id))!;
        await store.fail(id, { code: 'parse_timeout', message: 'took too long' });
        expect(await store.get(id)).toEqual({ ...queued, status: 'failed', error: { code: 'parse_timeout', message: 'took too long' } });
        expect(await store.getRaw(id)).toEqual(raws.get(id));
        expect(await store.pending(D + 1, 10)).toEqual([]);
        expect(await listIds({ status: 'failed' })).toEqual([id]);

        expect(await store.requeue(id)).toBe(true);
        expect(await store.get(id)).toEqual(queued);
        expect(await store.requeue(id)).toBe(false);
        expect(await store.pending(D + 1, 10)).toEqual([id]);
      });

      it('leaves a done record alone', async () => {
        const id = await addDone(D, flagged);
        const done = await store.get(id);
        await store.fail(id, { code: 'late', message: 'a stale retry' });
        expect(await store.requeue(id)).toBe(false);
        expect(await store.get(id)).toEqual(done);
      });
    });

    describe('list', () => {
      it('lists newest first, ties by id descending, with the same records as get', async () => {
        const times = [D, D + 1, D + 1, D + 1, D + 2];
        const added: { id: string; at: number }[] = [];
        for (const at of times) added.push({ id: await add(at), at });
        await store.complete(added[1].id, { result: flagged, simhash: SIMHASH, senderDomain: 'officialproudboys.example', scoredAt: D + 10 });
        await store.addFeedback(added[1].id, { label: 'intimidation', note: 'seen', by: 'key-1', at: D + 20 });
        const page = await store.list({ limit: 10 });
        expect(ids(page)).toEqual(newestFirst(added, (a) => a.at, (a) => a.id).map((a) => a.id));
        expect(page.nextCursor).toBeNull();
        for (const item of page.items) expect(item).toEqual(await store.get(item.id));
      });

      it('pages through equal receivedAt ties without gaps or repeats', async () => {
        const added: { id: string; at: number }[] = [];
        for (const at of [D, D, D, D + 1, D + 2, D + 2, D + 3]) added.push({ id: await add(at), at });
        const expected = newestFirst(added, (a) => a.at, (a) => a.id).map((a) => a.id);

        const cursors: (string | null)[] = [];
        const pages = await allPages(async (cursor) => {
          const page = await store.list({ limit: 2, cursor });
          cursors.push(page.nextCursor);
          return page;
        });
        expect(pages.map((p) => p.map((r) => r.id))).toEqual([expected.slice(0, 2), expected.slice(2, 4), expected.slice(4, 6), expected.slice(6)]);
        expect(cursors.map((c) => c === null)).toEqual([false, false, false, true]);

        const exact = await allPages((c) => store.list({ limit: 7, cursor: c }));
        expect(exact.flat().map((r) => r.id)).toEqual(expected);
        expect(exact.length).toBeLessThanOrEqual(2);
      });

      it('rejects a cursor it did not issue and a limit outside 1..500', async () => {
        await add(D);
        await expect(store.list({ limit: 5, cursor: 'not a cursor' })).rejects.toBeInstanceOf(CursorError);
        await expect(store.list({ limit: 5, cursor: Buffer.from('12:../etc').toString('base64url') })).rejects.toBeInstanceOf(CursorError);
        await expect(store.listFeedback({ limit: 5, cursor: 'x' })).rejects.toBeInstanceOf(CursorError);
        await expect(store.list({ limit: 0 })).rejects.toThrow();
        await expect(store.list({ limit: 501 })).rejects.toThrow();
        expect(ids(await store.list({ limit: 500 }))).toHaveLength(1);
      });

      it('filters by verdict, category, status, time, gateway, sender and text, combined with AND', async () => {
        const x1 = await addDone(D + 1, flagged, { gateway: 'office-a', senderDomain: 'officialproudboys.example' });
        const x2 = await addDone(D + 2, disinfo, { gateway: 'office-b', senderDomain: 'votenow-alerts.example' });
        const x3 = await addDone(D + 3, clean, { gateway: 'office-a', senderDomain: 'elections.example.gov' });
        const x4 = await add(D + 4, 'office-b');
        const x5 = await add(D + 5);
        await store.fail(x5, { code: 'parse_timeout', message: 'took too long' });
        const spam = variant(flagged, { verdict: 'suspicious', category: 'spam', subject: '100% FREE offer_now', from: 'Promo@Deals.example' });
        const x6 = await addDone(D + 6, spam, { gateway: 'office-b', senderDomain: 'deals.example' });
        const votacion = variant(clean, { subject: 'Votación: 1000 free things, order now', from: 'x@y.example' });
        const x7 = await addDone(D + 7, votacion, { gateway: 'office-a', senderDomain: 'y.example' });
        expect([flagged.message.subject, disinfo.message.from]).toEqual(['Vote for Trump or else!', 'alerts@votenow-alerts.example']);

        expect(await listIds({})).toEqual([x7, x6, x5, x4, x3, x2, x1]);
        expect(await listIds({ verdict: 'flagged' })).toEqual([x2, x1]);
        expect(await listIds({ verdict: 'suspicious' })).toEqual([x6]);
        expect(await listIds({ verdict: 'clean' })).toEqual([x7, x3]);
        expect(await listIds({ category: 'disinformation' })).toEqual([x2]);
        expect(await listIds({ category: 'ham' })).toEqual([x7, x3]);
        expect(await listIds({ status: 'done' })).toEqual([x7, x6, x3, x2, x1]);
        expect(await listIds({ status: 'queued' })).toEqual([x4]);
        expect(await listIds({ status: 'failed' })).toEqual([x5]);
        expect(await listIds({ since: D + 3 })).toEqual([x7, x6, x5, x4, x3]);
        expect(await listIds({ until: D + 3 })).toEqual([x2, x1]);
        expect(await listIds({ since: D + 2, until: D + 4 })).toEqual([x3, x2]);
        expect(await listIds({ gateway: 'office-a' })).toEqual([x7, x3, x1]);
        expect(await listIds({ gateway: 'office-b' })).toEqual([x6, x4, x2]);
        expect(await listIds({ sender: 'votenow-alerts.example' })).toEqual([x2]);
        expect(await listIds({ sender: 'nobody.example' })).toEqual([]);
        expect(await listIds({ verdict: 'flagged', gateway: 'office-a' })).toEqual([x1]);
        expect(await listIds({ status: 'done', gateway: 'office-b', since: D + 3 })).toEqual([x6]);

        // q: subject or From address, any case (Unicode too), wildcard characters taken literally.
        expect(await listIds({ q: 'vote' })).toEqual([x2, x1]);
        expect(await listIds({ q: 'TRUMP' })).toEqual([x1]);
        expect(await listIds({ q: 'votenow-ALERTS' })).toEqual([x2]);
        expect(await listIds({ q: 'deals.EXAMPLE' })).toEqual([x6]);
        expect(await listIds({ q: 'VOTACIÓN' })).toEqual([x7]);
        expect(await listIds({ q: '100%' })).toEqual([x6]);
        expect(await listIds({ q: '%' })).toEqual([x6]);
        expect(await listIds({ q: 'r_n' })).toEqual([x6]);
        expect(await listIds({ q: 'free', verdict: 'clean' })).toEqual([x7]);

        const pages = await allPages((cursor) => store.list({ status: 'done', limit: 2, cursor }));
        expect(pages.map((p) => p.map((r) => r.id))).toEqual([[x7, x6], [x3, x2], [x1]]);
      });
    });

    describe('stats', () => {
      async function seed(): Promise<void> {
        const r = (base: ScanResult, verdict: Verdict, category: Category | null, signals: string[]) => variant(base, { verdict, category, signals });
        await addDone(D + HOUR + 5 * 60_000, r(flagged, 'flagged', 'intimidation', ['THREAT_VIOLENCE', 'COERCION_VOTE']), { senderDomain: 'bad.example' });
        await addDone(D + HOUR + 30 * 60_000, r(disinfo, 'suspicious', 'disinformation', ['PROCESS_VOTE_REMOTE']), { senderDomain: 'bad.example' });
        await addDone(D + HOUR + 40 * 60_000, r(disinfo, 'flagged', 'disinformation', ['PROCESS_VOTE_REMOTE', 'PROCESS_WRONG_DATE']), { senderDomain: 'other.example' });
        await addDone(D + 3 * HOUR, r(clean, 'clean', 'ham', ['OFFICIAL_SENDER']), { senderDomain: 'county.example.gov' });
        await addDone(D + 3 * HOUR + 1, r(clean, 'clean', 'ham', ['OFFICIAL_SENDER']), { senderDomain: 'county.example.gov' });
        await addDone(D + 3 * HOUR + 2, r(flagged, 'unscanned', null, []), { simhash: null });
        await addDone(D + 5 * HOUR, r(clean, 'clean', 'ham', ['OFFICIAL_SENDER']), { senderDomain: 'aaa-news.example' });
        // Not counted in [D, D + DAY): not done, or outside the window.
        await add(D + 2 * HOUR);
        const failed = await add(D + 2 * HOUR + 1);
        await store.fail(failed, { code: 'parse_timeout', message: 'took too long' });
        await addDone(D - 1, r(flagged, 'flagged', 'intimidation', ['THREAT_VIOLENCE', 'PROCESS_WRONG_DATE']), { senderDomain: 'bad.example' });
        await addDone(D + DAY, r(flagged, 'flagged', 'intimidation', ['COERCION_VOTE']), { senderDomain: 'bad.example' });
      }

      it('counts done messages in [since, until) by verdict and category, in hour buckets, with top lists', async () => {
        await seed();
        const stats = await store.stats({ since: D, until: D + DAY, bucket: 'hour', top: 10 });
        expect({ ...stats, topSignals: stats.topSignals.slice(0, 2) }).toEqual({
          since: D,
          until: D + DAY,
          bucket: 'hour',
          total: 7,
          verdict: { flagged: 2, suspicious: 1, clean: 3, unscanned: 1 },
          category: { intimidation: 1, disinformation: 2, ham: 3 },
          series: [
            { start: D + HOUR, total: 3, verdict: { flagged: 2, suspicious: 1 }, category: { intimidation: 1, disinformation: 2 } },
            { start: D + 3 * HOUR, total: 3, verdict: { clean: 2, unscanned: 1 }, category: { ham: 2 } },
            { start: D + 5 * HOUR, total: 1, verdict: { clean: 1 }, category: { ham: 1 } },
          ],
          topSenderDomains: [
            { domain: 'bad.example', total: 2, flagged: 2 },
            { domain: 'other.example', total: 1, flagged: 1 },
            { domain: 'county.example.gov', total: 2, flagged: 0 },
            { domain: 'aaa-news.example', total: 1, flagged: 0 },
          ],
          topSignals: [
            { id: 'OFFICIAL_SENDER', count: 3 },
            { id: 'PROCESS_VOTE_REMOTE', count: 2 },
          ],
        });
        // The rest tie at 1, in no promised order.
        expect([...stats.topSignals.slice(2)].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          { id: 'COERCION_VOTE', count: 1 },
          { id: 'PROCESS_WRONG_DATE', count: 1 },
          { id: 'THREAT_VIOLENCE', count: 1 },
        ]);

        const top2 = await store.stats({ since: D, until: D + DAY, bucket: 'hour', top: 2 });
        expect(top2.topSenderDomains.map((d) => d.domain)).toEqual(['bad.example', 'other.example']);
        expect(top2.topSignals).toEqual([
          { id: 'OFFICIAL_SENDER', count: 3 },
          { id: 'PROCESS_VOTE_REMOTE', count: 2 },
        ]);
      });

      it('buckets by UTC day', async () => {
        await seed();
        expect(await store.stats({ since: D, until: D + 2 * DAY, bucket: 'day', top: 1 })).toEqual({
          since: D,
          until: D + 2 * DAY,
          bucket: 'day',
          total: 8,
          verdict: { flagged: 3, suspicious: 1, clean: 3, unscanned: 1 },
          category: { intimidation: 2, disinformation: 2, ham: 3 },
          series: [
            { start: D, total: 7, verdict: { flagged: 2, suspicious: 1, clean: 3, unscanned: 1 }, category: { intimidation: 1, disinformation: 2, ham: 3 } },
            { start: D + DAY, total: 1, verdict: { flagged: 1 }, category: { intimidation: 1 } },
          ],
          topSenderDomains: [{ domain: 'bad.example', total: 3, flagged: 3 }],
          topSignals: [{ id: 'OFFICIAL_SENDER', count: 3 }],
        });
      });

      it('is empty for a window without messages', async () => {
        await seed();
        expect(await store.stats({ since: D + 2 * DAY, until: D + 3 * DAY, bucket: 'hour', top: 5 })).toEqual({
          since: D + 2 * DAY,
          until: D + 3 * DAY,
          bucket: 'hour',
          total: 0,
          verdict: {},
          category: {},
          series: [],
          topSenderDomains: [],
          topSignals: [],
        });
      });
    });

    describe('feedback', () => {
      it('records feedback with what the model said, on the message oldest first and in listFeedback newest first', async () => {
        const m = await addDone(D, flagged, { senderDomain: 'officialproudboys.example' });
        expect(await store.addFeedback('e'.repeat(64), { label: 'ham', note: '', by: 'key-1', at: D })).toBeNull();

        const fb1 = await store.addFeedback(m, { label: 'intimidation', note: 'confirmed', by: 'key-1', at: D + 2 * HOUR });
        expect(fb1).toEqual({ id: expect.any(String), messageId: m, label: 'intimidation', note: 'confirmed', by: 'key-1', at: D + 2 * HOUR, verdict: 'flagged', category: 'intimidation', rawKept: true });
        const fb2 = (await store.addFeedback(m, { label: 'ham', note: 'on second thought', by: 'key-2', at: D + HOUR }))!;
        expect(fb2.id).not.toEqual(fb1!.id);
        expect((await store.get(m))?.feedback).toEqual([fb2, fb1]);
        expect((await store.list({ limit: 1 })).items[0].feedback).toEqual([fb2, fb1]);

        const q = await add(D + 1);
        const fbq = await store.addFeedback(q, { label: 'spam', note: '', by: 'key-1', at: D + 3 * HOUR });
        expect(fbq).toMatchObject({ messageId: q, verdict: null, category: null, rawKept: true });
        const c = await addDone(D + 2, clean);
        const fbc = await store.addFeedback(c, { label: 'disinformation', note: 'missed', by: 'key-3', at: D + 3 * HOUR });
        expect(fbc).toMatchObject({ messageId: c, verdict: 'clean', category: 'ham', rawKept: false });

        const all = [...newestFirst([fbq!, fbc!], (f) => f.at, (f) => f.id), fb1!, fb2];
        const listed = async (q: { label?: Feedback['label']; since?: number; until?: number }) => (await store.listFeedback({ limit: 500, ...q })).items;
        expect(await store.listFeedback({ limit: 10 })).toEqual({ items: all, nextCursor: null });
        expect(await listed({ label: 'ham' })).toEqual([fb2]);
        expect(await listed({ label: 'spam' })).toEqual([fbq]);
        expect(await listed({ since: D + 2 * HOUR })).toEqual(all.slice(0, 3));
        expect(await listed({ until: D + 2 * HOUR })).toEqual([fb2]);
        expect(await listed({ since: D + HOUR + 1, until: D + 3 * HOUR })).toEqual([fb1]);

        const pages = await allPages((cursor) => store.listFeedback({ limit: 1, cursor }));
        expect(pages.flat()).toEqual(all);
        expect(pages.length).toBeLessThanOrEqual(5);
      });

      it('pins the raw message: no expiry, not even when its result is purged or it is scored clean', async () => {
        const m = await addDone(D, flagged, { scoredAt: D + 1000 });
        await store.addFeedback(m, { label: 'intimidation', note: '', by: 'key-1', at: D + HOUR });
        const q = await add(D);
        await store.addFeedback(q, { label: 'ham', note: '', by: 'key-1', at: D + HOUR });
        await store.complete(q, { result: clean, simhash: SIMHASH, senderDomain: null, scoredAt: D + 2000 });
        expect(await store.getRaw(q)).toEqual(raws.get(q));

        expect(await store.purge(D + 1000 + RETENTION.rawMs + DAY)).toEqual({ results: 0, raw: 0 });
        expect(await store.getRaw(m)).toEqual(raws.get(m));
        expect(await store.purge(D + RETENTION.resultsMs + DAY)).toEqual({ results: 2, raw: 0 });
        expect(await store.get(m)).toBeNull();
        expect(await store.getRaw(m)).toEqual(raws.get(m));
        expect(await store.getRaw(q)).toEqual(raws.get(q));
        expect((await store.listFeedback({ limit: 10 })).items.map((f) => f.messageId).sort()).toEqual([m, q].sort());
      });
    });

    it('campaignMembers: done messages in the window with the verdicts and a simhash, newest first, at most scanLimit', async () => {
      const m1 = await addDone(D + HOUR, flagged, { gateway: 'office-a', senderDomain: 'officialproudboys.example', simhash: '0123456789abcdef' });
      const suspicious = variant(disinfo, { verdict: 'suspicious' });
      const m2 = await addDone(D + 2 * HOUR, suspicious, { gateway: 'office-b', senderDomain: 'votenow-alerts.example', simhash: '0123456789abcdee' });
      const m3 = await addDone(D + 3 * HOUR, clean, { simhash: 'ffffffffffffffff' });
      await addDone(D + 4 * HOUR, flagged, { simhash: null });
      await add(D + 5 * HOUR);
      await addDone(D - 1, flagged);
      await addDone(D + DAY, flagged);

      const q = { since: D, until: D + DAY, verdicts: ['flagged', 'suspicious'] as Verdict[], minSize: 2, scanLimit: 100, limit: 10 };
      const member2 = { id: m2, simhash: '0123456789abcdee', receivedAt: D + 2 * HOUR, gateway: 'office-b', senderDomain: 'votenow-alerts.example', verdict: 'suspicious', category: 'disinformation', subject: disinfo.message.subject };
      const member1 = { id: m1, simhash: '0123456789abcdef', receivedAt: D + HOUR, gateway: 'office-a', senderDomain: 'officialproudboys.example', verdict: 'flagged', category: 'intimidation', subject: flagged.message.subject };
      expect(await store.campaignMembers(q)).toEqual([member2, member1]);
      expect(await store.campaignMembers({ ...q, scanLimit: 1 })).toEqual([member2]);
      expect(await store.campaignMembers({ ...q, verdicts: ['clean'] })).toEqual([
        { id: m3, simhash: 'ffffffffffffffff', receivedAt: D + 3 * HOUR, gateway: null, senderDomain: null, verdict: 'clean', category: 'ham', subject: clean.message.subject },
      ]);
    });

    it('pending: queued ids accepted before `before`, oldest first, at most limit', async () => {
      const p1 = await add(D + 2);
      const p2 = await add(D);
      const p3 = await add(D + 1);
      await addDone(D - 5, flagged);
      await store.fail(await add(D - 4), { code: 'parse_timeout', message: 'took too long' });
      const late = await add(D + 10);
      expect(await store.pending(D + 10, 10)).toEqual([p2, p3, p1]);
      expect(await store.pending(D + 10, 2)).toEqual([p2, p3]);
      expect(await store.pending(D, 10)).toEqual([]);
      expect(await store.pending(D + 11, 10)).toEqual([p2, p3, p1, late]);
    });

    it('purge drops raw messages past rawMs, then results, their indexes and raw messages past resultsMs', async () => {
      const o1 = await addDone(D, variant(flagged, { signals: ['THREAT_VIOLENCE'] }), { gateway: 'office-a', senderDomain: 'bad.example', scoredAt: D + 1000 });
      const o2 = await add(D, 'office-a');
      const n1 = await addDone(D + 25 * DAY, variant(disinfo, { signals: ['PROCESS_VOTE_REMOTE'] }), { gateway: 'office-a', scoredAt: D + 25 * DAY + 1000 });
      const n2 = await addDone(D + 25 * DAY + 1, variant(clean, { signals: [] }), { gateway: 'office-a' });
      const o1Done = await store.get(o1);

      expect(await store.purge(D + 26 * DAY)).toEqual({ results: 0, raw: 1 });
      expect(await store.getRaw(o1)).toBeNull();
      expect(await store.get(o1)).toEqual(o1Done);
      expect(await store.getRaw(o2)).toEqual(raws.get(o2));
      expect(await store.getRaw(n1)).toEqual(raws.get(n1));
      expect(await store.purge(D + 26 * DAY)).toEqual({ results: 0, raw: 0 });

      expect(await store.purge(D + RETENTION.resultsMs + 1)).toEqual({ results: 2, raw: 1 });
      expect(await store.get(o1)).toBeNull();
      expect(await store.get(o2)).toBeNull();
      expect(await store.getRaw(o2)).toBeNull();
      expect(await store.getRaw(n1)).toEqual(raws.get(n1));
      expect(await listIds({})).toEqual([n2, n1]);
      expect(await listIds({ gateway: 'office-a' })).toEqual([n2, n1]);
      expect(await store.pending(D + 40 * DAY, 10)).toEqual([]);
      const stats = await store.stats({ since: 0, until: D + 40 * DAY, bucket: 'day', top: 10 });
      expect([stats.total, stats.topSenderDomains, stats.topSignals]).toEqual([2, [], [{ id: 'PROCESS_VOTE_REMOTE', count: 1 }]]);

      expect(await store.purge(D + 25 * DAY + 1000 + RETENTION.rawMs + 1)).toEqual({ results: 0, raw: 1 });
      expect(await store.getRaw(n1)).toBeNull();
      expect(await listIds({})).toEqual([n2, n1]);
    });

    it('ping answers while open; close is idempotent and later calls fail', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });
  });
}

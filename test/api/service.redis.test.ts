/**
 * The service end to end against the real Redis on this machine: HTTP ingest → BullMQ → worker →
 * Redis store → dashboard queries, idempotency, every error code, failed jobs and rate limits.
 * One service (ROLE=all) with its own key prefix for the whole file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { BullScanQueue } from '../../src/queue/bull-queue';
import { RedisStore } from '../../src/store/redis-store';
import { buildEmail } from '../helpers/build-email';
import { specimen } from '../helpers/paths';
import { dropPrefix, postMessage, REDIS_URL, startTestService, type TestService, request, type JsonResponse } from '../helpers/service';

const threat = (name: string, addr: string) =>
  Buffer.from(
    readFileSync(specimen('scenarios/proud-boys-change-party.eml'), 'utf8')
      .replace(/Dana,/, `${name},`)
      .replace('dana.whitfield@example.net', `${name.toLowerCase()}@example.net`)
      .replace('Good luck.', `We know you live at ${addr}.\n\nGood luck.`),
  );

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ REDIS_URL, BALLOTWATCH_MAX_BYTES: '200000', BALLOTWATCH_RATE_ANALYST: '1000' });
});
afterAll(async () => {
  await svc?.close();
  if (svc) await dropPrefix(svc.prefix);
});

async function scored(raw: Buffer, headers: Record<string, string> = {}) {
  const res = await postMessage(svc, raw, '?wait=10000', headers);
  expect(res.status).toBe(200);
  return res.json();
}

describe('ingest', () => {
  it('scores a message inline with ?wait and returns action and headers for the gateway', async () => {
    const body = await scored(readFileSync(specimen('scenarios/proud-boys-change-party.eml')), { 'X-Gateway-Id': 'office-a', 'X-Client-IP': '198.51.100.23', 'X-Rcpt-To': 'a@x.example, b@x.example' });
    expect(body.status).toBe('done');
    expect(body.result.verdict).toBe('flagged');
    expect(body.result.category).toBe('intimidation');
    expect(body.result.action).toBe('quarantine');
    expect(body.result.headers['X-Ballotwatch-Verdict']).toBe('flagged');
    expect(body.result.model).toMatch(/^\d{4}\./);
    expect(body.envelope).toEqual({ clientIp: '198.51.100.23', mailFrom: null, rcptTo: ['a@x.example', 'b@x.example'], helo: null, gateway: 'office-a' });
    expect(body.result.signals.map((s: { id: string }) => s.id)).toContain('THREAT_VIOLENCE');
  });

  it("takes rspamd's envelope header names too", async () => {
    const raw = buildEmail({ subject: 'rspamd names', text: 'Envelope headers named as rspamd takes them on /checkv2.' });
    const body = await scored(raw, { IP: '192.0.2.7', From: '<bounce@example.org>', Rcpt: '<a@x.example>, <b@x.example>', Helo: 'mx.example.org' });
    expect(body.envelope).toEqual({ clientIp: '192.0.2.7', mailFrom: 'bounce@example.org', rcptTo: ['a@x.example', 'b@x.example'], helo: 'mx.example.org', gateway: expect.stringMatching(/^key:/) });
  });

  it('answers 202 with a Location without ?wait, and the result appears there', async () => {
    const raw = readFileSync(specimen('scenarios/office-early-voting.eml'));
    const res = await postMessage(svc, raw);
    expect(res.status).toBe(202);
    const { id, status } = await res.json();
    expect(status).toBe('queued');
    expect(res.headers.get('location')).toBe(`/v1/messages/${id}`);
    let body: { status: string; result: { verdict: string } | null } = { status: 'queued', result: null };
    for (let i = 0; i < 100 && body.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      body = await (await svc.call('gateway', `/v1/messages/${id}`)).json();
    }
    expect(body.status).toBe('done');
    expect(body.result?.verdict).toBe('clean');
  });

  it('is idempotent: the same bytes give the same id and one result', async () => {
    const raw = buildEmail({ subject: 'Idempotent', text: 'Exactly the same bytes twice should be one message and one result, whatever happens.' });
    const a = await scored(raw);
    const b = await scored(raw);
    expect(b.id).toBe(a.id);
    expect(b.duplicate).toBe(true);
    expect(b.scoredAt).toBe(a.scoredAt);
    const list = await (await svc.call('analyst', `/v1/messages?q=${encodeURIComponent('Idempotent')}`)).json();
    expect(list.items).toHaveLength(1);
  });

  it('gives each bad input a JSON error with a stable code', async () => {
    const expectError = async (res: JsonResponse, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect((await res.json()).error.code).toBe(code);
    };
    await expectError(await postMessage(svc, Buffer.alloc(0)), 400, 'empty_body');
    await expectError(await postMessage(svc, Buffer.alloc(300_000, 'a')), 413, 'too_large');
    await expectError(await svc.call('gateway', '/v1/messages', { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
    await expectError(await postMessage(svc, buildEmail({ text: 'hello there' }), '', { 'X-Client-IP': 'not-an-ip' }), 400, 'bad_envelope');
    await expectError(await postMessage(svc, buildEmail({ text: 'hello' }), '?wait=soon'), 400, 'bad_request');
    await expectError(await svc.call('analyst', '/v1/messages?cursor=bm9wZQ'), 400, 'bad_cursor');
    await expectError(await svc.call('analyst', '/v1/messages?verdict=evil'), 400, 'bad_request');
    await expectError(await svc.call('analyst', '/v1/messages?colour=red'), 400, 'bad_request');
    await expectError(await svc.call('analyst', `/v1/messages/${'0'.repeat(64)}`), 404, 'not_found');
    await expectError(await svc.call('analyst', '/v1/messages/not-an-id'), 400, 'bad_request');
    await expectError(await svc.call('analyst', '/v1/nowhere'), 404, 'not_found');
  });

  it('turns input that is not an email into an unscanned result, never a crash or a loss', async () => {
    for (const name of ['malformed/not-an-email.bin', 'malformed/missing-boundary.eml']) {
      const body = await scored(readFileSync(specimen(name)));
      expect(body.status).toBe('done');
      if (name.endsWith('.bin')) {
        expect(body.result.verdict).toBe('unscanned');
        expect(body.result.reason.code).toBe('not_email');
        expect(body.result.action).toBe('add_header');
      }
    }
    const health = await request(`${svc.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('dashboard', () => {
  const ids: string[] = [];
  beforeAll(async () => {
    const victims = [
      ['Alice', '12 Oak Street', 'office-north'],
      ['Bob', '455 Pine Avenue Apt 3', 'office-south'],
      ['Carla', '9 Elm Road', 'office-east'],
    ];
    for (const [name, addr, gw] of victims) ids.push((await scored(threat(name, addr), { 'X-Gateway-Id': gw })).id);
    ids.push((await scored(readFileSync(specimen('scenarios/vote-by-text.eml')), { 'X-Gateway-Id': 'office-north' })).id);
    ids.push((await scored(readFileSync(specimen('scenarios/office-early-voting.eml')), { 'X-Gateway-Id': 'office-north' })).id);
  });

  it('lists newest first with filters and cursor paging', async () => {
    const flagged = await (await svc.call('analyst', '/v1/messages?verdict=flagged&gateway=office-north')).json();
    expect(flagged.items.map((i: { id: string }) => i.id)).toEqual([ids[3], ids[0]]);
    const intim = await (await svc.call('analyst', '/v1/messages?category=intimidation&sender=officialproudboys.example')).json();
    expect(intim.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining(ids.slice(0, 3)));
    expect(intim.items.every((i: { category: string }) => i.category === 'intimidation')).toBe(true);
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const res = await (await svc.call('analyst', `/v1/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...res.items.map((i: { id: string }) => i.id));
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
    const byText = await (await svc.call('analyst', `/v1/messages?q=${encodeURIComponent('vote for trump')}`)).json();
    expect(byText.items.length).toBeGreaterThanOrEqual(3);
  });

  it('shows the full result to analysts, with the raw message of flagged mail', async () => {
    const full = await (await svc.call('analyst', `/v1/messages/${ids[0]}`)).json();
    expect(full.result.signals[0].evidence).toBeTruthy();
    expect(full.result.clues.length).toBeGreaterThan(0);
    expect(full.raw).toBe(`/v1/messages/${ids[0]}/raw`);
    const raw = await svc.call('analyst', full.raw);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toMatch(/message\/rfc822/);
    expect(await raw.text()).toContain('Alice,');
    // A gateway sees the result but not the raw message or feedback.
    const gw = await (await svc.call('gateway', `/v1/messages/${ids[0]}`)).json();
    expect(gw.raw).toBeUndefined();
    expect((await svc.call('gateway', full.raw)).status).toBe(403);
    // Clean mail is not kept.
    expect((await svc.call('analyst', `/v1/messages/${ids[4]}/raw`)).status).toBe(404);
  });

  it('counts per verdict and category over time, top sender domains and signals', async () => {
    const s = await (await svc.call('analyst', '/v1/stats?bucket=day&top=3')).json();
    expect(s.verdict.flagged).toBeGreaterThanOrEqual(4);
    expect(s.category.intimidation).toBeGreaterThanOrEqual(4);
    expect(s.series).toHaveLength(1);
    expect(s.series[0].total).toBe(s.total);
    expect(s.topSenderDomains[0]).toEqual({ domain: 'officialproudboys.example', total: expect.any(Number), flagged: expect.any(Number) });
    expect(s.topSenderDomains[0].flagged).toBeGreaterThanOrEqual(4);
    expect(s.topSignals.map((x: { id: string }) => x.id)).toContain('THREAT_VIOLENCE');
    expect(s.topSignals).toHaveLength(3);
  });

  it('groups the personalised copies of one threat into a campaign across offices', async () => {
    const c = await (await svc.call('analyst', '/v1/campaigns')).json();
    const campaign = c.items.find((x: { messageIds: string[] }) => x.messageIds.includes(ids[1]));
    expect(campaign).toBeDefined();
    expect(campaign.messageIds).toEqual(expect.arrayContaining(ids.slice(0, 3)));
    expect(campaign.messageIds).not.toContain(ids[3]);
    expect(campaign.gateways).toEqual(expect.arrayContaining(['office-east', 'office-north', 'office-south']));
  });

  it('stores and lists analysts’ feedback', async () => {
    const res = await svc.call('analyst', `/v1/messages/${ids[4]}/feedback`, { method: 'POST', body: JSON.stringify({ label: 'disinformation', note: 'fake hours' }), headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(201);
    const fb = await res.json();
    expect(fb).toMatchObject({ messageId: ids[4], label: 'disinformation', note: 'fake hours', verdict: 'clean' });
    const bad = await svc.call('analyst', `/v1/messages/${ids[4]}/feedback`, { method: 'POST', body: JSON.stringify({ label: 'evil' }), headers: { 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(400);
    const list = await (await svc.call('analyst', '/v1/feedback?label=disinformation')).json();
    expect(list.items[0].id).toBe(fb.id);
    const rec = await (await svc.call('analyst', `/v1/messages/${ids[4]}`)).json();
    expect(rec.feedback.map((f: { id: string }) => f.id)).toEqual([fb.id]);
  });
});

describe('failed jobs', () => {
  it('fails a job whose raw message is gone at once, and shows it to admins', async () => {
    const raw = buildEmail({ subject: 'will lose its body', text: 'This message loses its stored bytes before a worker gets to it.' });
    const id = createHash('sha256').update(raw).digest('hex');
    // Accepted through the store itself, then its bytes deleted before the job is queued.
    const conn = new Redis(REDIS_URL);
    const store = new RedisStore(conn, `${svc.prefix}:`, { resultsMs: 86_400_000, rawMs: 86_400_000 });
    const queue = new BullScanQueue(conn, svc.prefix, { attempts: 5, backoffMs: 100 });
    await store.accept({ id, raw, receivedAt: Date.now(), envelope: { clientIp: null, mailFrom: null, rcptTo: [], helo: null, gateway: 'test' } });
    await conn.del(`${svc.prefix}:raw:${id}`);
    await queue.enqueue({ id });
    await queue.close();
    conn.disconnect();
    let rec = { status: 'queued', error: null as null | { code: string } };
    for (let i = 0; i < 100 && rec.status === 'queued'; i++) {
      await new Promise((res) => setTimeout(res, 50));
      rec = await (await svc.call('admin', `/v1/messages/${id}`)).json();
    }
    expect(rec.status).toBe('failed');
    expect(rec.error?.code).toBe('unrecoverable');
    const failed = await (await svc.call('admin', '/v1/jobs/failed')).json();
    expect(failed.items.map((j: { id: string }) => j.id)).toContain(id);
    expect((await svc.call('analyst', '/v1/jobs/failed')).status).toBe(403);
  });
});

describe('operations', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await request(`${svc.url}/healthz`)).status).toBe(200);
    const ready = await request(`${svc.url}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await svc.call('admin', '/metrics')).text();
    expect(metrics).toMatch(/ballotwatch_scans_total\{verdict="flagged",category="intimidation"\} \d+/);
    expect(metrics).toMatch(/ballotwatch_scan_duration_seconds_bucket/);
    expect(metrics).toMatch(/ballotwatch_queue_oldest_job_age_seconds \d/);
    expect(metrics).toMatch(/ballotwatch_model_info\{version="[^"]+"\} 1/);
    const doc = await (await request(`${svc.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
  });
});

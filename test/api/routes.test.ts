/**
 * Every route × every role: 401 without a key or with an unknown one, 403 with the wrong role,
 * through on the right one; and the OpenAPI document lists exactly the app's routes. Uses the
 * real Redis store and queue (no worker: nothing here needs a result).
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import type express from 'express';
import { buildApp, ROUTE_ROLES } from '../../src/api/app';
import { createKey } from '../../src/api/auth';
import { Metrics } from '../../src/api/metrics';
import { openApiDocument } from '../../src/api/openapi';
import { loadServiceConfig, ROLES, type Role } from '../../src/config/service';
import { BullScanQueue } from '../../src/queue/bull-queue';
import { Completions } from '../../src/queue/completions';
import { BullRetrainQueue } from '../../src/queue/retrain-queue';
import { RedisModelStore } from '../../src/store/redis-model-store';
import { RedisStore } from '../../src/store/redis-store';
import { dropPrefix, REDIS_URL, uniquePrefix, request } from '../helpers/service';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const prefix = uniquePrefix('routes');
const made = Object.fromEntries(ROLES.map((r) => [r, createKey(r)])) as Record<Role, ReturnType<typeof createKey>>;
const config = loadServiceConfig({ REDIS_URL, BALLOTWATCH_REDIS_PREFIX: prefix, BALLOTWATCH_API_KEYS: ROLES.map((r) => made[r].entry).join(','), BALLOTWATCH_RATE_ANALYST: '3' });
let conn: Redis;
let queue: BullScanQueue;
let retrain: BullRetrainQueue;
let app: express.Express;
let server: Server;
let base: string;
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _enc, done) {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

beforeAll(async () => {
  conn = new Redis(REDIS_URL);
  const store = new RedisStore(conn, `${prefix}:`, config.retention);
  queue = new BullScanQueue(conn, prefix, config.worker);
  retrain = new BullRetrainQueue(conn, prefix);
  const models = { store: new RedisModelStore(conn, `${prefix}:`), retrain };
  app = buildApp({ config, keys: config.apiKeys, metrics: new Metrics(null, () => queue.depth()), log: pino({ level: 'info' }, logSink), readiness: async () => [], api: { store, queue, completions: new Completions(), models } });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await queue.close();
  await retrain.close();
  conn.disconnect();
  await dropPrefix(prefix);
});

/** Routes from the OpenAPI document, with the roles it claims. */
function documented(): { method: string; path: string; roles: Role[] | null }[] {
  const out: { method: string; path: string; roles: Role[] | null }[] = [];
  for (const [path, ops] of Object.entries(openApiDocument().paths)) {
    for (const [method, op] of Object.entries(ops as Record<string, { 'x-roles'?: string }>)) {
      out.push({ method: method.toUpperCase(), path, roles: op['x-roles'] ? (op['x-roles'].split(', ') as Role[]) : null });
    }
  }
  return out;
}

it('documents exactly the routes the app serves', () => {
  const router = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
  const served = router.stack
    .filter((l) => l.route)
    .flatMap((l) => Object.keys(l.route!.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`))
    .sort();
  expect(served).toEqual(documented().map((r) => `${r.method} ${r.path}`).sort());
});

it('documents the same roles the routes enforce', () => {
  const claimed = new Set(documented().map((r) => (r.roles ?? []).join(',')));
  for (const roles of Object.values(ROUTE_ROLES)) expect(claimed.has(roles.join(', ').replace(/, /g, ','))).toBe(true);
});

it('leaves only health, readiness and the API description open among the API routes (the dashboard files: below)', async () => {
  const open = documented().filter((r) => !r.roles);
  expect(open.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /healthz', 'GET /openapi.json', 'GET /readyz']);
  for (const r of open) {
    const res = await request(base + r.path);
    expect(res.status).toBe(200);
    // Nothing about keys, Redis or the host in what anyone can read.
    expect(await res.text()).not.toMatch(/redis:\/\/|bw_|[0-9a-f]{64}|\/work\/|\/home\//);
  }
});

describe.each(documented().filter((r) => r.roles))('$method $path', ({ method, path, roles }) => {
  const url = () => base + path.replace('{id}', 'a'.repeat(64));
  const send = (key: string | null) =>
    request(url(), { method, headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), 'Content-Type': method === 'POST' && path === '/v1/messages' ? 'message/rfc822' : 'application/json' }, body: method === 'POST' ? '{}' : undefined });

  it('401 without a key and with an unknown key', async () => {
    const none = await send(null);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await send('bw_not-a-real-key')).status).toBe(401);
  });

  it.each(ROLES)('role %s', async (role) => {
    const res = await send(made[role].key);
    if (roles!.includes(role)) expect([401, 403]).not.toContain(res.status);
    else {
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe('forbidden');
    }
  });
});

it('serves the dashboard without a key: static files only, no data, a strict content policy', async () => {
  // The dashboard is the one public path besides health and the OpenAPI document: its page and
  // scripts hold no data, and every API call they make carries the analyst's key.
  const redirect = await request(`${base}/dashboard`, { redirect: 'manual' });
  expect(redirect.status).toBe(301);
  expect(redirect.headers.get('location')).toBe('/dashboard/');
  for (const file of ['', 'app.js', 'api.js', 'app.css']) {
    const res = await request(`${base}/dashboard/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).not.toMatch(/redis:\/\/|bw_|[0-9a-f]{64}|\/work\/|\/home\//);
  }
  const missing = await request(`${base}/dashboard/no-such-file.js`);
  expect(missing.status).toBe(404);
  expect((await missing.json()).error.code).toBe('not_found');
  // Nothing outside the folder.
  expect((await request(`${base}/dashboard/..%2fpackage.json`)).status).toBe(404);
});

it('rate-limits per key with 429 and Retry-After', async () => {
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  let lastBody = { error: { code: '', message: '' } };
  for (let i = 0; i < 6; i++) {
    const res = await request(`${base}/v1/stats`, { headers: { Authorization: `Bearer ${made.analyst.key}` } });
    statuses.push(res.status);
    if (res.status === 429) {
      retryAfter = res.headers.get('retry-after');
      lastBody = await res.json();
      expect(lastBody.error.code).toBe('rate_limited');
    }
  }
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
  expect(lastBody.error.message).toBe('rate limit of 3 requests per second for this key exceeded');
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  // Another key is not affected.
  expect((await request(`${base}/v1/stats`, { headers: { Authorization: `Bearer ${made.admin.key}` } })).status).toBe(200);
});

it('logs each request with its id and key id, never the key or the body', async () => {
  logLines.length = 0;
  const res = await request(`${base}/v1/messages`, { method: 'POST', headers: { Authorization: `Bearer ${made.gateway.key}`, 'Content-Type': 'message/rfc822', 'X-Request-Id': 'req-42' }, body: 'Subject: secret words\r\n\r\nbody text' });
  expect(res.headers.get('x-request-id')).toBe('req-42');
  await new Promise((r) => setTimeout(r, 20));
  const line = logLines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'req-42');
  expect(line).toBeDefined();
  expect(line.key).toBe(made.gateway.id);
  const all = logLines.join('\n');
  expect(all).not.toContain(made.gateway.key);
  expect(all).not.toContain('secret words');
});

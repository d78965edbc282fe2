/**
 * Security of the running service (real Redis store and queue, no worker): security headers,
 * request size and header limits answered with JSON errors (including the ones Node refuses
 * before express sees them), no stack traces or internal messages to clients on a real 500, and
 * no key ever in the log, whatever the outcome of the request. Routes × roles are in routes.test.ts.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { buildEmail } from '../helpers/build-email';
import { dropPrefix, postMessage, REDIS_URL, request, startTestService, type TestService } from '../helpers/service';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ REDIS_URL, ROLE: 'api', BALLOTWATCH_MAX_BYTES: '4096', BALLOTWATCH_RATE_ANALYST: '5' }, { log: pino({ level: 'trace' }, sink) });
});
afterAll(async () => {
  await svc?.close();
  await dropPrefix(svc.prefix);
});

/** Sends bytes on a raw socket (for requests fetch will not make) and returns the response text. */
function rawHttp(text: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(svc.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    s.on('error', reject);
    s.end(text);
  });
}

const jsonError = (res: string) => JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };

it('sends security headers on every response (health, JSON, 401, 404)', async () => {
  for (const res of [await request(`${svc.url}/healthz`), await svc.call('analyst', '/v1/messages'), await svc.call(null, '/v1/stats'), await svc.call('analyst', '/nope')]) {
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  }
});

it('refuses a body over the size limit with 413, declared or streamed, and oversized JSON', async () => {
  const big = Buffer.alloc(5000, 'a');
  const declared = await postMessage(svc, big);
  expect(declared.status).toBe(413);
  expect((await declared.json()).error.code).toBe('too_large');
  // Chunked, no Content-Length: the limit is enforced while reading.
  const chunked = await rawHttp(
    `POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${svc.keys.gateway}\r\nContent-Type: message/rfc822\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
  );
  expect(chunked).toMatch(/^HTTP\/1.1 413/);
  expect(jsonError(chunked).error.code).toBe('too_large');
  const fb = await svc.call('analyst', `/v1/messages/${'a'.repeat(64)}/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ label: 'ham', note: 'x'.repeat(20_000) }) });
  expect(fb.status).toBe(413);
  expect((await fb.json()).error.code).toBe('too_large');
});

it('refuses too many headers and an oversized header section with a JSON 431, and malformed HTTP with a JSON 400', async () => {
  const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`X-Filler-${i}`, 'x']));
  const res = await svc.call('analyst', '/v1/messages', { headers: many });
  expect(res.status).toBe(431);
  expect((await res.json()).error.code).toBe('headers_too_large');
  // Under the limit is fine.
  expect((await svc.call('analyst', '/v1/messages', { headers: Object.fromEntries(Object.entries(many).slice(0, 80)) })).status).toBe(200);

  const huge = await rawHttp(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
  expect(huge).toMatch(/^HTTP\/1.1 431/);
  expect(jsonError(huge).error.code).toBe('headers_too_large');
  const garbage = await rawHttp('THIS IS NOT HTTP\r\n\r\n');
  expect(garbage).toMatch(/^HTTP\/1.1 400/);
  expect(jsonError(garbage).error.code).toBe('bad_request');
  // The server is still there.
  expect((await request(`${svc.url}/healthz`)).status).toBe(200);
});

it('answers a real internal failure with a bare 500: no stack, no internal message', async () => {
  // A record key of the wrong type (as a corrupted or hand-edited Redis would hold) makes the
  // store's read fail with a Redis error.
  const id = 'e'.repeat(64);
  const r = new Redis(REDIS_URL);
  await r.set(`${svc.prefix}:m:${id}`, 'not a hash');
  r.disconnect();
  const res = await svc.call('admin', `/v1/messages/${id}`);
  expect(res.status).toBe(500);
  const text = await res.text();
  expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'internal error (see the server log)' } });
  expect(text).not.toMatch(/WRONGTYPE|\bat \S+ \(|\.ts:|\.js:|node_modules/);
  // The operator gets the cause in the log.
  expect(lines.some((l) => l.includes('WRONGTYPE'))).toBe(true);

  // Malformed input is a 4xx with a message, still without internals.
  const badJson = await svc.call('analyst', `/v1/messages/${id}/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"label":' });
  expect(badJson.status).toBe(400);
  expect(await badJson.json()).toEqual({ error: { code: 'bad_request', message: 'request body is not valid JSON' } });
  const badUri = await svc.call('analyst', '/v1/messages/%E0%A4%A');
  expect(badUri.status).toBe(400);
  expect((await badUri.text()).includes(' at ')).toBe(false);
});

it('never writes a key, the Authorization header or a message body to the log, whatever happens to the request', async () => {
  lines.length = 0;
  const unknown = 'bw_this-key-is-not-configured-anywhere-1234567890';
  const body = buildEmail({ subject: 'private subject line', text: 'A private body that must never reach the log.' });
  await postMessage(svc, body); // accepted
  await postMessage(svc, body, '', {}, 'analyst'); // wrong role: 403
  await request(`${svc.url}/v1/messages`, { method: 'POST', headers: { Authorization: `Bearer ${unknown}`, 'Content-Type': 'message/rfc822' }, body }); // 401
  await request(`${svc.url}/v1/stats`, { headers: { Authorization: `Basic ${Buffer.from(`u:${svc.keys.admin}`).toString('base64')}` } }); // malformed scheme: 401
  for (let i = 0; i < 8; i++) await svc.call('analyst', '/v1/stats'); // over the analyst's 5/s: 429
  await svc.call('admin', '/metrics');
  await svc.call('gateway', `/v1/messages/${'f'.repeat(64)}`); // 404
  await new Promise((r) => setTimeout(r, 50));
  const all = lines.join('\n');
  expect(lines.length).toBeGreaterThan(10);
  expect(all).toMatch(/"status":429/);
  expect(all).toMatch(/"status":401/);
  for (const key of [...Object.values(svc.keys), unknown]) {
    expect(all).not.toContain(key);
    expect(all).not.toContain(key.slice(3, 20));
  }
  expect(all).not.toContain(Buffer.from(`u:${svc.keys.admin}`).toString('base64'));
  expect(all.toLowerCase()).not.toContain('authorization');
  expect(all.toLowerCase()).not.toContain('bearer');
  expect(all).not.toContain('private subject line');
  expect(all).not.toContain('private body');
});

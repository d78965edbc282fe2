import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { createKey } from '../../src/api/auth';
import { loadServiceConfig, type Role } from '../../src/config/service';
import { startService, type RunningService } from '../../src/service';
import { dropPrefix as dropKeys } from '../../src/store/drop-prefix';

export const REDIS_URL = 'redis://127.0.0.1:6379/0';

/** A unique Redis key prefix per test file and run, so test files can run in parallel. */
export function uniquePrefix(tag: string): string {
  return `bwtest-${tag}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (the prefix's own keys and BullMQ's). */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    await dropKeys(r, prefix);
  } finally {
    r.disconnect();
  }
}

export type Keys = Record<Role, string>;

/** A fetch Response whose JSON body tests read without declaring its type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export const request = (url: string, init?: RequestInit): Promise<JsonResponse> => fetch(url, init);

export interface TestService extends RunningService {
  keys: Keys;
  /** The keys' config lines (`role:sha256hex`), to start more processes that accept them. */
  keyEntries: string;
  prefix: string;
  /** fetch with the role's key. */
  call(role: Role | null, path: string, init?: RequestInit & { headers?: Record<string, string> }): Promise<JsonResponse>;
}

/** Starts the real service on a free port with one key per role. `env` overrides (e.g. no REDIS_URL for embedded mode); `opts.log` receives its log. */
export async function startTestService(env: Record<string, string | undefined>, opts: { log?: Logger } = {}): Promise<TestService> {
  const made = { gateway: createKey('gateway'), analyst: createKey('analyst'), admin: createKey('admin') };
  const prefix = env.BALLOTWATCH_REDIS_PREFIX ?? uniquePrefix('svc');
  const config = loadServiceConfig({
    PORT: '0',
    BALLOTWATCH_REDIS_PREFIX: prefix,
    BALLOTWATCH_API_KEYS: Object.values(made)
      .map((k) => k.entry)
      .join(','),
    ...env,
  });
  const svc = await startService(config, { log: opts.log ?? pino({ level: 'silent' }) });
  const keys = { gateway: made.gateway.key, analyst: made.analyst.key, admin: made.admin.key };
  return {
    ...svc,
    close: () => svc.close(),
    keys,
    keyEntries: Object.values(made)
      .map((k) => k.entry)
      .join(','),
    prefix,
    call: (role, path, init = {}) => fetch(svc.url + path, { ...init, headers: { ...(role ? { Authorization: `Bearer ${keys[role]}` } : {}), ...(init.headers ?? {}) } }),
  };
}

/** POSTs a raw message as a gateway. */
export function postMessage(svc: TestService, raw: Buffer, query = '', headers: Record<string, string> = {}, role: Role = 'gateway'): Promise<JsonResponse> {
  return svc.call(role, `/v1/messages${query}`, { method: 'POST', body: raw, headers: { 'Content-Type': 'message/rfc822', ...headers } });
}

/** A TCP port free on loopback right now (for a child process that must be reachable). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

import { dropPrefix } from '../store/drop-prefix';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKey } from '../api/auth';
import { withEnv } from '../config/service';
import type { ScanResult } from '../pipeline';
import type { FuzzMessage } from './mutations';
import { classifyResult } from './run-pipeline';
import type { Outcome } from './tally';

export interface ServiceOptions {
  /** `redis://…` for Redis mode (a unique key prefix, deleted afterwards); absent: embedded mode (SQLite in a temp folder). */
  redisUrl?: string;
  /** How long a message may go without a result before it counts as hung, ms. */
  deadlineMs: number;
  /** Extra environment for the service (e.g. limits), on top of this process's. */
  env?: Record<string, string>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The deployed service (`ballotwatch serve`, role all) as a child process on a free loopback port,
 * fed over HTTP like a gateway. A child, not in-process, so a crash is a dead process and a hang
 * in scoring cannot stall the fuzzer's own clock.
 */
export class ServiceRunner {
  private child: ChildProcess | null = null;
  /** A start in progress, shared by concurrent sends. */
  private starting: Promise<void> | null = null;
  private url = '';
  private readonly gateway = createKey('gateway');
  private readonly admin = createKey('admin');
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'bw-fuzz-'));
  readonly prefix = `bwfuzz-${randomBytes(4).toString('hex')}`;
  readonly logFile = path.join(this.dir, 'service.log');
  /** Times the child process died during the run (each is a crash). */
  deaths = 0;
  private expectedExit = false;
  /** Accepted ids still without a result, with their message and acceptance time. */
  private readonly pending = new Map<string, { m: Pick<Outcome, 'index' | 'kind' | 'variant' | 'ms'>; at: number }[]>();

  constructor(private readonly opts: ServiceOptions) {}

  get mode(): string {
    return this.opts.redisUrl ? `redis (prefix ${this.prefix})` : 'embedded';
  }

  async start(): Promise<void> {
    const port = await freePort();
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'ballotwatch.js');
    const env = withEnv({
      ...(this.opts.env ?? {}),
      PORT: String(port),
      REDIS_URL: this.opts.redisUrl ?? '',
      ROLE: 'all',
      BALLOTWATCH_DATA_DIR: path.join(this.dir, 'data'),
      BALLOTWATCH_REDIS_PREFIX: this.prefix,
      BALLOTWATCH_API_KEYS: `${this.gateway.entry},${this.admin.entry}`,
      BALLOTWATCH_API_KEYS_FILE: '',
      BALLOTWATCH_RATE_GATEWAY: '1000000',
      BALLOTWATCH_RATE_ADMIN: '1000000',
      BALLOTWATCH_LOG_LEVEL: 'warn',
    });
    const child = spawn(process.execPath, ['--max-old-space-size=512', bin, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.on('exit', () => {
      if (this.child === child) this.child = null;
      if (!this.expectedExit) this.deaths++;
    });
    this.child = child;
    this.url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 600; i++) {
      if (!this.child) throw new Error(`the service exited while starting (log: ${this.logFile})`);
      const ok = await fetch(`${this.url}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`the service did not become ready in 60 s (log: ${this.logFile})`);
  }

  /** POSTs one message with `?wait`; a 202 is followed up in finish(). */
  async send(m: FuzzMessage): Promise<Outcome | null> {
    // Concurrent sends after a crash share one restart (each starting its own would leave orphans).
    if (!this.child) await (this.starting ??= this.start().finally(() => (this.starting = null)));
    const t0 = Date.now();
    const base = { index: m.index, kind: m.kind, variant: m.variant, ms: 0 };
    let res: Response;
    try {
      res = await fetch(`${this.url}/v1/messages?wait=${Math.min(this.opts.deadlineMs, 30_000)}`, {
        method: 'POST',
        body: m.raw,
        headers: { Authorization: `Bearer ${this.gateway.key}`, 'Content-Type': 'message/rfc822' },
        signal: AbortSignal.timeout(this.opts.deadlineMs + 5000),
      });
    } catch (err: unknown) {
      base.ms = Date.now() - t0;
      const e = err as Error & { cause?: Error };
      await sleep(50);
      if (!this.child) return { ...base, outcome: 'crash', detail: `service died: ${e.message}` };
      if (e.name === 'TimeoutError') return { ...base, outcome: 'hung', detail: 'no HTTP response' };
      return { ...base, outcome: 'server_error', detail: `transport: ${e.cause?.message ?? e.message}` };
    }
    base.ms = Date.now() - t0;
    const body = (await res.json().catch(() => null)) as { id?: string; status?: string; result?: ScanResult | null; error?: { code?: string; message?: string } | null } | null;
    if (res.status >= 400 && res.status < 500) {
      const code = body?.error?.code;
      if (typeof code !== 'string' || typeof body?.error?.message !== 'string') return { ...base, outcome: 'server_error', detail: `${res.status} without {error:{code,message}}` };
      return { ...base, outcome: 'http_4xx', detail: `${res.status} ${code}` };
    }
    if (res.status >= 500 || !body?.id) return { ...base, outcome: 'server_error', detail: `${res.status} ${body?.error?.code ?? ''}`.trim() };
    if (res.status === 202 || body.status === 'queued') {
      const list = this.pending.get(body.id) ?? [];
      list.push({ m: { ...base, ms: 0 }, at: t0 });
      this.pending.set(body.id, list);
      return null;
    }
    return { ...base, ...this.fromRecord(body) };
  }

  private fromRecord(rec: { status?: string; result?: ScanResult | null; error?: { code?: string; message?: string } | null }): Pick<Outcome, 'outcome' | 'detail'> {
    if (rec.status === 'failed') return { outcome: 'crash', detail: `job failed: ${rec.error?.code}: ${rec.error?.message}` };
    if (rec.status === 'done' && rec.result) return classifyResult(rec.result);
    return { outcome: 'crash', detail: `record in state ${rec.status} without a result` };
  }

  /** Polls every accepted message still without a result until it has one or its deadline passes. */
  async finish(): Promise<Outcome[]> {
    const out: Outcome[] = [];
    while (this.pending.size) {
      for (const [id, list] of [...this.pending]) {
        const res = await fetch(`${this.url}/v1/messages/${id}`, { headers: { Authorization: `Bearer ${this.admin.key}` } }).catch(() => null);
        const rec = res && res.ok ? ((await res.json()) as { status?: string; result?: ScanResult | null; error?: { code?: string; message?: string } | null }) : null;
        let o: Pick<Outcome, 'outcome' | 'detail'> | null = null;
        if (res?.status === 404) o = { outcome: 'lost', detail: 'accepted (202) but no record' };
        else if (rec && rec.status !== 'queued') o = this.fromRecord(rec);
        else if (Date.now() - list[0].at > this.opts.deadlineMs) o = { outcome: 'hung', detail: `still ${rec?.status ?? 'unreachable'} after ${this.opts.deadlineMs} ms` };
        if (o) {
          for (const p of list) out.push({ ...p.m, ...o, ms: Date.now() - p.at });
          this.pending.delete(id);
        }
      }
      if (this.pending.size) await sleep(250);
    }
    return out;
  }

  /** Error lines of the service log (pino level ≥ 50), e.g. a scoring thread that died and was restarted. */
  errorLines(): string[] {
    let text = '';
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').filter((l) => {
      try {
        return (JSON.parse(l) as { level?: number }).level! >= 50;
      } catch {
        return /error|exception/i.test(l) && !/admin key/.test(l);
      }
    });
  }

  async close(opts: { keepLog?: boolean } = {}): Promise<void> {
    const c = this.child;
    if (c) {
      this.expectedExit = true;
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
      clearTimeout(timer);
      if (this.child) c.kill('SIGKILL');
    }
    if (this.opts.redisUrl) {
      const r = new Redis(this.opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await r.connect();
        await dropPrefix(r, this.prefix);
      } finally {
        r.disconnect();
      }
    }
    if (!opts.keepLog) rmSync(this.dir, { recursive: true, force: true });
  }
}

import { once } from 'node:events';
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { buildApp, MAX_HEADER_BYTES, MAX_REQUEST_HEADERS } from './api/app';
import { createKey } from './api/auth';
import { Metrics } from './api/metrics';
import type { ApiKeyEntry, ServiceConfig } from './config/service';
import { ActiveScanner, seedModels } from './queue/active-model';
import { BullScanQueue } from './queue/bull-queue';
import { startBullWorker } from './queue/bull-worker';
import { Completions, subscribeCompletions } from './queue/completions';
import { createRedis, ready } from './queue/connection';
import { LocalScanQueue } from './queue/local-queue';
import type { ScanQueue } from './queue/queues';
import { BullRetrainQueue, LocalRetrainQueue, startRetrainWorker } from './queue/retrain-queue';
import type { RetrainDeps } from './queue/retrain-runner';
import { RedisModelStore } from './store/redis-model-store';
import { RedisStore } from './store/redis-store';
import { SqliteModelStore, modelsFile } from './store/sqlite-model-store';
import { SqliteStore, sqliteFile } from './store/sqlite-store';
import type { ResultStore } from './store/types';

/** A running service: its address and how to stop it. */
export interface RunningService {
  url: string;
  port: number;
  mode: 'redis' | 'embedded';
  role: ServiceConfig['role'];
  /** Graceful stop: stop accepting, drain in-flight jobs, close connections. */
  close(): Promise<void>;
}

/** Every this often the API re-enqueues messages accepted long ago but still queued (a lost job). */
const SWEEP_MS = 30_000;
/** How long in-flight HTTP requests get to finish at shutdown before their connections are cut. */
const HTTP_DRAIN_MS = 10_000;
/** A client must send its headers within this (slowloris), and the whole request within the next. */
const HEADERS_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 120_000;
/** Retention purge interval. */
const PURGE_MS = 10 * 60_000;

/**
 * Starts what `config.role` asks for. With REDIS_URL: the API (ingest + dashboard) and/or a BullMQ
 * worker. Without: one process with an embedded SQLite store and a scoring thread.
 */
export async function startService(config: ServiceConfig, opts: { log?: Logger; announceKey?: (line: string) => void } = {}): Promise<RunningService> {
  // Logs are written in batches off the request path (a synchronous write per request line cost
  // ~100 µs of the API's time under load); flushed on close.
  const dest = opts.log ? null : pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const log = opts.log ?? pino({ level: config.logLevel, base: { pid: process.pid, role: config.role } }, dest!);
  let keys: ApiKeyEntry[] = config.apiKeys;
  if (!keys.length) {
    // Secure by default: no configured key means a one-time admin key for this process only.
    const k = createKey('admin');
    keys = [{ role: 'admin', hash: Buffer.from(k.entry.split(':')[1], 'hex'), id: k.id }];
    (opts.announceKey ?? ((l) => process.stderr.write(`${l}\n`)))(
      `ballotwatch: no API keys configured (BALLOTWATCH_API_KEYS); this run's admin key is ${k.key}\n` + `  keep it with: BALLOTWATCH_API_KEYS=${k.entry}`,
    );
  }
  const stops: (() => Promise<void>)[] = [];
  const timers: NodeJS.Timeout[] = [];
  const runApi = config.role !== 'worker';
  const runWorker = config.role !== 'api';

  let metrics: Metrics;
  let readiness: () => Promise<string[]>;
  let api: Parameters<typeof buildApp>[0]['api'];

  if (config.redisUrl) {
    const conns: Redis[] = [];
    const conn = (kind: 'api' | 'worker', use: 'store' | 'bullmq') => {
      const c = createRedis(config.redisUrl as string, kind, use);
      c.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
      conns.push(c);
      return c;
    };
    const storeConn = conn(runApi ? 'api' : 'worker', 'store');
    await ready(storeConn);
    const store = new RedisStore(storeConn, `${config.prefix}:`, config.retention);
    const queue = new BullScanQueue(conn(runApi ? 'api' : 'worker', 'bullmq'), config.prefix, { ...config.worker, onError: (err) => log.warn({ err: err.message }, 'queue connection error') });
    const models = new RedisModelStore(storeConn, `${config.prefix}:`);
    const activeVersion = await seedModels(models, { modelPath: config.scan.modelPath, log });
    metrics = new Metrics(activeVersion, () => queue.depth());
    const retrainDeps: RetrainDeps = { models, results: store, scan: config.scan, lifecycle: config.lifecycle, log };
    let worker: Worker | null = null;
    if (runWorker) {
      const scanner = await ActiveScanner.start(models, config.scan, log, (v) => metrics.setModel(v));
      metrics.setModel(scanner.version);
      worker = startBullWorker({ connection: conn('worker', 'bullmq'), prefix: config.prefix, concurrency: config.worker.concurrency, lockMs: config.worker.lockMs, scanner, store, metrics, log });
      const retrainWorker = startRetrainWorker(conn('worker', 'bullmq'), config.prefix, retrainDeps);
      stops.push(async () => {
        await retrainWorker.stop();
        await worker?.close();
        await scanner.stop();
      });
    }
    if (runApi) {
      const completions = new Completions((id, ms) => store.markWaiting(id, ms));
      const sub = conn('worker', 'bullmq');
      await subscribeCompletions(sub, store.doneChannel, completions);
      const retrain = new BullRetrainQueue(conn('api', 'bullmq'), config.prefix);
      stops.push(() => retrain.close());
      api = { store, queue, completions, models: { store: models, retrain } };
      timers.push(setInterval(() => void sweep(store, queue, log), SWEEP_MS));
      timers.push(setInterval(() => void purge(store, log), PURGE_MS));
    }
    stops.push(() => queue.close());
    stops.push(async () => {
      await Promise.allSettled(conns.map((c) => c.quit()));
    });
    readiness = async () => {
      const problems: string[] = [];
      await store.ping().catch(() => problems.push('redis: not reachable'));
      if (runWorker && !worker?.isRunning()) problems.push('worker: not running');
      return problems;
    };
  } else {
    const store: ResultStore = SqliteStore.open({ file: sqliteFile(config.dataDir), retention: config.retention });
    const models = SqliteModelStore.open(modelsFile(config.dataDir));
    const activeVersion = await seedModels(models, { modelPath: config.scan.modelPath, log });
    const completions = new Completions();
    let depth = () => Promise.resolve({ waiting: 0, active: 0, delayed: 0, failed: 0, oldestAgeMs: 0 });
    metrics = new Metrics(null, () => depth());
    const queue = new LocalScanQueue({ store, completions, metrics, log, model: { bytes: (await models.blob(activeVersion)) as Buffer }, attempts: config.worker.attempts, backoffMs: config.worker.backoffMs });
    depth = () => queue.depth();
    const version = await queue.start();
    metrics.setModel(version);
    // Activation (by an admin or a promoted retrain) swaps the scoring thread's model in place.
    const unsubscribe = await models.onActivate((v) => {
      void models
        .blob(v)
        .then((b) => (b ? queue.setModel(b) : Promise.reject(new Error(`model ${v} has no file`))))
        .then((loaded) => {
          metrics.setModel(loaded);
          log.info({ version: loaded }, 'switched to the active model');
        })
        .catch((err: Error) => log.error({ err: err.message }, 'could not load the active model; still scoring with the previous one'));
    });
    const retrain = new LocalRetrainQueue({ models, results: store, scan: config.scan, lifecycle: config.lifecycle, log });
    for (const j of await models.unfinishedJobs()) await retrain.enqueue(j.id);
    api = { store, queue, completions, models: { store: models, retrain } };
    stops.push(async () => {
      await retrain.close();
      await unsubscribe();
    });
    timers.push(setInterval(() => void purge(store, log), PURGE_MS));
    timers.push(setInterval(() => void queue.sweep(Date.now() - 2 * SWEEP_MS).catch((e: Error) => log.warn({ err: e.message }, 'sweep failed')), SWEEP_MS));
    stops.push(() => queue.close());
    stops.push(() => store.close());
    stops.push(() => models.close());
    readiness = async () => {
      const problems: string[] = [];
      await store.ping().catch(() => problems.push('store: not reachable'));
      return problems;
    };
  }

  const app = buildApp({ config, keys, metrics, log, readiness, api: runApi ? api : undefined });
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, app);
  // One more than allowed, so the app can see a request went over and refuse it (Node would
  // otherwise drop the extra headers silently).
  server.maxHeadersCount = MAX_REQUEST_HEADERS + 1;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => clientError(err, socket, log));
  server.listen(config.port, '0.0.0.0');
  let stopping = false;
  // While stopping, every response tells keep-alive clients to go, so the server can close.
  server.on('request', (_req, res: { setHeader(k: string, v: string): void }) => {
    if (stopping) res.setHeader('Connection', 'close');
  });
  await once(server, 'listening');
  // Gateways keep connections open: keep-alive must outlast their idle timeouts.
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log.info({ port, mode: config.redisUrl ? 'redis' : 'embedded' }, 'ballotwatch listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    mode: config.redisUrl ? 'redis' : 'embedded',
    role: config.role,
    close: () =>
      (closing ??= (async () => {
        // HTTP first (requests in progress finish against live connections), then the worker
        // drains its jobs, then connections close, then the log is flushed.
        stopping = true;
        for (const t of timers) clearInterval(t);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, HTTP_DRAIN_MS)))]);
        clearTimeout(timer);
        server.closeAllConnections();
        for (const stop of stops) await stop().catch((e: Error) => log.warn({ err: e.message }, 'error while stopping'));
        dest?.flushSync();
      })()),
  };
}

/**
 * Reconciles messages still `queued` long after acceptance: a job lost between the two writes of
 * an ingest is added again (the job id is the message id, so a live job is untouched); a job that
 * failed for good without the store hearing of it marks the record failed.
 */
async function sweep(store: ResultStore, queue: ScanQueue, log: Logger): Promise<void> {
  try {
    const ids = await store.pending(Date.now() - 2 * SWEEP_MS, 1000);
    for (const id of ids) {
      const failed = await queue.failedReason(id);
      if (failed) await store.fail(id, { code: 'attempts_exhausted', message: failed });
      else await queue.enqueue({ id });
    }
    if (ids.length) log.info({ count: ids.length }, 'reconciled messages still queued');
  } catch (err: unknown) {
    log.warn({ err: (err as Error).message }, 'sweep failed');
  }
}

/**
 * Requests Node refuses before express sees them (headers over MAX_HEADER_BYTES, malformed HTTP,
 * too slow) get the same JSON error body as every other refusal, not Node's bare status line.
 */
function clientError(err: NodeJS.ErrnoException, socket: Duplex, log: Logger): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', `request headers over ${MAX_HEADER_BYTES} bytes`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request was not received in time']
        : [400, 'bad_request', 'malformed HTTP request'];
  log.warn({ status, code: err.code }, 'refused a malformed or oversized request');
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

async function purge(store: ResultStore, log: Logger): Promise<void> {
  try {
    const r = await store.purge(Date.now());
    if (r.results || r.raw) log.info(r, 'purged past retention');
  } catch (err: unknown) {
    log.warn({ err: (err as Error).message }, 'purge failed');
  }
}

import { distScript } from './dist-script';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Metrics } from '../api/metrics';
import type { ScanResult } from '../pipeline';
import type { ResultStore } from '../store/types';
import type { Completions } from './completions';
import { processScan, RawMissingError } from './process-scan';
import type { FailedJob, QueueDepth, ScanJob, ScanQueue } from './queues';


/** One scoring thread; requests are answered in order. Restarted by the queue if it dies. */
class ScanThread {
  private readonly worker: Worker;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: ScanResult) => void; reject: (e: Error) => void }>();
  private swaps: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  readonly ready: Promise<string>;
  dead = false;

  constructor(model: { path?: string; bytes?: Buffer }, onExit: () => void) {
    this.worker = new Worker(distScript('scan-thread.js'), { workerData: { modelPath: model.path, model: model.bytes } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (m: { ready?: string }) => (m.ready ? resolve(m.ready) : reject(new Error('scan thread did not start'))));
      this.worker.once('error', reject);
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: { seq?: number; result?: ScanResult; error?: string; swapped?: string; swapError?: string }) => {
      if (m.swapped !== undefined || m.swapError !== undefined) {
        const s = this.swaps.shift();
        if (m.swapped !== undefined) s?.resolve(m.swapped);
        else s?.reject(new Error(m.swapError));
        return;
      }
      if (m.seq === undefined) return;
      const p = this.pending.get(m.seq);
      this.pending.delete(m.seq);
      if (m.result) p?.resolve(m.result);
      else p?.reject(new Error(m.error ?? 'scan thread error'));
    });
    const die = (err: Error) => {
      if (this.dead) return;
      this.dead = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      for (const s of this.swaps) s.reject(err);
      this.swaps = [];
      onExit();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`scan thread exited with code ${code}`)));
  }

  scan(raw: Buffer): Promise<ScanResult> {
    if (this.dead) return Promise.reject(new Error('scan thread is not running'));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.worker.postMessage({ seq, raw });
    });
  }

  /** Replaces the thread's model; messages posted after this are scored with it. */
  swap(bytes: Buffer): Promise<string> {
    if (this.dead) return Promise.reject(new Error('scan thread is not running'));
    return new Promise((resolve, reject) => {
      this.swaps.push({ resolve, reject });
      this.worker.postMessage({ swap: bytes });
    });
  }

  async stop(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

export interface LocalQueueOptions {
  store: ResultStore;
  completions: Completions;
  metrics: Metrics;
  log: Logger;
  /** The model file's bytes (the model store's active version), or a path to read it from. */
  model: { path?: string; bytes?: Buffer };
  attempts: number;
  backoffMs: number;
  /** Jobs in flight at once: 2 overlaps the store's work on this thread with scoring on the other. */
  inFlight?: number;
}

/**
 * Embedded mode's queue (no Redis): the store holds every accepted message as `queued`, so the
 * queue itself is only an in-memory list of ids, rebuilt from the store at start.
 */
export class LocalScanQueue implements ScanQueue {
  private readonly ids: { id: string; at: number }[] = [];
  private readonly queued = new Set<string>();
  private active = 0;
  private thread: ScanThread;
  private closing = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private idle: (() => void) | null = null;
  private model: { path?: string; bytes?: Buffer };

  constructor(private readonly o: LocalQueueOptions) {
    this.model = o.model;
    this.thread = this.startThread();
  }

  /** Hot swap: the scoring thread loads the new model; a restarted thread starts with it too. */
  async setModel(bytes: Buffer): Promise<string> {
    const version = await this.thread.swap(bytes);
    this.model = { bytes };
    return version;
  }

  private startThread(): ScanThread {
    const t = new ScanThread(this.model, () => {
      if (this.closing) return;
      this.o.log.error('scan thread died; restarting it');
      this.thread = this.startThread();
    });
    return t;
  }

  /** Waits for the thread's model to load; then re-queues whatever the store still has queued. */
  async start(): Promise<string> {
    const version = await this.thread.ready;
    await this.sweep(Date.now() + 1);
    return version;
  }

  /** Queues every stored `queued` message accepted before `before` that this queue does not hold. */
  async sweep(before: number): Promise<number> {
    // Ids only, all at once: paging by "oldest first" would return the same page while the
    // scoring thread works through it.
    const ids = await this.o.store.pending(before, 10_000_000);
    let added = 0;
    for (const id of ids) {
      if (this.queued.has(id)) continue;
      await this.enqueue({ id });
      added++;
    }
    return added;
  }

  async enqueue(job: ScanJob): Promise<void> {
    if (this.queued.has(job.id) || this.closing) return;
    this.queued.add(job.id);
    this.ids.push({ id: job.id, at: Date.now() });
    this.pump();
  }

  private pump(): void {
    const max = this.o.inFlight ?? 2;
    while (this.active < max && this.ids.length && !this.closing) {
      const next = this.ids.shift()!;
      this.active++;
      void this.run(next.id, 1)
        .catch((err: unknown) => this.o.log.error({ job: next.id, err: (err as Error).message }, 'could not record a scan failure; the message stays queued'))
        .finally(() => {
        this.active--;
        this.queued.delete(next.id);
        if (this.active === 0 && !this.ids.length) this.idle?.();
        this.pump();
      });
    }
  }

  private async run(id: string, attempt: number): Promise<void> {
    const t0 = process.hrtime.bigint();
    try {
      const result = await processScan(id, { store: this.o.store, score: (raw) => this.thread.scan(raw), now: Date.now });
      if (result) this.o.metrics.recordScan(result, Number(process.hrtime.bigint() - t0) / 1e9);
      this.o.completions.notify(id);
    } catch (err: unknown) {
      const e = err as Error;
      // Stopping is not a failure: the message stays `queued` and is scored at the next start.
      if (this.closing) return;
      const final = err instanceof RawMissingError || attempt >= this.o.attempts;
      this.o.metrics.jobFailures.inc({ code: err instanceof RawMissingError ? err.code : 'transient' });
      this.o.log.warn({ job: id, attempt, final, err: e.message }, 'scan job failed');
      if (final) {
        await this.o.store.fail(id, { code: err instanceof RawMissingError ? 'unrecoverable' : 'attempts_exhausted', message: e.message });
        this.o.completions.notify(id);
        return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (this.timers.delete(t), resolve()), this.o.backoffMs * 2 ** (attempt - 1));
        this.timers.add(t);
      });
      return this.run(id, attempt + 1);
    }
  }

  async depth(): Promise<QueueDepth> {
    const failed = (await this.o.store.list({ status: 'failed', limit: 500 })).items.length;
    return { waiting: this.ids.length, active: this.active, delayed: this.timers.size, failed, oldestAgeMs: this.ids.length ? Date.now() - this.ids[0].at : 0 };
  }

  async failed(limit: number): Promise<FailedJob[]> {
    const page = await this.o.store.list({ status: 'failed', limit: Math.min(limit, 500) });
    return page.items.map((r) => ({ id: r.id, failedReason: r.error ? `${r.error.code}: ${r.error.message}` : 'failed', attemptsMade: this.o.attempts, finishedOn: null, timestamp: r.receivedAt }));
  }

  async failedReason(id: string): Promise<string | null> {
    const r = await this.o.store.get(id);
    return r?.status === 'failed' ? (r.error?.message ?? 'failed') : null;
  }

  async retry(id: string): Promise<boolean> {
    if (!(await this.o.store.requeue(id))) return false;
    await this.enqueue({ id });
    return true;
  }

  /** Stops taking jobs, lets in-flight ones finish (up to `ms`), stops the thread. Queued ids stay `queued` in the store. */
  async close(ms = 10_000): Promise<void> {
    this.closing = true;
    this.ids.length = 0;
    if (this.active) await new Promise<void>((resolve) => ((this.idle = resolve), setTimeout(resolve, ms).unref()));
    for (const t of this.timers) clearTimeout(t);
    await this.thread.stop();
  }
}

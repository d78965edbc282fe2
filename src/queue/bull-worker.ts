import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metrics } from '../api/metrics';
import type { Scanner } from '../pipeline';
import type { ResultStore } from '../store/types';
import { processScan, RawMissingError } from './process-scan';
import { SCAN_QUEUE, bullPrefix, type ScanJob } from './queues';

export interface BullWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockMs: number;
  /** The active model's scanner (swapped when an admin activates another version). */
  scanner: { readonly current: Scanner };
  store: ResultStore;
  metrics: Metrics;
  log: Logger;
}

/**
 * Scores jobs from the scan queue. Scoring is CPU-bound and runs on this process's event loop, so
 * concurrency above 1 only helps to overlap Redis round trips; scale with more processes.
 * A worker killed mid-job stops renewing its lock; after `lockMs` BullMQ's stalled-job check moves
 * the job back to waiting and another worker scores it (the store's complete() is idempotent).
 */
export function startBullWorker(o: BullWorkerOptions): Worker<ScanJob> {
  const worker = new Worker<ScanJob>(
    SCAN_QUEUE,
    async (job: Job<ScanJob>) => {
      const t0 = process.hrtime.bigint();
      try {
        const result = await processScan(job.data.id, { store: o.store, score: (raw) => o.scanner.current.scan(raw), now: Date.now });
        if (result) o.metrics.recordScan(result, Number(process.hrtime.bigint() - t0) / 1e9);
        return result ? { verdict: result.verdict } : { verdict: 'already_scored' };
      } catch (err: unknown) {
        const missing = err instanceof RawMissingError;
        o.metrics.jobFailures.inc({ code: missing ? 'raw_missing' : 'transient' });
        // The store learns of a final failure before BullMQ does, so the record never stays
        // `queued` behind a failed job. A missing raw message will never appear: fail at once.
        if (missing || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await o.store.fail(job.data.id, { code: missing ? 'unrecoverable' : 'attempts_exhausted', message: (err as Error).message });
        }
        if (missing) throw new UnrecoverableError((err as Error).message);
        throw err;
      }
    },
    {
      connection: o.connection,
      prefix: bullPrefix(o.prefix),
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: Math.max(1000, Math.floor(o.lockMs / 2)),
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    o.log.warn({ job: job.id, attempt: job.attemptsMade, err: err.message }, 'scan job failed');
    // A job that stalled too often fails without reaching the processor: record it here. (The
    // API's sweep also reconciles records left queued behind a failed job.)
    if (/stalled/i.test(err.message)) {
      o.store.fail(job.data.id, { code: 'stalled', message: err.message }).catch((e: unknown) => o.log.error({ err: (e as Error).message }, 'could not record failed job'));
    }
  });
  worker.on('error', (err) => o.log.error({ err: err.message }, 'worker error'));
  return worker;
}

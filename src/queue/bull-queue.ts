import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SCAN_QUEUE, bullPrefix, scanJobOptions, type FailedJob, type QueueDepth, type ScanJob, type ScanQueue } from './queues';

/** The producer side, used by the API: adds scan jobs (job id = message id, so re-adding is a no-op). */
export class BullScanQueue implements ScanQueue {
  readonly queue: Queue<ScanJob>;

  constructor(connection: Redis, prefix: string, opts: { attempts: number; backoffMs: number; onError?: (err: Error) => void }) {
    this.queue = new Queue<ScanJob>(SCAN_QUEUE, { connection, prefix: bullPrefix(prefix), defaultJobOptions: scanJobOptions(opts.attempts, opts.backoffMs) });
    // Without a listener BullMQ prints connection errors to stderr, outside the JSON log.
    this.queue.on('error', (err) => opts.onError?.(err));
  }

  async enqueue(job: ScanJob): Promise<void> {
    await this.queue.add('scan', job, { jobId: job.id });
  }

  async depth(): Promise<QueueDepth> {
    const [counts, oldest] = await Promise.all([this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'), this.queue.getWaiting(-1, -1)]);
    const first = oldest[0];
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      oldestAgeMs: first ? Math.max(0, Date.now() - first.timestamp) : 0,
    };
  }

  async failed(limit: number): Promise<FailedJob[]> {
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs.map((j) => ({ id: j.id ?? j.data.id, failedReason: j.failedReason, attemptsMade: j.attemptsMade, finishedOn: j.finishedOn ?? null, timestamp: j.timestamp }));
  }

  async retry(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job || !(await job.isFailed())) return false;
    // A fresh set of attempts (with backoff), not a single last one.
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  async failedReason(id: string): Promise<string | null> {
    const job = await this.queue.getJob(id);
    return job && (await job.isFailed()) ? job.failedReason || 'failed' : null;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

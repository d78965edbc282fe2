import { DelayedError, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullPrefix } from './queues';
import { runRetrainJob, type RetrainDeps } from './retrain-runner';

/** Retrains have their own queue, so a long training never sits in front of mail to score. */
export const RETRAIN_QUEUE = 'retrain';

export interface RetrainQueue {
  enqueue(jobId: string): Promise<void>;
  close(): Promise<void>;
}

/** Service mode: a BullMQ queue; any worker process takes the job (one at a time per process). */
export class BullRetrainQueue implements RetrainQueue {
  private readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(RETRAIN_QUEUE, {
      connection,
      prefix: bullPrefix(prefix),
      // Training is deterministic: a failure is not retried (a worker killed mid-job is: stalled jobs come back).
      defaultJobOptions: { attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
    });
  }

  async enqueue(jobId: string): Promise<void> {
    await this.queue.add('retrain', { id: jobId }, { jobId });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/**
 * The worker side in service mode. Training runs in a niced child process (retrain-runner.ts), so this
 * process's event loop keeps scoring mail and renewing the job lock meanwhile.
 */
export function startRetrainWorker(connection: Redis, prefix: string, deps: RetrainDeps): { worker: Worker<{ id: string }>; stop(): Promise<void> } {
  const abort = new AbortController();
  const worker = new Worker<{ id: string }>(
    RETRAIN_QUEUE,
    async (job, token) => {
      let result;
      try {
        result = await runRetrainJob(job.data.id, deps, (p) => void job.updateProgress(p).catch(() => undefined), abort.signal);
      } catch (err: unknown) {
        if (!abort.signal.aborted || !token) throw err;
        // Stopped by a shutdown: back to the queue for the next worker, not a failure.
        await job.moveToDelayed(Date.now() + 1000, token);
        throw new DelayedError();
      }
      return { version: result?.version ?? null, promoted: result?.promoted ?? false };
    },
    { connection, prefix: bullPrefix(prefix), concurrency: 1, lockDuration: 60_000, stalledInterval: 30_000, maxStalledCount: 1 },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    // A job that stalled (its worker died) never reached the runner's own failure handling.
    deps.models.getJob(job.data.id).then(
      (j) => (j && j.state !== 'failed' && j.state !== 'completed' ? deps.models.updateJob(j.id, { state: 'failed', phase: 'failed', errors: [...j.errors, err.message] }) : undefined),
      () => undefined,
    );
  });
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'retrain worker error'));
  return {
    worker,
    // Shutdown does not wait for a training: the training process stops and the job goes back to the
    // queue for another worker (or this one after a restart).
    stop: async () => {
      abort.abort();
      await worker.close();
    },
  };
}

/**
 * Embedded mode: jobs run one after another in this process (training in a niced child process). Jobs
 * left queued or running by a stopped process are run again at the next start.
 */
export class LocalRetrainQueue implements RetrainQueue {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly abort = new AbortController();

  constructor(private readonly deps: RetrainDeps) {}

  async enqueue(jobId: string): Promise<void> {
    if (this.closed) throw new Error('the service is stopping');
    this.chain = this.chain.then(() =>
      this.closed
        ? undefined
        : runRetrainJob(jobId, this.deps, undefined, this.abort.signal).then(
            () => undefined,
            () => undefined,
          ),
    );
  }

  /** Stops a training in progress; the job stays queued and runs again at the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await this.chain;
  }
}

import type { DefaultJobOptions } from 'bullmq';

/** The one queue: messages waiting to be scored. Its job id is the message id. */
export const SCAN_QUEUE = 'scan';

/** BullMQ's key prefix under the deployment's prefix (`bw` → `bw:bull:scan:…`). */
export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}

/**
 * Job defaults, in one place. Retries are for transient failures (Redis errors, a worker killed
 * mid-job); mail that cannot be parsed is not a failure, it becomes an `unscanned` result.
 * Completed jobs are removed at once: the result lives in the store, not in BullMQ. Failed jobs
 * are kept (the newest 10,000) so an admin can see and retry them through the API.
 */
export function scanJobOptions(attempts: number, backoffMs: number): DefaultJobOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: true,
    removeOnFail: { count: 10_000 },
  };
}

/** The job's payload: a reference to the stored raw message, never the bytes. */
export interface ScanJob {
  id: string;
}

/** A failed job as the API shows it. */
export interface FailedJob {
  id: string;
  failedReason: string;
  attemptsMade: number;
  finishedOn: number | null;
  timestamp: number;
}

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Age of the oldest waiting job, ms (0 when none). */
  oldestAgeMs: number;
}

/** What the API needs from a queue, whether BullMQ or the embedded one. */
export interface ScanQueue {
  enqueue(job: ScanJob): Promise<void>;
  depth(): Promise<QueueDepth>;
  failed(limit: number): Promise<FailedJob[]>;
  /** Re-runs a failed job; false when there is no such failed job. */
  retry(id: string): Promise<boolean>;
  /** Why the message's job failed for good, or null when it has not. */
  failedReason(id: string): Promise<string | null>;
  close(): Promise<void>;
}

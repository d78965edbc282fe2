// Types for the JS fault scenarios in faults.js.
import type { Cluster, PrivateRedis, Tally } from './cluster';

export type Figures = Tally & { scenario: string; sent: number; statuses: Record<string, number>; seconds: number; settled: boolean };
export function workerKills(o: { redisUrl: string; messages?: number; kills?: number; killEveryMs?: number; workers?: number; concurrency?: number; lockMs?: number; settleMs?: number; log?: (s: string) => void }): Promise<Figures & { kills: number; workersStarted: number; postedS: number }>;
export function redisRestart(o: { redis: PrivateRedis; rate?: number; seconds?: number; downMs?: number; workers?: number; settleMs?: number; log?: (s: string) => void }): Promise<
  Figures & { unavailable: number; withRetryAfter: number; acceptedWhileDown: number; downS: number; recoveryS: number | null }
>;
export function settle(c: Cluster, ids: Iterable<string>, ms: number): Promise<number>;

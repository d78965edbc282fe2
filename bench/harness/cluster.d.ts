// Types for the JS harness in cluster.js (used by bench scripts and the jest fault tests).
import type { ChildProcess } from 'node:child_process';
import type { Agent } from 'node:http';

export interface PrivateRedis {
  port: number;
  dir: string;
  url: string;
  proc: ChildProcess | null;
  start(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}
export type Proc = ChildProcess & { port?: number };
export interface Cluster {
  prefix: string;
  redisUrl: string;
  keys: Record<'gateway' | 'analyst' | 'admin', string>;
  base: string;
  api: Proc;
  workers: Proc[];
  started: number;
  killed: number;
  addWorker(): Promise<Proc>;
  killWorker(pick?: (live: Proc[]) => Proc): Promise<Proc | null>;
  liveWorkers(): Proc[];
  stop(): Promise<void>;
  dropKeys(): Promise<void>;
}
export interface Tally {
  acknowledged: number;
  results: number;
  queued: number;
  failed: number;
  lost: number;
  missing: number;
  duplicated: number;
  stored: number;
}
export const root: string;
export function sleep(ms: number): Promise<void>;
export function freePort(): Promise<number>;
export function exited(child: ChildProcess): Promise<void>;
export function startPrivateRedis(): Promise<PrivateRedis>;
export function startCluster(o: { redisUrl: string; workers?: number; env?: Record<string, string>; prefix?: string; heapMb?: number; stderr?: 'ignore' | 'inherit' | 'pipe' }): Promise<Cluster>;
export function post(c: Cluster, body: Buffer, o?: { wait?: number; timeoutMs?: number }): Promise<{ status: number; id: string | null; retryAfter: string | null; error?: string }>;
export function fixtureMessages(): Buffer[];
export function makeUnique(tag: string): (raw: Buffer) => Buffer;
export function tally(c: Cluster, acked: Iterable<string>): Promise<Tally>;
export function rssMb(pid: number): number;
export const agent: Agent;

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MODELS_DIR } from '../classifier/model-file';
import type { GateMargins } from '../classifier/retrain';
import { ConfigError, loadConfig, type ScanConfig } from './index';

export const ROLES = ['gateway', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const positiveInt = z.coerce.number().int().positive();
const hours = z.coerce.number().positive();
const fraction = z.coerce.number().min(0).max(1);

/**
 * The service's settings (the scanner's own BALLOTWATCH_* settings are in schema.ts). PORT and
 * REDIS_URL keep their conventional names; the rest are prefixed. Validated once at start.
 */
export const serviceEnvSchema = z.object({
  /** HTTP port (API, and /healthz /readyz /metrics on worker-only processes). */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /**
   * Redis for the queue and results: `redis://host:port/db`, or the absolute path of Redis's Unix
   * socket (`/run/redis/redis.sock?db=0`) when it runs on the same host. Unset: embedded mode
   * (SQLite, in-process scoring).
   */
  REDIS_URL: z.union([z.string().url(), z.string().regex(/^\/[^\s?]+(\?db=\d+)?$/, 'a redis:// URL or an absolute socket path')]).optional(),
  /** What this process runs: the HTTP API, a scoring worker, or both. Embedded mode always runs both. */
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  /** Folder for the embedded SQLite store (embedded mode only). */
  BALLOTWATCH_DATA_DIR: z.string().default('data'),
  /** Prefix of every Redis key (queue and store), so several deployments or tests share one Redis. */
  BALLOTWATCH_REDIS_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, 'letters, digits, _ : . - only').default('bw'),
  /** API keys: comma-separated `role:sha256hex` entries (`ballotwatch keys create` prints them). */
  BALLOTWATCH_API_KEYS: z.string().optional(),
  /** A file of `role:sha256hex` entries, one per line (# comments allowed); added to BALLOTWATCH_API_KEYS. */
  BALLOTWATCH_API_KEYS_FILE: z.string().optional(),
  /** Requests per second allowed per key, by role (a burst of one second's worth is allowed). */
  BALLOTWATCH_RATE_GATEWAY: positiveInt.default(5000),
  BALLOTWATCH_RATE_ANALYST: positiveInt.default(50),
  BALLOTWATCH_RATE_ADMIN: positiveInt.default(50),
  /**
   * Jobs one worker process has in hand at once. Scoring is CPU-bound (one at a time on the event
   * loop); more than one only overlaps Redis round trips with scoring: 4 measured 260 → 319 msg/s
   * for one worker on this 2-core machine. Add processes (on more cores) to scale.
   */
  BALLOTWATCH_WORKER_CONCURRENCY: positiveInt.default(4),
  /** Attempts per job for transient failures (Redis errors), with exponential backoff from BACKOFF_MS. */
  BALLOTWATCH_JOB_ATTEMPTS: positiveInt.default(5),
  BALLOTWATCH_JOB_BACKOFF_MS: positiveInt.default(1000),
  /** A worker that stops renewing its job lock this long is presumed dead; its job is picked up again. */
  BALLOTWATCH_JOB_LOCK_MS: positiveInt.default(30_000),
  /** Longest `?wait=` a client may ask for, ms. */
  BALLOTWATCH_MAX_WAIT_MS: positiveInt.default(30_000),
  /** How long results are kept (hours; default 90 days). */
  BALLOTWATCH_RESULT_RETENTION_HOURS: hours.default(24 * 90),
  /** How long the raw message of a flagged/suspicious/unscanned result is kept as evidence (hours; default 30 days). */
  BALLOTWATCH_RAW_RETENTION_HOURS: hours.default(24 * 30),
  /**
   * The evaluation set every retrained model is measured on before the promotion gate: folders of
   * labelled mail (comma-separated; relative to the installation), never trained on.
   */
  BALLOTWATCH_EVAL_SET: z.string().default('fixtures/holdout,fixtures/holdout-blind,fixtures/holdout-blind-2'),
  /** Promotion gate margins (fractions): how much worse than the active model a retrained one may be. */
  BALLOTWATCH_GATE_INTIMIDATION_DROP: fraction.default(0),
  BALLOTWATCH_GATE_DISINFORMATION_DROP: fraction.default(0.02),
  BALLOTWATCH_GATE_SPAM_DROP: fraction.default(0.02),
  /** 0.001 = the ham false-positive rate may rise by 0.1 point at most. */
  BALLOTWATCH_GATE_HAM_FPR_RISE: fraction.default(0.001),
  BALLOTWATCH_GATE_AUC_DROP: fraction.default(0.005),
  /** Largest retrain request body (bytes) and most labelled examples in one request. */
  BALLOTWATCH_RETRAIN_MAX_BYTES: positiveInt.default(50 * 1024 * 1024),
  BALLOTWATCH_RETRAIN_MAX_EXAMPLES: positiveInt.default(10_000),
  /**
   * How long the raw message of a *clean* result is kept (hours; default 0: deleted when scored).
   * Set it to let analysts correct missed threats with feedback the retrain can learn from; it costs
   * Redis memory for all mail in that window.
   */
  BALLOTWATCH_CLEAN_RAW_RETENTION_HOURS: z.coerce.number().min(0).default(0),
  /** pino log level. */
  BALLOTWATCH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ApiKeyEntry {
  role: Role;
  /** sha256 of the key, 32 bytes. */
  hash: Buffer;
  /** Short public id for logs, rate limits and feedback authorship: the hash's first 12 hex digits. */
  id: string;
}

export interface ServiceConfig {
  scan: ScanConfig;
  port: number;
  redisUrl: string | null;
  role: 'api' | 'worker' | 'all';
  dataDir: string;
  prefix: string;
  apiKeys: ApiKeyEntry[];
  rateLimits: Record<Role, number>;
  worker: { concurrency: number; attempts: number; backoffMs: number; lockMs: number };
  maxWaitMs: number;
  retention: { resultsMs: number; rawMs: number; cleanRawMs: number };
  logLevel: string;
  lifecycle: { evalSet: string[]; root: string; margins: GateMargins; maxBytes: number; maxExamples: number };
}

const KEY_ENTRY = /^(gateway|analyst|admin):([0-9a-f]{64})$/;

/** Parses `role:sha256hex` entries; every malformed one is a problem (never silently skipped). */
export function parseKeyEntries(text: string, source: string): { keys: ApiKeyEntry[]; problems: string[] } {
  const keys: ApiKeyEntry[] = [];
  const problems: string[] = [];
  const entries = text
    .split(/[\n,]/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const m = KEY_ENTRY.exec(entry.toLowerCase());
    if (!m) problems.push(`${source}: entry ${i + 1} is not role:sha256hex with role gateway, analyst or admin and 64 hex digits`);
    else keys.push({ role: m[1] as Role, hash: Buffer.from(m[2], 'hex'), id: m[2].slice(0, 12) });
  });
  return { keys, problems };
}

/** The process environment with command-line overrides on top. */
export function withEnv(overrides: Record<string, string>): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}

export function loadServiceConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const problems: string[] = [];
  let scan: ScanConfig | null = null;
  try {
    scan = loadConfig(env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = serviceEnvSchema.safeParse(cleaned);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const apiKeys: ApiKeyEntry[] = [];
  if (parsed.success) {
    const e = parsed.data;
    if (e.BALLOTWATCH_API_KEYS) {
      const r = parseKeyEntries(e.BALLOTWATCH_API_KEYS, 'BALLOTWATCH_API_KEYS');
      apiKeys.push(...r.keys);
      problems.push(...r.problems);
    }
    if (e.BALLOTWATCH_API_KEYS_FILE) {
      try {
        const r = parseKeyEntries(readFileSync(e.BALLOTWATCH_API_KEYS_FILE, 'utf8'), `BALLOTWATCH_API_KEYS_FILE (${e.BALLOTWATCH_API_KEYS_FILE})`);
        apiKeys.push(...r.keys);
        problems.push(...r.problems);
      } catch (err: unknown) {
        problems.push(`BALLOTWATCH_API_KEYS_FILE: cannot read ${e.BALLOTWATCH_API_KEYS_FILE}: ${(err as Error).message}`);
      }
    }
  }
  if (parsed.success && parsed.data.ROLE !== 'all' && !parsed.data.REDIS_URL) problems.push(`ROLE=${parsed.data.ROLE} needs REDIS_URL (without it one process runs everything)`);
  if (problems.length || !parsed.success || !scan) throw new ConfigError(problems);
  const e = parsed.data;
  return Object.freeze({
    scan,
    port: e.PORT,
    redisUrl: e.REDIS_URL ?? null,
    role: e.ROLE,
    dataDir: path.resolve(e.BALLOTWATCH_DATA_DIR),
    prefix: e.BALLOTWATCH_REDIS_PREFIX,
    apiKeys,
    rateLimits: { gateway: e.BALLOTWATCH_RATE_GATEWAY, analyst: e.BALLOTWATCH_RATE_ANALYST, admin: e.BALLOTWATCH_RATE_ADMIN },
    worker: { concurrency: e.BALLOTWATCH_WORKER_CONCURRENCY, attempts: e.BALLOTWATCH_JOB_ATTEMPTS, backoffMs: e.BALLOTWATCH_JOB_BACKOFF_MS, lockMs: e.BALLOTWATCH_JOB_LOCK_MS },
    maxWaitMs: e.BALLOTWATCH_MAX_WAIT_MS,
    retention: { resultsMs: e.BALLOTWATCH_RESULT_RETENTION_HOURS * 3_600_000, rawMs: e.BALLOTWATCH_RAW_RETENTION_HOURS * 3_600_000, cleanRawMs: e.BALLOTWATCH_CLEAN_RAW_RETENTION_HOURS * 3_600_000 },
    logLevel: e.BALLOTWATCH_LOG_LEVEL,
    lifecycle: {
      evalSet: e.BALLOTWATCH_EVAL_SET.split(',').map((x) => x.trim()).filter(Boolean),
      root: path.resolve(MODELS_DIR, '..'),
      margins: {
        detectionDrop: { intimidation: e.BALLOTWATCH_GATE_INTIMIDATION_DROP, disinformation: e.BALLOTWATCH_GATE_DISINFORMATION_DROP, spam: e.BALLOTWATCH_GATE_SPAM_DROP },
        hamFprRise: e.BALLOTWATCH_GATE_HAM_FPR_RISE,
        aucDrop: e.BALLOTWATCH_GATE_AUC_DROP,
      },
      maxBytes: e.BALLOTWATCH_RETRAIN_MAX_BYTES,
      maxExamples: e.BALLOTWATCH_RETRAIN_MAX_EXAMPLES,
    },
  });
}

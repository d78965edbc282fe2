import type { BayesClass } from '../classifier/categories';
import type { FeedbackLabel } from './types';

/**
 * Model versions, the active pointer, retrain jobs and the admin audit log: what every process of
 * a deployment must agree on. Redis in service mode (so workers on other hosts load the same
 * bytes), SQLite in embedded mode. One contract suite (test/store/model-store-contract.ts) runs
 * against both.
 */

/** Per-category figures on the evaluation set (see classifier/model-metrics.ts). */
export interface ModelMetrics {
  evaluated: number;
  categories: Record<string, { precision: number | null; recall: number | null; f1: number | null; support: number }>;
  /** Share of each threat label's messages that were not `clean` (what the gate protects). */
  detection: Record<string, number | null>;
  /** Ham whose verdict is not clean. */
  hamFpr: number | null;
  suspiciousShare: number;
  /** Any threat vs ham on the score. */
  auc: number | null;
}

export interface GateDecision {
  passed: boolean;
  /** `force: true` promoted it whatever the gate said. */
  forced: boolean;
  reasons: string[];
}

export interface ModelMeta {
  version: string;
  createdAt: number;
  source: 'shipped' | 'retrain';
  /** The version it was trained on top of (retrains), or null. */
  parent: string | null;
  /** Key id of the admin who asked for it; null for shipped models. */
  trainedBy: string | null;
  /** Learned messages per Bayes class. */
  counts: Record<BayesClass, number>;
  /** Figures on the evaluation set when last evaluated; null until then. */
  metrics: ModelMetrics | null;
  /** The promotion gate's decision (retrains only). */
  gate: GateDecision | null;
  /** What it learned from, in words and counts. */
  training: Record<string, unknown>;
  /** Gzipped size in bytes. */
  bytes: number;
}

export type RetrainState = 'queued' | 'running' | 'completed' | 'failed';

/** What an admin asked a retrain to learn from. */
export interface RetrainRequest {
  /** Analysts' feedback given at or after this time (ms), latest label per message. */
  feedbackSince: number | null;
  /** How many labelled examples came with the request (stored beside the job). */
  examples: number;
  /**
   * What the new version starts from: the active model's counts (`active`), the corpus the active
   * model was built from, which must be on the worker's host (`corpus`), or nothing (`none`).
   */
  base: 'active' | 'corpus' | 'none';
  force: boolean;
  note: string;
}

export interface RetrainJob {
  id: string;
  state: RetrainState;
  percent: number;
  phase: string;
  errors: string[];
  createdAt: number;
  updatedAt: number;
  by: string;
  request: RetrainRequest;
  result: {
    version: string;
    promoted: boolean;
    reason: string;
    metrics: ModelMetrics;
    activeMetrics: ModelMetrics | null;
    seconds: number;
    learned: Record<string, number>;
  } | null;
}

/** A labelled example as stored beside a job (raw text, utf8 or latin1 as received). */
export interface StoredExample {
  label: FeedbackLabel;
  /** Base64 of the raw message bytes. */
  raw: string;
}

export type AuditAction = 'retrain' | 'promote' | 'refuse' | 'activate' | 'rollback' | 'delete' | 'seed';

export interface AuditEntry {
  /** Opaque, increasing; also the paging cursor. */
  id: string;
  at: number;
  action: AuditAction;
  /** Key id of whoever did it (`system` for the service itself). */
  by: string;
  version: string | null;
  details: Record<string, unknown>;
}

export interface ModelStore {
  /** Adds a version; false when it already exists (versions are never overwritten). */
  put(meta: ModelMeta, blob: Buffer): Promise<boolean>;
  get(version: string): Promise<ModelMeta | null>;
  blob(version: string): Promise<Buffer | null>;
  /** Every version, newest first. */
  list(): Promise<ModelMeta[]>;
  updateMeta(version: string, patch: Partial<Pick<ModelMeta, 'metrics' | 'gate'>>): Promise<void>;
  /** Deletes a version; 'active' when it is the active one (refused), 'missing' when unknown. */
  delete(version: string): Promise<'deleted' | 'active' | 'missing'>;
  active(): Promise<string | null>;
  /** Makes `version` active and tells every process; returns the previous one. Throws when unknown. */
  activate(version: string): Promise<string | null>;
  /** Sets the active version only when none is set (first start of a deployment); true if it did. */
  activateIfNone(version: string): Promise<boolean>;
  /** Calls back with the new active version whenever any process activates one. */
  onActivate(fn: (version: string) => void): Promise<() => Promise<void>>;

  putJob(job: RetrainJob, examples: StoredExample[]): Promise<void>;
  getJob(id: string): Promise<RetrainJob | null>;
  updateJob(id: string, patch: Partial<Omit<RetrainJob, 'id' | 'createdAt' | 'by' | 'request'>>): Promise<void>;
  jobExamples(id: string): Promise<StoredExample[]>;
  /** Drops a finished job's examples (the job record stays). */
  dropJobExamples(id: string): Promise<void>;

  audit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Newest first; `cursor` is the last id of the previous page. */
  auditLog(limit: number, cursor?: string): Promise<{ items: AuditEntry[]; nextCursor: string | null }>;

  close(): Promise<void>;
}

export class UnknownModelError extends Error {
  constructor(version: string) {
    super(`no model version ${version}`);
    this.name = this.constructor.name;
  }
}

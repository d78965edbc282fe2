import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ScanConfig } from '../config';
import { readCorpus, type CorpusItem } from '../corpus/read-corpus';
import { loadRegistry } from '../features';
import { MailError } from '../mail';
import { analyse, Scanner, type ScanResult } from '../pipeline';
import { evaluate } from '../scoring/evaluate';
import type { GateDecision, ModelMetrics } from '../store/model-store';
import type { FeedbackLabel } from '../store/types';
import { BAYES_CLASSES, CATEGORIES, isCivic, type BayesClass, type Category } from './categories';
import { parseModel, serializeModel, type Model } from './model-file';
import { train } from './train';

/** What a retrain starts from: the active model's counts, its training corpus again, or nothing. */
export const RETRAIN_BASES = ['active', 'corpus', 'none'] as const;
export type RetrainBase = (typeof RETRAIN_BASES)[number];

export interface RetrainExample {
  label: FeedbackLabel;
  raw: Buffer;
  /** Where it came from, for reports (`feedback:<message id>`, `request:<n>`). */
  key: string;
}

export interface RetrainWork {
  /** The active model file (gzipped), trained upon and compared against. */
  activeBlob: Buffer;
  examples: RetrainExample[];
  base: RetrainBase;
  /** Relative corpus paths recorded in a model are resolved against this folder (the repository root). */
  corpusRoot: string;
  /** Folders of labelled mail the gate evaluates on; never trained on. */
  evalSet: string[];
  config: ScanConfig;
  version: string;
}

export interface RetrainOutcome {
  blob: Buffer;
  model: { version: string; createdAt: string; training: Record<string, unknown> };
  learned: Record<BayesClass, number>;
  /** Examples dropped because the same bytes are in the evaluation set. */
  excludedAsEvalSet: number;
  /** Examples that are not mail (MailError) and were skipped, with the reason. */
  skipped: { key: string; reason: string }[];
  metrics: ModelMetrics;
  activeMetrics: ModelMetrics;
  seconds: number;
}

/** A retrain that cannot be done as asked (its message is shown to the admin). */
export class RetrainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

type Progress = (percent: number, phase: string) => void;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Trains a candidate model and measures it and the active model on the evaluation set.
 *
 * - `active` (default): the active model's Bayes counts plus the new examples, combiner kept. This
 *   is SpamAssassin's `sa-learn` on top of a shipped database: seconds, and needs no corpus.
 * - `corpus`: a full `train` (Bayes and combiner) from the corpus folders the active model records,
 *   plus the new examples; the folders must be on this host.
 * - `none`: a full `train` from the new examples alone.
 * Every class must end with at least `config.minLearns` learned messages, else the retrain is refused.
 */
export async function retrain(w: RetrainWork, progress: Progress = () => undefined): Promise<RetrainOutcome> {
  const t0 = Date.now();
  progress(2, 'loading the active model');
  const active = parseModel(w.activeBlob, 'active model');
  const registry = loadRegistry(w.config.registryFile);

  progress(5, 'reading the evaluation set');
  const evalItems: CorpusItem[] = [];
  for (const dir of w.evalSet) evalItems.push(...readCorpus(resolvePath(w.corpusRoot, dir)));
  if (!evalItems.length) throw new RetrainError(`the evaluation set (${w.evalSet.join(', ')}) holds no labelled mail`);
  const evalHashes = new Set(evalItems.map((i) => sha(i.raw)));
  const examples = w.examples.filter((e) => !evalHashes.has(sha(e.raw)));
  const excludedAsEvalSet = w.examples.length - examples.length;

  let candidate: Model;
  let skipped: RetrainOutcome['skipped'] = [];
  const training: Record<string, unknown> = { base: w.base, parent: active.version, examples: examples.length, excludedAsEvalSet };
  if (w.base === 'active') {
    candidate = parseModel(w.activeBlob, 'active model');
    candidate.version = w.version;
    candidate.createdAt = new Date().toISOString();
    let n = 0;
    for (const e of examples) {
      try {
        const a = await analyse(e.raw, w.config, registry, { redact: redactOf(active) });
        const cls: BayesClass = e.label === 'ham' && isCivic(a.tokens) ? 'civic' : e.label;
        candidate.bayes.learnIds(candidate.bayes.ids(a.tokens, true), BAYES_CLASSES.indexOf(cls));
      } catch (err: unknown) {
        if (!(err instanceof MailError)) throw err;
        skipped.push({ key: e.key, reason: `${err.code}: ${err.message}` });
      }
      if (++n % 100 === 0) progress(10 + Math.round((60 * n) / examples.length), `learning examples (${n} of ${examples.length})`);
    }
    candidate.bayes.recomputeTotals();
    candidate.training = { ...active.training, ...training, learned: learnedOf(candidate), skipped: skipped.length };
  } else {
    const recorded = w.base === 'corpus' ? corporaOf(active) : [];
    const corpora = recorded.map((d) => resolvePath(w.corpusRoot, d));
    const missing = corpora.filter((d) => !existsSync(d));
    if (missing.length) throw new RetrainError(`the active model's training corpus is not on this host: ${missing.join(', ')} (build it with \`ballotwatch corpus --shared DIR --out .corpus\`)`);
    function* items(): Generator<CorpusItem> {
      for (const dir of corpora) for (const item of readCorpus(dir)) if (!evalHashes.has(sha(item.raw))) yield item;
      for (const e of examples) yield { key: e.key, label: e.label, raw: e.raw };
    }
    progress(10, w.base === 'corpus' ? `training on ${corpora.join(', ')} and ${examples.length} examples` : `training on ${examples.length} examples`);
    const trained = await train(items(), {
      config: w.config,
      registry,
      version: w.version,
      redact: redactOf(active),
      folds: numberOr(active.training.folds, 5),
      minTokenDocs: w.base === 'corpus' ? numberOr(active.training.minTokenDocs, 2) : 1,
      signalFloor: numberOr(active.training.signalFloor, 1),
      sources: { corpora: recorded, examples: examples.length },
      onProgress: (done, stage) => progress(stage === 'analysed' ? 15 : 40 + done * 5, `training: ${done} ${stage}`),
    });
    candidate = trained.model;
    skipped = trained.report.skipped;
    candidate.training = { ...candidate.training, ...training };
  }

  const learned = learnedOf(candidate);
  const short = (['ham', 'spam', 'intimidation', 'disinformation'] as const)
    .map((c) => [c, c === 'ham' ? learned.ham + learned.civic : learned[c]] as const)
    .filter(([, n]) => n < w.config.minLearns);
  if (short.length) {
    throw new RetrainError(`too few learned examples: ${short.map(([c, n]) => `${c} ${n}`).join(', ')} (each class needs at least ${w.config.minLearns}, BALLOTWATCH_MIN_LEARNS)`);
  }

  progress(75, `evaluating both models on ${evalItems.length} messages`);
  const [metrics, activeMetrics] = await Promise.all([measure(new Scanner(candidate, w.config), evalItems), measure(new Scanner(active, w.config), evalItems)]);
  progress(95, 'saving');
  const blob = serializeModel(candidate);
  return { blob, model: { version: candidate.version, createdAt: candidate.createdAt, training: candidate.training }, learned, excludedAsEvalSet, skipped, metrics, activeMetrics, seconds: (Date.now() - t0) / 1000 };
}

/** Scores labelled mail and reduces the evaluation report to what the admin API shows and the gate reads. */
export async function measure(scanner: Scanner, items: CorpusItem[]): Promise<ModelMetrics> {
  const rows: { label: Category; result: ScanResult }[] = [];
  for (const item of items) rows.push({ label: item.label, result: await scanner.scan(item.raw) });
  const r = evaluate(rows);
  const detection: Record<string, number | null> = {};
  for (const c of CATEGORIES) {
    if (c === 'ham') continue;
    const pl = r.perLabel[c];
    detection[c] = pl ? round4((pl.suspicious + pl.flagged) / pl.n) : null;
  }
  return { evaluated: r.total, categories: r.perCategory, detection, hamFpr: r.hamFalsePositiveRate, suspiciousShare: r.suspiciousShare, auc: r.aucThreatVsHam };
}

export interface GateMargins {
  /** Largest allowed drop in the share of each threat label caught (not clean), as a fraction. */
  detectionDrop: Record<'intimidation' | 'disinformation' | 'spam', number>;
  /** Largest allowed rise of the ham false-positive rate (fraction: 0.001 = 0.1 point). */
  hamFprRise: number;
  /** Largest allowed drop of threat-vs-ham ROC AUC. */
  aucDrop: number;
}

/** The promotion gate: the candidate may not be worse than the active model beyond the margins. */
export function gate(candidate: ModelMetrics, active: ModelMetrics | null, m: GateMargins): Omit<GateDecision, 'forced'> {
  if (!active) return { passed: true, reasons: ['no active model figures to compare with'] };
  const reasons: string[] = [];
  const pts = (x: number) => `${(x * 100).toFixed(2)} %`;
  const eps = 1e-9;
  for (const c of ['intimidation', 'disinformation', 'spam'] as const) {
    const a = active.detection[c];
    const b = candidate.detection[c];
    if (a === null || a === undefined || b === null || b === undefined) continue;
    if (a - b > m.detectionDrop[c] + eps) reasons.push(`${c} caught fell from ${pts(a)} to ${pts(b)} (allowed drop ${pts(m.detectionDrop[c])})`);
  }
  if (active.hamFpr !== null && candidate.hamFpr !== null && candidate.hamFpr - active.hamFpr > m.hamFprRise + eps) {
    reasons.push(`ham false-positive rate rose from ${pts(active.hamFpr)} to ${pts(candidate.hamFpr)} (allowed rise ${pts(m.hamFprRise)})`);
  }
  if (active.auc !== null && candidate.auc !== null && active.auc - candidate.auc > m.aucDrop + eps) {
    reasons.push(`ROC AUC fell from ${active.auc} to ${candidate.auc} (allowed drop ${m.aucDrop})`);
  }
  return reasons.length ? { passed: false, reasons } : { passed: true, reasons: ['not worse than the active model within the margins'] };
}

function learnedOf(m: Model): Record<BayesClass, number> {
  return Object.fromEntries(BAYES_CLASSES.map((c, i) => [c, m.bayes.docs[i]])) as Record<BayesClass, number>;
}

function corporaOf(m: Model): string[] {
  const s = m.training.sources as { corpora?: unknown } | undefined;
  const list = Array.isArray(s?.corpora) ? s.corpora.filter((x): x is string => typeof x === 'string') : [];
  if (!list.length) throw new RetrainError(`model ${m.version} does not record the corpus it was trained on`);
  return list;
}

function redactOf(m: Model): string[] {
  const r = m.training.redact;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

function numberOr(x: unknown, d: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : d;
}

function resolvePath(root: string, p: string): string {
  return isAbsolute(p) ? p : resolve(root, p);
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

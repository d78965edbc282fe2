import { createHash } from 'node:crypto';
import type { ScanConfig } from '../config';
import type { CorpusItem } from '../corpus/read-corpus';
import { SIGNALS, type ImpersonationRegistry, type Signal } from '../features';
import { MailError } from '../mail';
import { analyse } from '../pipeline';
import { featureNames, featureVector, signalFloors, trainCombiner } from '../scoring/combiner';
import { DEFAULT_BAYES_OPTIONS, SparseBayes } from './bayes';
import { BAYES_CLASSES, CATEGORIES, categoryOf, isCivic, type BayesClass } from './categories';
import type { Model } from './model-file';

export interface TrainOptions {
  config: ScanConfig;
  registry: ImpersonationRegistry;
  version: string;
  /** Strings removed before tokenizing, e.g. `phishing@pot`. */
  redact: string[];
  /** Folds for the out-of-fold Bayes scores the combiner learns from. */
  folds: number;
  /** Tokens seen in fewer training messages are dropped from the saved model. */
  minTokenDocs: number;
  /** Minimum log-odds a full-strength threat/process signal adds to its category (see signalFloors). */
  signalFloor: number;
  /** Free-form description of the sources, stored in the model. */
  sources: Record<string, unknown>;
  onProgress?: (done: number, stage: string) => void;
}

export interface TrainReport {
  learned: Record<BayesClass, number>;
  skipped: { key: string; reason: string }[];
  vocabulary: number;
  savedTokens: number;
  seconds: number;
}

interface Doc {
  ids: Int32Array;
  label: number;
  fold: number;
  signals: Signal[];
}

/**
 * Builds a model from labelled messages: every message is analysed exactly as `scan` would (same
 * parser, signals and tokens), the Bayes counts are learned, then each fold is unlearned, scored
 * and relearned to get honest out-of-fold Bayes outputs for the combiner. Works on any subset of
 * the labels (a ham/spam-only corpus gives a model whose election categories stay at ~0).
 */
export async function train(items: Iterable<CorpusItem>, opts: TrainOptions): Promise<{ model: Model; report: TrainReport }> {
  const t0 = Date.now();
  const bayes = new SparseBayes(DEFAULT_BAYES_OPTIONS);
  const docs: Doc[] = [];
  const skipped: TrainReport['skipped'] = [];
  let n = 0;
  for (const item of items) {
    try {
      const a = await analyse(item.raw, opts.config, opts.registry, { redact: opts.redact });
      const ids = bayes.ids(a.tokens, true);
      const cls: BayesClass = item.label === 'ham' && isCivic(a.tokens) ? 'civic' : item.label;
      const label = BAYES_CLASSES.indexOf(cls);
      bayes.learnIds(ids, label);
      const fold = parseInt(createHash('sha1').update(item.key).digest('hex').slice(0, 8), 16) % opts.folds;
      docs.push({ ids, label, fold, signals: a.signals });
    } catch (err: unknown) {
      if (!(err instanceof MailError)) throw err;
      skipped.push({ key: item.key, reason: `${err.code}: ${err.message}` });
    }
    if (++n % 500 === 0) opts.onProgress?.(n, 'analysed');
  }
  const names = featureNames(SIGNALS.map((s) => s.id));
  const xs: Float64Array[] = new Array(docs.length);
  for (let f = 0; f < opts.folds; f++) {
    const inFold = docs.map((d, i) => [d, i] as const).filter(([d]) => d.fold === f);
    for (const [d] of inFold) bayes.learnIds(d.ids, d.label, -1);
    for (const [d, i] of inFold) {
      const s = bayes.scoreIds(d.ids, opts.config.minLearns);
      const ok = s.knownTokens >= opts.config.minTokens && BAYES_CLASSES.filter((c) => s.chi[c] !== null).length >= 2;
      xs[i] = featureVector(names, ok ? s : null, d.signals, ok ? bayes.scoreIds(bayes.headerIds(d.ids), opts.config.minLearns) : null);
    }
    for (const [d] of inFold) bayes.learnIds(d.ids, d.label, 1);
    opts.onProgress?.(f + 1, `fold of ${opts.folds} scored`);
  }
  const combiner = trainCombiner(
    names,
    xs,
    docs.map((d) => CATEGORIES.indexOf(categoryOf(BAYES_CLASSES[d.label]))),
    docs.map((d) => d.label),
    { l2: 1e-3, bayesL2Factor: 10, epochs: 3000, learningRate: 0.1, floors: signalFloors(SIGNALS, opts.signalFloor) },
  );
  const pruned = bayes.pruned(opts.minTokenDocs);
  const learned = Object.fromEntries(BAYES_CLASSES.map((c, i) => [c, bayes.docs[i]])) as Record<BayesClass, number>;
  const report: TrainReport = { learned, skipped, vocabulary: bayes.tokens.length, savedTokens: pruned.tokens.length, seconds: (Date.now() - t0) / 1000 };
  const model: Model = {
    version: opts.version,
    createdAt: new Date().toISOString(),
    training: { sources: opts.sources, signalFloor: opts.signalFloor, learned, skipped: skipped.length, redact: opts.redact, folds: opts.folds, minTokenDocs: opts.minTokenDocs, vocabulary: report.vocabulary, savedTokens: report.savedTokens },
    bayes: pruned,
    combiner,
  };
  return { model, report };
}

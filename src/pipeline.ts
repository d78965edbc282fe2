import { BAYES_CLASSES, CATEGORIES, type Category } from './classifier/categories';
import type { Clue } from './classifier/bayes';
import { defaultModelPath, loadModel, ModelError, type Model } from './classifier/model-file';
import { tokenize, type TokenizeOptions } from './classifier/tokenize';
import { loadConfig, type ScanConfig } from './config';
import { extractSignals, loadRegistry, SIGNALS, signalText, type ImpersonationRegistry, type Signal } from './features';
import { simhashWords } from './features/simhash';
import { MailError, parseEmail } from './mail';
import type { ParsedEmail } from './mail/types';
import { featureIndex, featureNames, featureVector, predict } from './scoring/combiner';
import { decide, gatewayHeaders, type Action, type Verdict } from './scoring/verdict';

export interface ScoredSignal extends Signal {
  /** Log-odds this signal adds to the result's category against ham (the combiner's weight × strength). */
  contribution: number;
}

/** Everything a caller learns about one message. */
export interface ScanResult {
  verdict: Verdict;
  /** The most likely non-ham category when suspicious/flagged, `ham` when clean, null when unscanned. */
  category: Category | null;
  /** 1 − P(ham), 0..1; null when unscanned. */
  score: number | null;
  /** Calibrated probability per category; null when unscanned. */
  scores: Record<Category, number> | null;
  action: Action;
  headers: Record<string, string>;
  signals: ScoredSignal[];
  clues: Clue[];
  bayes: { status: 'ok' | 'uncertain'; reason?: string; knownTokens: number };
  /** Why the message was not scanned (unscanned only). */
  reason?: { code: string; message: string };
  warnings: { code: string; message: string }[];
  message: {
    from: string | null;
    subject: string;
    date: string | null;
    messageId: string;
    size: number;
    /** 64-bit simhash of subject + body (16 hex digits) for grouping near-duplicates; null when too short or unscanned. */
    simhash: string | null;
  };
  model: string;
  ms: number;
}

/** Internal view used by training: the parsed mail, signals and Bayes tokens for one message. */
export interface Analysis {
  mail: ParsedEmail;
  signals: Signal[];
  tokens: string[];
  simhash: string | null;
}

/** Parse, signals and tokens: shared by scanning and training so both see the same features. */
export async function analyse(raw: Buffer, config: ScanConfig, registry: ImpersonationRegistry, tokenizeOptions: TokenizeOptions = {}): Promise<Analysis> {
  const mail = await parseEmail(raw, config.limits);
  // Subject + body (with the HTML rendering when it differs) is built once for both stages.
  const text = signalText(mail);
  const signals = extractSignals(mail, { registry, trustedAuthservIds: config.trustedAuthservIds }, text);
  const tokens = tokenize(mail, tokenizeOptions, text);
  return { mail, signals, tokens, simhash: simhashWords(tokens) };
}

export class Scanner {
  readonly registry: ImpersonationRegistry;

  constructor(
    readonly model: Model,
    readonly config: ScanConfig,
  ) {
    this.registry = loadRegistry(config.registryFile);
    // A model trained with another set of signals would silently drop (or misplace) inputs.
    const expected = featureNames(SIGNALS.map((s) => s.id));
    if (model.combiner.features.join() !== expected.join()) {
      const missing = expected.filter((f) => !model.combiner.features.includes(f));
      const extra = model.combiner.features.filter((f) => !expected.includes(f));
      throw new ModelError(`model ${model.version} was trained for other signals (missing: ${missing.join(', ') || 'none'}; unknown: ${extra.join(', ') || 'none'}): retrain it with \`ballotwatch train\``);
    }
  }

  static fromConfig(config: ScanConfig = loadConfig(), modelPath?: string): Scanner {
    return new Scanner(loadModel(modelPath ?? config.modelPath ?? defaultModelPath()), config);
  }

  analyse(raw: Buffer): Promise<Analysis> {
    return analyse(raw, this.config, this.registry);
  }

  async scan(raw: Buffer): Promise<ScanResult> {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    let a: Analysis;
    try {
      a = await this.analyse(raw);
    } catch (err: unknown) {
      const reason =
        err instanceof MailError ? { code: err.code, message: err.message } : { code: 'internal_error', message: err instanceof Error ? err.message : String(err) };
      return this.unscanned(reason, raw.length, ms());
    }
    return this.score(a, ms);
  }

  score(a: Analysis, ms: () => number = () => 0): ScanResult {
    const { mail, signals } = a;
    const ids = this.model.bayes.ids(a.tokens, false);
    const bayes = this.model.bayes.scoreIds(ids, this.config.minLearns);
    const headerBayes = this.model.bayes.scoreIds(this.model.bayes.headerIds(ids), this.config.minLearns);
    let bayesStatus: ScanResult['bayes'] = { status: 'ok', knownTokens: bayes.knownTokens };
    const learnedEnough = BAYES_CLASSES.filter((c) => bayes.chi[c] !== null).length;
    if (bayes.knownTokens < this.config.minTokens) {
      bayesStatus = { status: 'uncertain', reason: `only ${bayes.knownTokens} known tokens (minimum ${this.config.minTokens})`, knownTokens: bayes.knownTokens };
    } else if (learnedEnough < 2) {
      bayesStatus = { status: 'uncertain', reason: `fewer than 2 classes have ${this.config.minLearns} learned messages`, knownTokens: bayes.knownTokens };
    }
    const ok = bayesStatus.status === 'ok';
    const x = featureVector(this.model.combiner.features, ok ? bayes : null, signals, ok ? headerBayes : null);
    const scores = predict(this.model.combiner, x);
    const { verdict, category, score, threat: top } = decide(scores, this.config.thresholds);
    const ci = CATEGORIES.indexOf(top);
    const w = this.model.combiner.weights;
    const idx = featureIndex(this.model.combiner.features);
    const scored: ScoredSignal[] = signals.map((s) => {
      const i = idx.get(`sig_${s.id}`);
      const contribution = i === undefined ? 0 : (w[ci][i] - w[0][i]) * s.strength;
      return { ...s, contribution: Math.round(contribution * 1000) / 1000 };
    });
    const clues = bayesStatus.status === 'ok' ? bayes.clues[top] : [];
    const rounded = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(scores[c] * 10000) / 10000])) as Record<Category, number>;
    const result: ScanResult = {
      verdict,
      category,
      score: Math.round(score * 10000) / 10000,
      scores: rounded,
      action: this.config.actions[verdict],
      headers: {},
      signals: scored,
      clues,
      bayes: bayesStatus,
      warnings: mail.warnings,
      message: { from: mail.from?.address || null, subject: mail.subject, date: mail.date, messageId: mail.messageId, size: mail.size, simhash: a.simhash },
      model: this.model.version,
      ms: 0,
    };
    result.headers = gatewayHeaders({ ...result, reason: undefined });
    result.ms = Math.round(ms() * 100) / 100;
    return result;
  }

  unscanned(reason: { code: string; message: string }, size: number, ms: number): ScanResult {
    const r: ScanResult = {
      verdict: 'unscanned',
      category: null,
      score: null,
      scores: null,
      action: this.config.actions.unscanned,
      headers: {},
      signals: [],
      clues: [],
      bayes: { status: 'uncertain', reason: 'not scanned', knownTokens: 0 },
      reason,
      warnings: [],
      message: { from: null, subject: '', date: null, messageId: '', size, simhash: null },
      model: this.model.version,
      ms: Math.round(ms * 100) / 100,
    };
    r.headers = gatewayHeaders({ ...r, reason: `${reason.code}: ${reason.message}` });
    return r;
  }
}

import { BAYES_CLASSES, CATEGORIES, type Category } from './classifier/categories';
import type { Clue } from './classifier/bayes';
import { defaultModelPath, loadModel, ModelError, type Model } from './classifier/model-file';
import type { BayesScore } from './classifier/bayes';
import { segmentTokens, tokenizeParts, type TokenizeOptions } from './classifier/tokenize';
import { loadConfig, type ScanConfig } from './config';
import { loadRegistry, SIGNALS, signalText, type ImpersonationRegistry, type Signal } from './features';
import { buildContext, isElection, runSignals, segmentContext } from './features/registry';
import { DEFAULT_SEGMENT_OPTIONS, segmentBody, type SegmentOptions } from './features/segments';
import type { SignalContext } from './features/types';
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
  /**
   * Set when a stretch of a long message scored more threatening than the whole message and so
   * decided the verdict (segment scoring: see features/segments.ts). `signals`, `clues` and `bayes`
   * are then that stretch's; `start`/`end` are character offsets in the message body text (plain
   * text, then the HTML rendering when it differs), `excerpt` its opening.
   */
  segment?: { index: number; count: number; start: number; end: number; excerpt: string; whole: { verdict: Verdict; score: number } };
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

/** One stretch of a long message's body, with its own signals and tokens (segment scoring). */
export interface SegmentAnalysis {
  /** Offsets in the body text (signalText after the subject and the blank line). */
  start: number;
  end: number;
  signals: Signal[];
  /** Its Bayes tokens; null when it has no rule evidence (hasSegmentEvidence) and so is not scored. */
  tokens: string[] | null;
}

/** Signal groups that let a segment decide (election threats; not headers, context or MIME). */
const SEGMENT_EVIDENCE = new Set<string>(['threat', 'coercion', 'voter_data', 'process', 'fraud_claim']);
/** ... at this strength at least: a match discounted as reported or quoted does not count. */
const SEGMENT_MIN_STRENGTH = 0.5;

/**
 * True when a stretch's signals let it decide the verdict: an election-threat rule matched in it
 * at strength SEGMENT_MIN_STRENGTH or more. Scored alone, short stretches of legitimate election
 * mail read like threats to the Bayes view: without this, 5 more of the 775 legitimate training
 * messages were not clean with 1,000-character segments (67 more with no segment rule at 600);
 * with it, none (README "Hostile input").
 */
export function hasSegmentEvidence(signals: Signal[]): boolean {
  return signals.some((g) => SEGMENT_EVIDENCE.has(g.group) && g.strength >= SEGMENT_MIN_STRENGTH);
}

/** Internal view used by training: the parsed mail, signals and Bayes tokens for one message. */
export interface Analysis {
  mail: ParsedEmail;
  signals: Signal[];
  tokens: string[];
  simhash: string | null;
  /** Stretches of a long message's text, scored on their own too (scanning only; empty for short mail). */
  segments: SegmentAnalysis[];
  /** The body text the segment offsets refer to ('' when there are no segments). */
  body: string;
}

/**
 * Parse, signals and tokens: shared by scanning and training so both see the same features.
 * `segments` (scanning) also analyses each stretch of a long message (features/segments.ts);
 * training learns from whole messages only.
 */
export async function analyse(
  raw: Buffer,
  config: ScanConfig,
  registry: ImpersonationRegistry,
  tokenizeOptions: TokenizeOptions = {},
  segments: SegmentOptions | null = null,
): Promise<Analysis> {
  const mail = await parseEmail(raw, config.limits);
  // Subject + body (with the HTML rendering when it differs) is built once for both stages.
  const text = signalText(mail);
  const ctx = buildContext(mail, { registry, trustedAuthservIds: config.trustedAuthservIds }, text);
  const election = isElection(ctx);
  const signals = runSignals(ctx, election);
  const { tokens, envelope } = tokenizeParts(mail, tokenizeOptions, text);
  const a: Analysis = { mail, signals, tokens, simhash: simhashWords(tokens), segments: [], body: '' };
  if (segments) analyseSegments(a, text, ctx, election, envelope, segments);
  return a;
}

/** Fills a.segments for a long message, or one whose HTML rendering says something its plain text does not. */
function analyseSegments(a: Analysis, text: string, whole: SignalContext, election: boolean, envelope: string[], opts: SegmentOptions): void {
  const { mail } = a;
  const head = `${mail.subject}\n\n`;
  if (!text.startsWith(head)) return;
  const body = text.slice(head.length);
  // signalText appends the HTML rendering after the plain text when it differs: a harmless plain
  // part beside a threat in HTML is a decoy, so the two are never scored in one segment.
  const html = mail.text.trim() && body.length > mail.text.length + 1 && body.startsWith(mail.text) ? [mail.text.length + 1] : [];
  if (text.length <= opts.fromChars && html.length === 0) return;
  // A stretch decides only with an election rule's evidence in it (hasSegmentEvidence): when no
  // such rule matched anywhere in the text, none can match in a stretch of it (most mail stops here).
  if (!a.signals.some((g) => SEGMENT_EVIDENCE.has(g.group))) return;
  const spans = segmentBody(body, opts, html);
  if (spans.length < 2) return;
  const headLines = head.split('\n').length - 1;
  let line = headLines;
  let at = 0;
  for (const s of spans) {
    for (let i = body.indexOf('\n', at); i >= 0 && i < s.start; i = body.indexOf('\n', i + 1)) line++;
    at = s.start;
    const stretch = body.slice(s.start, s.end);
    const signals = runSignals(segmentContext(whole, `${head}${stretch}`, line), election);
    // Tokenized only when it may decide: tokenizing is most of a stretch's cost.
    const tokens = hasSegmentEvidence(signals) ? segmentTokens(mail.subject, `\n\n${stretch}`, envelope) : null;
    a.segments.push({ start: s.start, end: s.end, signals, tokens });
  }
  a.body = body;
}

/** How threatening a verdict is, for picking the most threatening of a message's views. */
const SEVERITY: Record<Verdict, number> = { unscanned: -1, clean: 0, suspicious: 1, flagged: 2 };

interface View {
  signals: Signal[];
  bayes: BayesScore;
  header: BayesScore;
  status: ScanResult['bayes'];
  scores: Record<Category, number>;
  decision: ReturnType<typeof decide>;
}

export class Scanner {
  readonly registry: ImpersonationRegistry;
  /** Combiner feature name → column, built once (score() reads it for every message). */
  private readonly featureIdx: Map<string, number>;

  /** How long messages are split for segment scoring; null scores whole messages only. */
  segmentOptions: SegmentOptions | null = DEFAULT_SEGMENT_OPTIONS;

  constructor(
    readonly model: Model,
    readonly config: ScanConfig,
  ) {
    this.registry = loadRegistry(config.registryFile);
    this.featureIdx = featureIndex(model.combiner.features);
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
    return analyse(raw, this.config, this.registry, {}, this.segmentOptions);
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

  /** The combiner's view of one set of tokens and signals (the whole message, or one segment of it). */
  private view(tokens: string[], signals: Signal[], headerBayes?: BayesScore): View {
    const ids = this.model.bayes.ids(tokens, false);
    const bayes = this.model.bayes.scoreIds(ids, this.config.minLearns);
    const header = headerBayes ?? this.model.bayes.scoreIds(this.model.bayes.headerIds(ids), this.config.minLearns);
    let status: ScanResult['bayes'] = { status: 'ok', knownTokens: bayes.knownTokens };
    const learnedEnough = BAYES_CLASSES.filter((c) => bayes.chi[c] !== null).length;
    if (bayes.knownTokens < this.config.minTokens) {
      status = { status: 'uncertain', reason: `only ${bayes.knownTokens} known tokens (minimum ${this.config.minTokens})`, knownTokens: bayes.knownTokens };
    } else if (learnedEnough < 2) {
      status = { status: 'uncertain', reason: `fewer than 2 classes have ${this.config.minLearns} learned messages`, knownTokens: bayes.knownTokens };
    }
    const ok = status.status === 'ok';
    const x = featureVector(this.model.combiner.features, ok ? bayes : null, signals, ok ? header : null);
    const scores = predict(this.model.combiner, x);
    return { signals, bayes, header, status, scores, decision: decide(scores, this.config.thresholds) };
  }

  score(a: Analysis, ms: () => number = () => 0): ScanResult {
    const { mail } = a;
    const whole = this.view(a.tokens, a.signals);
    // Segment scoring: each stretch of a long message scored alone (same model, the message's
    // envelope, the stretch's words and signals); a stretch decides when its verdict is more
    // threatening than the whole message's (features/segments.ts says why).
    let best = whole;
    let decided = -1;
    for (let i = 0; i < a.segments.length; i++) {
      const seg = a.segments[i];
      // Only stretches with a rule's evidence (hasSegmentEvidence), and only for election threats:
      // a stretch of ordinary mail that reads like spam is no news.
      if (!seg.tokens) continue;
      const v = this.view(seg.tokens, seg.signals, whole.header);
      if (v.decision.threat === 'spam') continue;
      if (SEVERITY[v.decision.verdict] > SEVERITY[best.decision.verdict] || (decided >= 0 && v.decision.verdict === best.decision.verdict && v.decision.score > best.decision.score)) {
        best = v;
        decided = i;
      }
    }
    const { verdict, category, score, threat: top } = best.decision;
    const ci = CATEGORIES.indexOf(top);
    const w = this.model.combiner.weights;
    const scored: ScoredSignal[] = best.signals.map((s) => {
      const i = this.featureIdx.get(`sig_${s.id}`);
      const contribution = i === undefined ? 0 : (w[ci][i] - w[0][i]) * s.strength;
      return { ...s, contribution: Math.round(contribution * 1000) / 1000 };
    });
    const clues = best.status.status === 'ok' ? best.bayes.clues[top] : [];
    const round4 = (x: number) => Math.round(x * 10000) / 10000;
    const rounded = Object.fromEntries(CATEGORIES.map((c) => [c, round4(best.scores[c])])) as Record<Category, number>;
    const result: ScanResult = {
      verdict,
      category,
      score: round4(score),
      scores: rounded,
      action: this.config.actions[verdict],
      headers: {},
      signals: scored,
      clues,
      bayes: best.status,
      warnings: mail.warnings,
      message: { from: mail.from?.address || null, subject: mail.subject, date: mail.date, messageId: mail.messageId, size: mail.size, simhash: a.simhash },
      model: this.model.version,
      ms: 0,
    };
    if (decided >= 0) {
      const seg = a.segments[decided];
      const wholeScore = round4(whole.decision.score);
      result.segment = {
        index: decided + 1,
        count: a.segments.length,
        start: seg.start,
        end: seg.end,
        excerpt: a.body.slice(seg.start, seg.end).replace(/\s+/g, ' ').trim().slice(0, 160),
        whole: { verdict: whole.decision.verdict, score: wholeScore },
      };
      result.warnings = [
        ...mail.warnings,
        {
          code: 'segment_verdict',
          message: `characters ${seg.start}-${seg.end} of ${a.body.length} (segment ${decided + 1} of ${a.segments.length}) scored ${verdict} (${category} ${result.score}); the whole message scored ${whole.decision.verdict} (${wholeScore})`,
        },
      ];
    }
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

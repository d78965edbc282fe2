import type { Category } from '../classifier/categories';

/** The closed set of verdicts (cf. rspamd's lua_verdict). */
export type Verdict = 'clean' | 'suspicious' | 'flagged' | 'unscanned';
/** What a gateway should do with the message (cf. rspamd's actions). */
export type Action = 'accept' | 'add_header' | 'quarantine';

export interface CategoryThresholds {
  /** score ≥ this → suspicious (needs human review) */
  suspicious: number;
  /** score ≥ this → flagged */
  flagged: number;
}

export type Thresholds = Record<Exclude<Category, 'ham'>, CategoryThresholds>;

export interface ActionPolicy {
  clean: Action;
  suspicious: Action;
  flagged: Action;
  unscanned: Action;
}


/**
 * Score → verdict. The score is the probability that the message is not legitimate mail
 * (1 − P(ham)); the category is the most likely non-ham one, and its thresholds apply.
 */
export function decide(
  probs: Record<Category, number>,
  thresholds: Thresholds,
): { verdict: Verdict; category: Category; score: number; threat: Exclude<Category, 'ham'> } {
  const score = 1 - probs.ham;
  /** The most likely non-ham category, whatever the verdict (its clues and contributions are reported). */
  const threat = (['intimidation', 'disinformation', 'spam'] as const).reduce((a, b) => (probs[b] > probs[a] ? b : a));
  const t = thresholds[threat];
  if (score >= t.flagged) return { verdict: 'flagged', category: threat, score, threat };
  if (score >= t.suspicious) return { verdict: 'suspicious', category: threat, score, threat };
  return { verdict: 'clean', category: 'ham', score, threat };
}

/** Headers a gateway can add, as rspamd's milter reply does. */
export function gatewayHeaders(r: { verdict: Verdict; category: Category | null; score: number | null; signals: { id: string }[]; model: string; reason?: string }): Record<string, string> {
  const h: Record<string, string> = {
    'X-Ballotwatch-Verdict': r.verdict,
    'X-Ballotwatch-Model': r.model,
  };
  if (r.score !== null) h['X-Ballotwatch-Score'] = r.score.toFixed(3);
  if (r.category) h['X-Ballotwatch-Category'] = r.category;
  if (r.signals.length) h['X-Ballotwatch-Signals'] = r.signals.map((s) => s.id).join(', ').slice(0, 900);
  if (r.reason) h['X-Ballotwatch-Reason'] = r.reason.replace(/[\r\n]+/g, ' ').slice(0, 200);
  return h;
}

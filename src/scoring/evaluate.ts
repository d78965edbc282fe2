import { CATEGORIES, type Category } from '../classifier/categories';
import type { ScanResult } from '../pipeline';

/** ROC AUC by the Mann–Whitney statistic with mid-ranks for ties (as ../shared/anchors/metrics.mjs). */
export function rocAuc(pos: number[], neg: number[]): number | null {
  if (pos.length === 0 || neg.length === 0) return null;
  const all = [...pos.map((s) => ({ s, p: 1 })), ...neg.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const mid = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k].p) rankSumPos += mid;
    i = j;
  }
  return (rankSumPos - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

export type Predicted = Category | 'unscanned';

export interface EvalReport {
  total: number;
  perLabel: Record<string, { n: number; clean: number; suspicious: number; flagged: number; unscanned: number }>;
  perCategory: Record<Category, { precision: number | null; recall: number | null; f1: number | null; support: number }>;
  confusion: Record<string, Record<Predicted, number>>;
  hamFalsePositiveRate: number | null;
  hamFlaggedRate: number | null;
  suspiciousShare: number;
  /** Not-ham vs ham on the score (1 − P(ham)). */
  aucThreatVsHam: number | null;
  /** One-vs-rest per category on P(category). */
  aucPerCategory: Record<Category, number | null>;
  /** Ham FPR on the score at the threshold where ≥ 96 % of non-ham mail is caught (the SpamAssassin-corpus target). */
  fprAtRecall96: { threshold: number; fpr: number; recall: number } | null;
  msPerMessage: number;
}

/** Lowest ham FPR on the score over thresholds that keep recall of non-ham mail at or above `minRecall`. */
export function fprAtRecall(pos: number[], neg: number[], minRecall: number): { threshold: number; fpr: number; recall: number } | null {
  if (!pos.length || !neg.length) return null;
  const sorted = [...pos].sort((a, b) => b - a);
  const k = Math.ceil(minRecall * pos.length);
  const threshold = sorted[k - 1];
  const recall = pos.filter((s) => s >= threshold).length / pos.length;
  return { threshold, fpr: neg.filter((s) => s >= threshold).length / neg.length, recall };
}

const r4 = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);

/** Predicted category: the result's category unless it is clean (then ham). */
export function predicted(r: ScanResult): Predicted {
  if (r.verdict === 'unscanned') return 'unscanned';
  return r.verdict === 'clean' ? 'ham' : (r.category ?? 'ham');
}

export function evaluate(rows: { label: Category; result: ScanResult }[]): EvalReport {
  const perLabel: EvalReport['perLabel'] = {};
  const confusion: EvalReport['confusion'] = {};
  for (const { label, result } of rows) {
    const pl = (perLabel[label] ??= { n: 0, clean: 0, suspicious: 0, flagged: 0, unscanned: 0 });
    pl.n++;
    pl[result.verdict]++;
    const row = (confusion[label] ??= { ham: 0, spam: 0, intimidation: 0, disinformation: 0, unscanned: 0 });
    row[predicted(result)]++;
  }
  const perCategory = {} as EvalReport['perCategory'];
  for (const c of CATEGORIES) {
    const tp = rows.filter((x) => x.label === c && predicted(x.result) === c).length;
    const predictedN = rows.filter((x) => predicted(x.result) === c).length;
    const support = rows.filter((x) => x.label === c).length;
    const precision = predictedN ? tp / predictedN : null;
    const recall = support ? tp / support : null;
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
    perCategory[c] = { precision: r4(precision), recall: r4(recall), f1: r4(f1), support };
  }
  const scored = rows.filter((x) => x.result.scores);
  const hams = rows.filter((x) => x.label === 'ham');
  const aucPerCategory = {} as Record<Category, number | null>;
  for (const c of CATEGORIES) {
    aucPerCategory[c] = r4(
      rocAuc(
        scored.filter((x) => x.label === c).map((x) => x.result.scores![c]),
        scored.filter((x) => x.label !== c).map((x) => x.result.scores![c]),
      ),
    );
  }
  return {
    total: rows.length,
    perLabel,
    perCategory,
    confusion,
    hamFalsePositiveRate: r4(hams.length ? hams.filter((x) => x.result.verdict === 'suspicious' || x.result.verdict === 'flagged').length / hams.length : null),
    hamFlaggedRate: r4(hams.length ? hams.filter((x) => x.result.verdict === 'flagged').length / hams.length : null),
    suspiciousShare: r4(rows.length ? rows.filter((x) => x.result.verdict === 'suspicious').length / rows.length : 0) ?? 0,
    aucThreatVsHam: r4(
      rocAuc(
        scored.filter((x) => x.label !== 'ham').map((x) => x.result.score!),
        scored.filter((x) => x.label === 'ham').map((x) => x.result.score!),
      ),
    ),
    aucPerCategory,
    fprAtRecall96: fprAtRecall(
      scored.filter((x) => x.label !== 'ham').map((x) => x.result.score!),
      scored.filter((x) => x.label === 'ham').map((x) => x.result.score!),
      0.96,
    ),
    msPerMessage: rows.length ? Math.round((rows.reduce((a, x) => a + x.result.ms, 0) / rows.length) * 1000) / 1000 : 0,
  };
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)} %`);

export function formatReport(name: string, r: EvalReport): string {
  const lines = [`# ${name}: ${r.total} messages`, '', '| category | precision | recall | F1 | support | ROC AUC (one-vs-rest) |', '|---|---|---|---|---|---|'];
  for (const c of CATEGORIES) {
    const p = r.perCategory[c];
    lines.push(`| ${c} | ${pct(p.precision)} | ${pct(p.recall)} | ${pct(p.f1)} | ${p.support} | ${r.aucPerCategory[c] ?? '—'} |`);
  }
  lines.push('', `ham false-positive rate (not clean): ${pct(r.hamFalsePositiveRate)}; ham flagged: ${pct(r.hamFlaggedRate)}`);
  lines.push(`ROC AUC threat (any non-ham) vs ham on the score: ${r.aucThreatVsHam ?? '—'}`);
  if (r.fprAtRecall96) lines.push(`at ≥ 96 % recall of non-ham mail (score ≥ ${r.fprAtRecall96.threshold.toFixed(4)}): ham FPR ${pct(r.fprAtRecall96.fpr)}, recall ${pct(r.fprAtRecall96.recall)}`);
  lines.push(`share suspicious: ${pct(r.suspiciousShare)}; mean scan time ${r.msPerMessage} ms/message`, '');
  lines.push('| label | n | clean | suspicious | flagged | unscanned | not clean |', '|---|---|---|---|---|---|---|');
  for (const [label, v] of Object.entries(r.perLabel)) {
    lines.push(`| ${label} | ${v.n} | ${v.clean} | ${v.suspicious} | ${v.flagged} | ${v.unscanned} | ${pct((v.suspicious + v.flagged) / v.n)} |`);
  }
  lines.push('', 'confusion (rows: true label, columns: predicted)', '| | ham | spam | intimidation | disinformation | unscanned |', '|---|---|---|---|---|---|');
  for (const [label, row] of Object.entries(r.confusion)) lines.push(`| ${label} | ${row.ham} | ${row.spam} | ${row.intimidation} | ${row.disinformation} | ${row.unscanned} |`);
  return lines.join('\n');
}

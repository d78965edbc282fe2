import { gate, type GateMargins } from '../../../src/classifier/retrain';
import type { ModelMetrics } from '../../../src/store/model-store';

const margins: GateMargins = { detectionDrop: { intimidation: 0, disinformation: 0.02, spam: 0.02 }, hamFprRise: 0.001, aucDrop: 0.005 };
const m = (o: { intimidation?: number; disinformation?: number; hamFpr?: number; auc?: number }): ModelMetrics => ({
  evaluated: 100,
  categories: {},
  detection: { intimidation: o.intimidation ?? 0.95, disinformation: o.disinformation ?? 0.9, spam: null },
  hamFpr: o.hamFpr ?? 0.01,
  suspiciousShare: 0,
  auc: o.auc ?? 0.99,
});

describe('promotion gate', () => {
  it('passes a candidate that is as good or better', () => {
    expect(gate(m({}), m({}), margins).passed).toBe(true);
    expect(gate(m({ intimidation: 0.99, hamFpr: 0.005, auc: 0.995 }), m({}), margins).passed).toBe(true);
  });

  it('refuses any drop in intimidation caught (margin 0) and names it', () => {
    const d = gate(m({ intimidation: 0.94 }), m({}), margins);
    expect(d.passed).toBe(false);
    expect(d.reasons).toEqual(['intimidation caught fell from 95.00 % to 94.00 % (allowed drop 0.00 %)']);
  });

  it('allows drops and rises within the margins, refuses beyond them', () => {
    expect(gate(m({ disinformation: 0.885, hamFpr: 0.0109, auc: 0.986 }), m({}), margins).passed).toBe(true);
    const d = gate(m({ disinformation: 0.87, hamFpr: 0.012, auc: 0.98 }), m({}), margins);
    expect(d.reasons).toHaveLength(3);
    expect(d.reasons.join(' ')).toMatch(/disinformation caught.*ham false-positive rate rose.*ROC AUC fell/);
  });

  it('passes when there is nothing to compare with, and skips categories without support', () => {
    expect(gate(m({}), null, margins).passed).toBe(true);
    const noDis = m({});
    noDis.detection.disinformation = null;
    expect(gate(noDis, m({}), margins).passed).toBe(true);
  });
});

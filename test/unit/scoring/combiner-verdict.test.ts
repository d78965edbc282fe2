import { CATEGORIES } from '../../../src/classifier/categories';
import { featureNames, featureVector, predict, trainCombiner } from '../../../src/scoring/combiner';
import { decide, gatewayHeaders, type Thresholds } from '../../../src/scoring/verdict';

const thresholds: Thresholds = {
  intimidation: { suspicious: 0.5, flagged: 0.9 },
  disinformation: { suspicious: 0.5, flagged: 0.9 },
  spam: { suspicious: 0.6, flagged: 0.95 },
};

describe('combiner', () => {
  it('learns that a signal moves mail from ham to intimidation, with calibrated probabilities', () => {
    const names = featureNames(['THREAT']);
    const sig = (on: boolean) => (on ? [{ id: 'THREAT', group: 'threat' as const, description: '', strength: 1, evidence: '' }] : []);
    const xs: Float64Array[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 200; i++) {
      const threat = i % 2 === 0;
      xs.push(featureVector(names, null, sig(threat)));
      ys.push(threat ? CATEGORIES.indexOf('intimidation') : 0);
    }
    const m = trainCombiner(names, xs, ys, ys, { l2: 1e-3, bayesL2Factor: 1, epochs: 300, learningRate: 0.1 });
    const on = predict(m, featureVector(names, null, sig(true)));
    const off = predict(m, featureVector(names, null, sig(false)));
    expect(on.intimidation).toBeGreaterThan(0.9);
    expect(off.ham).toBeGreaterThan(0.9);
    expect(on.spam + on.disinformation).toBeLessThan(0.05);
    expect(Object.values(on).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });
});

describe('decide', () => {
  it('maps the score (1 - P(ham)) to clean, suspicious and flagged with the category thresholds', () => {
    expect(decide({ ham: 0.8, spam: 0.1, intimidation: 0.05, disinformation: 0.05 }, thresholds)).toEqual({ verdict: 'clean', category: 'ham', score: expect.closeTo(0.2, 6), threat: 'spam' });
    expect(decide({ ham: 0.3, spam: 0.05, intimidation: 0.6, disinformation: 0.05 }, thresholds).verdict).toBe('suspicious');
    expect(decide({ ham: 0.02, spam: 0.01, intimidation: 0.07, disinformation: 0.9 }, thresholds)).toMatchObject({ verdict: 'flagged', category: 'disinformation' });
    expect(decide({ ham: 0.42, spam: 0.58, intimidation: 0, disinformation: 0 }, thresholds).verdict).toBe('clean');
  });

  it('builds gateway headers', () => {
    const h = gatewayHeaders({ verdict: 'flagged', category: 'intimidation', score: 0.98765, signals: [{ id: 'A' }, { id: 'B' }], model: 'v1' });
    expect(h).toEqual({ 'X-Ballotwatch-Verdict': 'flagged', 'X-Ballotwatch-Model': 'v1', 'X-Ballotwatch-Score': '0.988', 'X-Ballotwatch-Category': 'intimidation', 'X-Ballotwatch-Signals': 'A, B' });
  });
});

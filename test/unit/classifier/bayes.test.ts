import { gunzipSync } from 'node:zlib';
import { SparseBayes } from '../../../src/classifier/bayes';
import { chi2Q } from '../../../src/classifier/chi2';
import { isCivic } from '../../../src/classifier/categories';
import { parseModel, serializeModel, ModelError } from '../../../src/classifier/model-file';
import { featureNames, trainCombiner } from '../../../src/scoring/combiner';

function toyModel(learns = 20): SparseBayes {
  const b = new SparseBayes();
  for (let i = 0; i < learns; i++) {
    b.learn(['meeting', 'agenda', `minutes${i}`, 'lunch'], 'ham');
    b.learn(['viagra', 'winner', 'click', `offer${i}`], 'spam');
    b.learn(['come', 'after', 'you', 'vote', `x${i}`], 'intimidation');
  }
  return b;
}

describe('chi2Q', () => {
  it('matches known chi-squared tail values', () => {
    expect(chi2Q(0, 4)).toBeCloseTo(1, 10);
    expect(chi2Q(2, 2)).toBeCloseTo(Math.exp(-1), 10);
    expect(chi2Q(9.488, 4)).toBeCloseTo(0.05, 3);
  });
});

describe('SparseBayes', () => {
  it('separates classes with chi-squared combining and reports clue tokens', () => {
    const s = toyModel().score(['viagra', 'click', 'winner', 'unknownword'], 5);
    expect(s.chi.spam!).toBeGreaterThan(0.95);
    expect(s.chi.ham!).toBeLessThan(0.05);
    expect(s.clues.spam.map((c) => c.token)).toEqual(expect.arrayContaining(['viagra', 'click', 'winner']));
    expect(s.knownTokens).toBe(3);
  });

  it('handles tokens that are Object.prototype names (the `bayes` package fails on "constructor")', () => {
    const b = toyModel();
    b.learn(['constructor', '__proto__', 'toString', 'viagra'], 'spam');
    const s = b.score(['constructor', '__proto__', 'hasOwnProperty', 'viagra'], 5);
    expect(s.chi.spam!).toBeGreaterThan(0.5);
  });

  it('does not underflow on long messages (every class stays finite and ordered)', () => {
    const long = Array.from({ length: 5000 }, (_, i) => (i % 2 ? 'click' : `w${i}`));
    const s = toyModel().score([...long, 'viagra'], 5);
    expect(Number.isFinite(s.posterior.spam!)).toBe(true);
    expect(s.posterior.spam!).toBeGreaterThan(s.posterior.ham!);
  });

  it('is uncertain (null) for classes below the minimum of learned messages', () => {
    const s = toyModel(20).score(['viagra'], 50);
    expect(s.chi.spam).toBeNull();
    expect(s.posterior.ham).toBeNull();
  });

  it('unlearns exactly what it learned', () => {
    const b = toyModel();
    const ids = b.ids(['viagra', 'new'], true);
    const before = Array.from(b.counts.subarray(0, b.tokens.length * 5));
    b.learnIds(ids, 2, 1);
    b.learnIds(ids, 2, -1);
    expect(Array.from(b.counts.subarray(0, b.tokens.length * 5))).toEqual(before);
  });

  it('prunes tokens seen in fewer than N documents', () => {
    const p = toyModel().pruned(2);
    expect(p.vocab.has('viagra')).toBe(true);
    expect(p.vocab.has('offer3')).toBe(false);
    expect(Array.from(p.docs)).toEqual(Array.from(toyModel().docs));
  });
});

describe('isCivic', () => {
  it('marks ham about elections (two distinct election stems)', () => {
    expect(isCivic(['the', 'ballot', 'vote'])).toBe(true);
    expect(isCivic(['the', 'ballot', 'ballot'])).toBe(false);
    expect(isCivic(['bolet', 'eleccion'])).toBe(true);
  });
});

describe('model files', () => {
  it('round-trip through the compact gzipped JSON format', () => {
    const bayes = toyModel();
    const names = featureNames(['SIG_A']);
    const combiner = trainCombiner(names, [new Float64Array(names.length).fill(0)], [0], [0], { l2: 1e-3, bayesL2Factor: 1, epochs: 5, learningRate: 0.1 });
    const buf = serializeModel({ version: 't1', createdAt: 'now', training: {}, bayes, combiner });
    expect(JSON.parse(gunzipSync(buf).toString()).format).toBe('ballotwatch-model/3');
    const back = parseModel(buf);
    expect(back.version).toBe('t1');
    expect(back.bayes.score(['viagra', 'click'], 5).chi.spam).toBeCloseTo(bayes.score(['viagra', 'click'], 5).chi.spam!, 10);
  });

  it('rejects files that are not models, naming the problem', () => {
    expect(() => parseModel(Buffer.from('{"format":"other"}'), 'x.json')).toThrow(ModelError);
    expect(() => parseModel(Buffer.from('not json'), 'x.json')).toThrow(/not a ballotwatch model/);
  });
});

describe('kthLargest', () => {
  it('finds the k-th largest value, ties included', () => {
    const { kthLargest } = jest.requireActual('../../../src/classifier/bayes');
    let seed = 3;
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + (trial * 7) % 60;
      const a = Float64Array.from({ length: n }, () => Math.round(((seed = (seed * 16807) % 2147483647) / 2147483647) * 10) / 10);
      const sorted = [...a].sort((x, y) => y - x);
      const k = 1 + (trial % n);
      expect(kthLargest(Float64Array.from(a), k)).toBe(sorted[k - 1]);
    }
  });
});

describe('envelope-only view', () => {
  it('keeps only header tokens, and the mask survives a save and load', () => {
    const b = toyModel();
    b.learn(['fd:example.org', 'rcv:mx.example.org', 'viagra', 's:offer', 'url:x.example'], 'spam');
    const ids = b.ids(['fd:example.org', 'viagra', 'rcv:mx.example.org', 's:offer', 'url:x.example'], false);
    const tokens = (m: SparseBayes, xs: Int32Array) => Array.from(xs, (i) => m.tokens[i]);
    expect(tokens(b, b.headerIds(ids))).toEqual(['fd:example.org', 'rcv:mx.example.org', 'url:x.example']);
    const names = featureNames([]);
    const combiner = trainCombiner(names, [new Float64Array(names.length)], [0], [0], { l2: 1e-3, bayesL2Factor: 1, epochs: 1, learningRate: 0.1 });
    const back = parseModel(serializeModel({ version: 'v', createdAt: 'now', training: {}, bayes: b, combiner })).bayes;
    const backIds = back.ids(['fd:example.org', 'viagra', 'rcv:mx.example.org'], false);
    expect(tokens(back, back.headerIds(backIds))).toEqual(['fd:example.org', 'rcv:mx.example.org']);
  });
});

// A small sample of every mutation kind of `npm run fuzz`, through the pipeline (the CLI's
// Scanner.scan, on a thread) and through the real service in embedded mode (a child process on a
// free port, over HTTP). Every message must end scored, unscanned with a reason, or with a clear
// 4xx; nothing may crash, hang or get lost. The 10,000-message figures come from `npm run fuzz`.
import { loadConfig } from '../../src/config';
import { MUTATIONS } from '../../src/fuzz/mutations';
import { passed, runFuzz, type FuzzReport } from '../../src/fuzz/main';
import { loadSeeds } from '../../src/fuzz/seeds';
import type { KindTally } from '../../src/fuzz/tally';
import { FIXTURES } from '../helpers/paths';

jest.setTimeout(240_000);

const PER_KIND = 6;
const limits = loadConfig({}).limits;
let report: FuzzReport;

beforeAll(async () => {
  report = await runFuzz({
    count: PER_KIND * MUTATIONS.length,
    seed: 'jest',
    service: 'embedded',
    redisUrl: '',
    pipeline: true,
    corpora: [],
    corpusMax: 0,
    deadlineMs: 60_000,
    concurrency: 2,
    seeds: await loadSeeds({ fixtures: FIXTURES }),
    limits,
  });
});

const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const tallies = () => [
  ['pipeline', report.pipeline?.kinds],
  ['service', report.service?.kinds],
] as const;

describe('fuzz sample', () => {
  it('has no crash, hung job or lost message, in the pipeline or the service', () => {
    expect(report.pipeline?.failures).toEqual([]);
    expect(report.service?.failures).toEqual([]);
    expect(report.serviceDeaths).toBe(0);
    expect(report.serviceErrors).toEqual([]);
    expect(passed(report)).toBe(true);
  });

  it('ends every message of every kind as scored, unscanned with a reason, or a 4xx', () => {
    for (const [where, kinds] of tallies()) {
      for (const m of MUTATIONS) {
        const k = kinds?.get(m.kind) as KindTally;
        expect([where, m.kind, k.n]).toEqual([where, m.kind, PER_KIND]);
        expect([where, m.kind, sum(k.scored) + sum(k.unscanned) + sum(k.http4xx)]).toEqual([where, m.kind, PER_KIND]);
        for (const reason of Object.keys(k.unscanned)) expect(reason).toMatch(/^(empty|not_email|too_large|headers_too_large|too_many_parts|too_deep|parse_timeout|parse_failed)$/);
      }
    }
  });

  it('reports each limit of src/mail/limits.ts by its own reason', () => {
    for (const [where, kinds] of tallies()) {
      const k = (kind: string) => kinds?.get(kind) as KindTally;
      expect([where, k('limit_parts').unscanned]).toEqual([where, { too_many_parts: PER_KIND }]);
      expect([where, k('many_parts').unscanned]).toEqual([where, { too_many_parts: PER_KIND }]);
      expect([where, k('limit_depth').unscanned]).toEqual([where, { too_deep: PER_KIND }]);
      expect([where, k('limit_header_bytes').unscanned]).toEqual([where, { headers_too_large: PER_KIND }]);
      // Over the HTML limit the rest is dropped with a warning: still scored.
      expect([where, sum(k('limit_html').scored)]).toEqual([where, PER_KIND]);
    }
    // Too large: the pipeline says so in the result, the service refuses the upload with a 413.
    expect(report.pipeline?.kinds.get('limit_bytes')?.unscanned).toEqual({ too_large: PER_KIND });
    expect(report.service?.kinds.get('limit_bytes')?.http4xx).toEqual({ '413 too_large': PER_KIND });
  });

  it('gives the service the same verdicts as the pipeline', () => {
    for (const m of MUTATIONS) {
      const p = report.pipeline?.kinds.get(m.kind) as KindTally;
      const s = report.service?.kinds.get(m.kind) as KindTally;
      expect([m.kind, s.scored]).toEqual([m.kind, p.scored]);
    }
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import type { MailLimits } from '../mail/limits';
import { generate, MUTATIONS, type FuzzMessage, type Mutation } from './mutations';
import { PipelineRunner } from './run-pipeline';
import { ServiceRunner } from './run-service';
import { loadSeeds, type SeedMail } from './seeds';
import { Tally } from './tally';

export const FUZZ_USAGE = `usage: npm run fuzz -- [options]

  --count N          messages to generate (default 10000; kinds take turns, so each gets N/${MUTATIONS.length})
  --seed S           random seed (default "ballotwatch"); the same seed gives the same messages
  --service MODE     embedded (default), redis, or none
  --redis-url URL    Redis for --service redis (default redis://127.0.0.1:6379/0; a unique key prefix, deleted afterwards)
  --no-pipeline      skip the in-process pipeline run
  --kinds a,b        only these mutation kinds (default all: ${MUTATIONS.map((m) => m.kind).join(', ')})
  --only I           only message number I (reproduce one line of a failure list)
  --corpus DIR       also take seed mail from DIR (e.g. ../shared/corpora; repeatable)
  --corpus-max N     at most N seeds per --corpus (default 2000)
  --deadline-ms MS   a message without a result after this long is hung (default 60000)
  --concurrency N    messages in flight to the service (default 4)
  --json FILE        write the tallies and every failure as JSON
  --write DIR        write the generated messages to DIR/<kind>/<index>.eml and stop`;

export interface FuzzOptions {
  count: number;
  seed: string;
  service: 'embedded' | 'redis' | 'none';
  redisUrl: string;
  pipeline: boolean;
  kinds?: string[];
  only?: number;
  corpora: string[];
  corpusMax: number;
  deadlineMs: number;
  concurrency: number;
  /** Progress lines (stderr in the command). */
  progress?: (line: string) => void;
  /** Seeds to use instead of loading them (tests pass a subset). */
  seeds?: SeedMail[];
  limits?: MailLimits;
}

export interface FuzzReport {
  seeds: number;
  pipeline: Tally | null;
  service: Tally | null;
  serviceMode: string | null;
  /** Times the service process died, and its error log lines. */
  serviceDeaths: number;
  serviceErrors: string[];
  seconds: { pipeline: number; service: number };
}

function selectKinds(names?: string[]): readonly Mutation[] {
  if (!names?.length) return MUTATIONS;
  const unknown = names.filter((n) => !MUTATIONS.some((m) => m.kind === n));
  if (unknown.length) throw new Error(`unknown mutation kind(s): ${unknown.join(', ')}`);
  return MUTATIONS.filter((m) => names.includes(m.kind));
}

/** Generates the run's messages one at a time (big ones are never all in memory). */
function* messages(o: FuzzOptions, seeds: SeedMail[], limits: MailLimits): Generator<FuzzMessage> {
  const kinds = selectKinds(o.kinds);
  if (o.only !== undefined) {
    yield generate(seeds, limits, o.seed, o.only, kinds);
    return;
  }
  for (let i = 0; i < o.count; i++) yield generate(seeds, limits, o.seed, i, kinds);
}

/** Runs every message through the pipeline and/or the service and tallies how each ended. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const limits = o.limits ?? loadConfig().limits;
  const seeds = o.seeds ?? (await loadSeeds({ corpora: o.corpora, corpusMax: o.corpusMax }));
  const log = o.progress ?? (() => undefined);
  const report: FuzzReport = { seeds: seeds.length, pipeline: null, service: null, serviceMode: null, serviceDeaths: 0, serviceErrors: [], seconds: { pipeline: 0, service: 0 } };

  if (o.pipeline) {
    const t0 = Date.now();
    const tally = new Tally();
    const runner = new PipelineRunner({ deadlineMs: o.deadlineMs });
    try {
      for (const m of messages(o, seeds, limits)) {
        tally.add(await runner.run(m));
        if ((m.index + 1) % 1000 === 0) log(`pipeline: ${m.index + 1} messages, ${tally.bad} bad`);
      }
    } finally {
      await runner.close();
    }
    report.pipeline = tally;
    report.seconds.pipeline = (Date.now() - t0) / 1000;
  }

  if (o.service !== 'none') {
    const t0 = Date.now();
    const tally = new Tally();
    const svc = new ServiceRunner({ redisUrl: o.service === 'redis' ? o.redisUrl : undefined, deadlineMs: o.deadlineMs });
    report.serviceMode = svc.mode;
    let ok = false;
    try {
      await svc.start();
      const it = messages(o, seeds, limits);
      let sent = 0;
      const lane = async () => {
        for (let n = it.next(); !n.done; n = it.next()) {
          const out = await svc.send(n.value);
          if (out) tally.add(out);
          if (++sent % 1000 === 0) log(`service: ${sent} messages sent, ${tally.bad} bad`);
        }
      };
      await Promise.all(Array.from({ length: o.concurrency }, lane));
      for (const out of await svc.finish()) tally.add(out);
      report.serviceDeaths = svc.deaths;
      report.serviceErrors = svc.errorLines();
      ok = tally.bad === 0 && !svc.deaths && !report.serviceErrors.length;
    } finally {
      await svc.close({ keepLog: !ok });
      if (!ok) log(`service log kept: ${svc.logFile}`);
    }
    report.service = tally;
    report.seconds.service = (Date.now() - t0) / 1000;
  }
  return report;
}

/** True when nothing crashed, hung or was lost. */
export function passed(r: FuzzReport): boolean {
  return (r.pipeline?.bad ?? 0) === 0 && (r.service?.bad ?? 0) === 0 && r.serviceDeaths === 0 && r.serviceErrors.length === 0;
}

function writeMessages(o: FuzzOptions, dir: string, seeds: SeedMail[], limits: MailLimits): number {
  let n = 0;
  for (const m of messages(o, seeds, limits)) {
    mkdirSync(path.join(dir, m.kind), { recursive: true });
    writeFileSync(path.join(dir, m.kind, `${m.index}.eml`), m.raw);
    n++;
  }
  return n;
}

export async function fuzzMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      count: { type: 'string', default: '10000' },
      seed: { type: 'string', default: 'ballotwatch' },
      service: { type: 'string', default: 'embedded' },
      'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/0' },
      'no-pipeline': { type: 'boolean', default: false },
      kinds: { type: 'string' },
      only: { type: 'string' },
      corpus: { type: 'string', multiple: true, default: [] },
      'corpus-max': { type: 'string', default: '2000' },
      'deadline-ms': { type: 'string', default: '60000' },
      concurrency: { type: 'string', default: '4' },
      json: { type: 'string' },
      write: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${FUZZ_USAGE}\n`);
    return 0;
  }
  const int = (name: string, v: string, min = 1) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not "${v}"`);
    return n;
  };
  const service = values.service;
  if (service !== 'embedded' && service !== 'redis' && service !== 'none') throw new Error(`--service must be embedded, redis or none, not "${service}"`);
  const o: FuzzOptions = {
    count: int('count', values.count),
    seed: values.seed,
    service,
    redisUrl: values['redis-url'],
    pipeline: !values['no-pipeline'],
    kinds: values.kinds?.split(',').map((s) => s.trim()).filter(Boolean),
    only: values.only === undefined ? undefined : int('only', values.only, 0),
    corpora: values.corpus,
    corpusMax: int('corpus-max', values['corpus-max']),
    deadlineMs: int('deadline-ms', values['deadline-ms']),
    concurrency: int('concurrency', values.concurrency),
    progress: (l) => process.stderr.write(`fuzz: ${l}\n`),
  };
  selectKinds(o.kinds);
  if (values.write) {
    const seeds = await loadSeeds({ corpora: o.corpora, corpusMax: o.corpusMax });
    const n = writeMessages(o, values.write, seeds, loadConfig().limits);
    process.stdout.write(`wrote ${n} messages under ${values.write}\n`);
    return 0;
  }
  const r = await runFuzz(o);
  const head = `seed "${o.seed}", ${o.only !== undefined ? `message ${o.only}` : `${o.count} messages`}, ${r.seeds} seed mails`;
  process.stdout.write(`ballotwatch fuzz: ${head}\n\n`);
  if (r.pipeline) process.stdout.write(`${r.pipeline.format(`PIPELINE (the CLI's Scanner.scan on a thread), ${r.seconds.pipeline.toFixed(0)} s`)}\n\n`);
  if (r.service) process.stdout.write(`${r.service.format(`SERVICE (${r.serviceMode}, HTTP POST /v1/messages), ${r.seconds.service.toFixed(0)} s; service process deaths: ${r.serviceDeaths}; error log lines: ${r.serviceErrors.length}`)}\n\n`);
  for (const [name, t] of [
    ['pipeline', r.pipeline],
    ['service', r.service],
  ] as const) {
    for (const f of t?.failures.slice(0, 50) ?? []) process.stdout.write(`${name} FAILURE #${f.index} ${f.kind} (${f.variant}): ${f.outcome}: ${f.detail}\n`);
  }
  for (const l of r.serviceErrors.slice(0, 20)) process.stdout.write(`service error log: ${l.slice(0, 400)}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ seed: o.seed, count: o.count, ...r }, null, 1));
  const ok = passed(r);
  process.stdout.write(ok ? 'PASS: no crash, no hung job, no lost message\n' : 'FAIL: see the failures above\n');
  return ok ? 0 : 1;
}

if (require.main === module) {
  fuzzMain(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`fuzz: ${err instanceof Error ? err.message : String(err)}\n\n${FUZZ_USAGE}\n`);
      process.exitCode = 2;
    },
  );
}

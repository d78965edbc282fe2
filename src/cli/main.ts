import { parseArgs } from 'node:util';
import { ModelError } from '../classifier/model-file';
import { ConfigError } from '../config';
import { CorpusError } from '../corpus/read-corpus';
import { SIGNALS } from '../features';
import { runCorpus } from './corpus-command';
import { runEval } from './eval-command';
import { runScan } from './scan-command';
import { runFeedbackExport } from './feedback-command';
import { runKeys, runServe } from './serve-command';
import { runTrain } from './train-command';

const USAGE = `usage: ballotwatch <command> [options]

  scan PATH... [--json] [--model FILE]
      PATH is a message file, a folder (recursively) or - for stdin.
  train --corpus DIR... --out FILE [--version V] [--redact STR]... [--folds N] [--signal-floor X]
      DIR holds label folders (ham, spam, intimidation, disinformation) of raw messages.
  eval --corpus DIR [--json] [--model FILE]
      per-category precision/recall/F1, ham FPR, ROC AUC, confusion matrix, share suspicious.
  serve [--role api|worker|all] [--port N]
      runs the HTTP service. With REDIS_URL: the API and/or a BullMQ worker (ROLE); without it:
      one process with an embedded SQLite store in BALLOTWATCH_DATA_DIR.
  keys create --role gateway|analyst|admin
      prints a new API key and its BALLOTWATCH_API_KEYS entry (role:sha256hex).
  feedback export --out DIR [--since T]
      writes analysts' corrections as a labelled corpus (DIR/<label>/<id>.eml) for train --corpus.
  signals
      lists every signal: id, group, description.
  corpus --shared DIR --out DIR
      prepares ../shared/corpora as a labelled corpus split 70/30 into train/ and test/.

Configuration comes from PORT, REDIS_URL, ROLE and BALLOTWATCH_* environment variables (see README.md).`;

export class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `ballotwatch scan DIR | head`: the reader went away; stop quietly, as Unix tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    switch (command) {
      case 'scan':
        return await runScan(parse(rest, { json: { type: 'boolean' }, model: { type: 'string' }, help: { type: 'boolean' } }));
      case 'train':
        return await runTrain(
          parse(rest, {
            corpus: { type: 'string', multiple: true },
            out: { type: 'string' },
            version: { type: 'string' },
            redact: { type: 'string', multiple: true },
            folds: { type: 'string' },
            'min-token-docs': { type: 'string' },
            'signal-floor': { type: 'string' },
          }),
        );
      case 'eval':
        return await runEval(parse(rest, { corpus: { type: 'string', multiple: true }, json: { type: 'boolean' }, model: { type: 'string' }, out: { type: 'string' } }));
      case 'serve':
        return await runServe(parse(rest, { role: { type: 'string' }, port: { type: 'string' } }));
      case 'keys':
        return runKeys(parse(rest, { role: { type: 'string' } }));
      case 'feedback':
        return await runFeedbackExport(parse(rest, { out: { type: 'string' }, since: { type: 'string' } }));
      case 'signals':
        for (const d of SIGNALS) process.stdout.write(`${d.id}\t${d.group}\t${d.description}\n`);
        return 0;
      case 'corpus':
        return runCorpus(parse(rest, { shared: { type: 'string' }, out: { type: 'string' } }));
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err: unknown) {
    const code = (err as { code?: unknown } | null)?.code;
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof CorpusError || err instanceof ModelError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`ballotwatch: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
}

type Spec = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

function parse(args: string[], options: Spec): Parsed {
  return parseArgs({ args, options, allowPositionals: true, strict: true }) as Parsed;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function strs(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

export function num(p: Parsed, name: string, dflt: number): number {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0, not "${v}"`);
  return n;
}

export function int(p: Parsed, name: string, dflt: number): number {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number, not "${v}"`);
  return n;
}

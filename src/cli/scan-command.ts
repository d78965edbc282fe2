import { readFileSync, statSync } from 'node:fs';
import { loadConfig } from '../config';
import { CorpusError, splitMbox } from '../corpus/read-corpus';
import { Scanner, type ScanResult } from '../pipeline';
import { UsageError, str, type Parsed } from './main';
import { listInputs } from '../corpus/list-files';

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

export function jsonLine(file: string, r: ScanResult): string {
  return JSON.stringify({
    file,
    verdict: r.verdict,
    category: r.category,
    score: r.score,
    scores: r.scores,
    signals: r.signals,
    clues: r.clues,
    model: r.model,
    ms: r.ms,
    action: r.action,
    headers: r.headers,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
  });
}

export function humanLines(file: string, r: ScanResult): string {
  if (r.verdict === 'unscanned') return `${file}: UNSCANNED (${r.reason?.code}: ${r.reason?.message})`;
  const head = `${file}: ${r.verdict.toUpperCase()} ${r.category} score=${r.score?.toFixed(3)} (${r.ms} ms)`;
  const reasons = r.signals
    .filter((s) => s.strength > 0)
    .map((s) => `  ${s.id} strength=${s.strength} contribution=${s.contribution >= 0 ? '+' : ''}${s.contribution}: ${s.evidence}`);
  const clues = r.clues.length ? [`  clues: ${r.clues.map((c) => `${c.token} (${c.prob})`).join(', ')}`] : [];
  const notes = r.warnings.map((w) => `  warning ${w.code}: ${w.message}`);
  return [head, ...reasons, ...clues, ...notes].join('\n');
}

export async function runScan(p: Parsed): Promise<number> {
  if (p.values.help) {
    process.stdout.write('usage: ballotwatch scan PATH... [--json] [--model FILE]\n');
    return 0;
  }
  if (p.positionals.length === 0) throw new UsageError('scan needs at least one PATH (a file, a folder, or - for stdin)');
  const scanner = Scanner.fromConfig(loadConfig(), str(p, 'model'));
  const json = !!p.values.json;
  const emit = (file: string, r: ScanResult) => process.stdout.write(`${json ? jsonLine(file, r) : humanLines(file, r)}\n`);
  let failed = 0;
  for (const path of p.positionals) {
    if (path === '-') {
      emit('-', await scanner.scan(await readStdin()));
      continue;
    }
    try {
      statSync(path);
    } catch {
      process.stderr.write(`ballotwatch: ${path}: no such file or folder\n`);
      failed++;
      continue;
    }
    const files = listInputs(path);
    let done = 0;
    for (const file of files) {
      // One unreadable file or broken mbox is reported and skipped; the scan goes on.
      try {
        const buf = readFileSync(file);
        if (/\.mbox(\.gz)?$/.test(file)) {
          let i = 0;
          for (const m of splitMbox(buf)) emit(`${file}#${i++}`, await scanner.scan(m));
        } else emit(file, await scanner.scan(buf));
      } catch (err: unknown) {
        if (!(err instanceof CorpusError) && !(err instanceof Error && 'code' in err)) throw err;
        const message = err instanceof Error ? err.message : String(err);
        emit(file, scanner.unscanned({ code: 'unreadable', message }, 0, 0));
        failed++;
      }
      if (++done % 1000 === 0 && files.length > 2000) process.stderr.write(`scanned ${done}/${files.length}\n`);
    }
  }
  return failed ? 1 : 0;
}

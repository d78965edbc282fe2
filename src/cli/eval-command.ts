import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config';
import { readCorpus } from '../corpus/read-corpus';
import { Scanner, type ScanResult } from '../pipeline';
import type { Category } from '../classifier/categories';
import { evaluate, formatReport } from '../scoring/evaluate';
import { UsageError, str, strs, type Parsed } from './main';

export async function runEval(p: Parsed): Promise<number> {
  const corpora = strs(p, 'corpus');
  if (corpora.length === 0) throw new UsageError('eval needs --corpus DIR');
  const scanner = Scanner.fromConfig(loadConfig(), str(p, 'model'));
  const reports: Record<string, ReturnType<typeof evaluate>> = {};
  for (const dir of corpora) {
    const rows: { key: string; label: Category; result: ScanResult }[] = [];
    const t0 = Date.now();
    for (const item of readCorpus(dir)) {
      rows.push({ key: item.key, label: item.label, result: await scanner.scan(item.raw) });
      if (rows.length % 1000 === 0) process.stderr.write(`eval ${dir}: ${rows.length} scanned\n`);
    }
    const seconds = (Date.now() - t0) / 1000;
    const report = evaluate(rows);
    reports[dir] = report;
    const misses = rows
      .filter((r) => (r.label === 'ham') !== (r.result.verdict === 'clean'))
      .map((r) => ({ key: r.key, label: r.label, verdict: r.result.verdict, category: r.result.category, score: r.result.score, signals: r.result.signals.map((s) => s.id) }));
    const outFile = str(p, 'out');
    if (outFile) writeFileSync(`${outFile}.${corpora.indexOf(dir)}.misses.json`, JSON.stringify(misses, null, 1));
    if (p.values.json) process.stdout.write(`${JSON.stringify({ corpus: dir, model: scanner.model.version, seconds, messagesPerSecond: Math.round(rows.length / seconds), ...report })}\n`);
    else process.stdout.write(`${formatReport(`${dir} (model ${scanner.model.version})`, report)}\nthroughput: ${Math.round(rows.length / seconds)} msg/s over ${seconds.toFixed(1)} s\n\n`);
  }
  return 0;
}

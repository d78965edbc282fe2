import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../config';
import { saveModel } from '../classifier/model-file';
import { train } from '../classifier/train';
import { readCorpus, type CorpusItem } from '../corpus/read-corpus';
import { loadRegistry } from '../features';
import { UsageError, int, num, str, strs, type Parsed } from './main';

export async function runTrain(p: Parsed): Promise<number> {
  const corpora = strs(p, 'corpus');
  const out = str(p, 'out');
  if (corpora.length === 0 || !out) throw new UsageError('train needs --corpus DIR (one or more) and --out FILE');
  const config = loadConfig();
  const version = str(p, 'version') ?? new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  function* items(): Generator<CorpusItem> {
    for (const dir of corpora) yield* readCorpus(dir);
  }
  const { model, report } = await train(items(), {
    config,
    registry: loadRegistry(config.registryFile),
    version,
    redact: strs(p, 'redact'),
    folds: int(p, 'folds', 5),
    minTokenDocs: int(p, 'min-token-docs', 2),
    signalFloor: num(p, 'signal-floor', 1),
    sources: { corpora },
    onProgress: (n, stage) => process.stderr.write(`train: ${n} ${stage}\n`),
  });
  mkdirSync(dirname(out), { recursive: true });
  saveModel(model, out);
  process.stdout.write(`${JSON.stringify({ out, version, ...report, skipped: report.skipped.length, skippedExamples: report.skipped.slice(0, 5) }, null, 2)}\n`);
  return 0;
}

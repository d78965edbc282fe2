import { prepareShared } from '../corpus/prepare-shared';
import { UsageError, str, type Parsed } from './main';

export function runCorpus(p: Parsed): number {
  const shared = str(p, 'shared');
  const out = str(p, 'out');
  if (!shared || !out) throw new UsageError('corpus needs --shared DIR (../shared/corpora) and --out DIR');
  const counts = prepareShared(shared, out);
  process.stdout.write(`${JSON.stringify(counts, null, 2)}\n`);
  return 0;
}

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { BAYES_CLASSES, type BayesClass } from '../classifier/categories';
import { MODELS_DIR, modelInfo, parseModel } from '../classifier/model-file';
import type { ScanConfig } from '../config';
import { Scanner } from '../pipeline';
import type { ModelStore } from '../store/model-store';

/** How often a worker checks the active version even without a notice (a missed pub/sub message). */
export const VERSION_CHECK_MS = 5_000;

/**
 * Puts the shipped model files into the model store: each version not yet there is added (a new
 * release's model arrives as a candidate), and on a deployment's first start the configured model
 * (BALLOTWATCH_MODEL) or else the newest shipped one becomes active. Once a deployment has an
 * active version, only admins change it.
 */
export async function seedModels(models: ModelStore, opts: { modelPath?: string; dir?: string; log?: Logger }): Promise<string> {
  const dir = opts.dir ?? MODELS_DIR;
  const files = opts.modelPath ? [opts.modelPath] : readdirSync(dir).filter((f) => /^ballotwatch-.+\.json\.gz$/.test(f)).sort().map((f) => join(dir, f));
  let newest: string | null = null;
  for (const file of files) {
    const named = /^ballotwatch-(.+)\.json\.gz$/.exec(basename(file))?.[1];
    if (named && (await models.get(named))) {
      newest = named;
      continue;
    }
    const blob = readFileSync(file);
    const m = modelInfo(blob, file);
    newest = m.version;
    if (await models.get(m.version)) continue;
    const counts = Object.fromEntries(BAYES_CLASSES.map((c, i) => [c, m.docs[i]])) as Record<BayesClass, number>;
    await models.put({ version: m.version, createdAt: Date.parse(m.createdAt) || Date.now(), source: 'shipped', parent: null, trainedBy: null, counts, metrics: null, gate: null, training: m.training, bytes: blob.length }, blob);
  }
  if (!newest) throw new Error(`no model file in ${dir}`);
  if (await models.activateIfNone(newest)) {
    await models.audit({ at: Date.now(), action: 'seed', by: 'system', version: newest, details: { file: files[files.length - 1] } });
    opts.log?.info({ version: newest }, 'first start: activated the shipped model');
  }
  return (await models.active()) as string;
}

/**
 * The scanner a worker uses, kept on the active version: a pub/sub notice from any process's
 * activation swaps it within moments, and a version check every few seconds covers a missed
 * notice. A job in flight keeps the scanner it started with; the next job gets the new one.
 */
export class ActiveScanner {
  private scanner: Scanner;
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;

  private constructor(
    private readonly models: ModelStore,
    private readonly config: ScanConfig,
    private readonly log: Logger,
    first: Scanner,
    private readonly onSwap: (version: string) => void,
  ) {
    this.scanner = first;
  }

  static async start(models: ModelStore, config: ScanConfig, log: Logger, onSwap: (version: string) => void = () => undefined): Promise<ActiveScanner> {
    const version = await models.active();
    if (!version) throw new Error('no active model in the model store');
    const a = new ActiveScanner(models, config, log, await load(models, version, config), onSwap);
    a.unsubscribe = await models.onActivate(() => void a.refresh());
    a.timer = setInterval(() => void a.refresh(), VERSION_CHECK_MS);
    a.timer.unref();
    return a;
  }

  get current(): Scanner {
    return this.scanner;
  }

  get version(): string {
    return this.scanner.model.version;
  }

  /** Loads the active version if it is not the one in use. */
  refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const version = await this.models.active();
        if (!version || version === this.scanner.model.version) return;
        const t0 = Date.now();
        this.scanner = await load(this.models, version, this.config);
        this.log.info({ version, ms: Date.now() - t0 }, 'switched to the active model');
        this.onSwap(version);
      } catch (err: unknown) {
        this.log.error({ err: (err as Error).message }, 'could not load the active model; still scoring with the previous one');
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.unsubscribe?.();
  }
}

async function load(models: ModelStore, version: string, config: ScanConfig): Promise<Scanner> {
  const blob = await models.blob(version);
  if (!blob) throw new Error(`model ${version} is active but its file is not in the store`);
  return new Scanner(parseModel(blob, `model ${version}`), config);
}

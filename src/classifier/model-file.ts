import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { HEADER_TOKEN, SparseBayes } from './bayes';
import { BAYES_CLASSES, CATEGORIES } from './categories';
import type { CombinerModel } from '../scoring/combiner';

/**
 * Model files: gzipped JSON, `models/ballotwatch-<version>.json.gz`, one per version (never
 * overwritten), validated with zod on load. The vocabulary is one newline-joined string and the
 * counts one base64 int32 array: JSON arrays of 200k strings and 1M numbers took 227 ms to load
 * cold; two long strings parse in a fraction of that.
 */
export const MODEL_FORMAT = 'ballotwatch-model/3';

const modelSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.string().min(1),
  createdAt: z.string(),
  training: z.record(z.string(), z.unknown()),
  bayes: z.object({
    options: z.object({ unknownWordStrength: z.number(), unknownWordProb: z.number(), minProbStrength: z.number(), maxDiscriminators: z.number().int() }),
    classes: z.array(z.string()),
    docs: z.array(z.number().int().nonnegative()),
    /** Every token, joined by "\n" (tokens never contain a newline). */
    tokens: z.string(),
    /** Class counts per token (token-major), little-endian int32, base64. */
    counts: z.string(),
  }),
  combiner: z.object({ features: z.array(z.string()), weights: z.array(z.array(z.number())) }),
});

export interface Model {
  version: string;
  createdAt: string;
  training: Record<string, unknown>;
  bayes: SparseBayes;
  combiner: CombinerModel;
}

export function serializeModel(m: Model): Buffer {
  const bad = m.bayes.tokens.find((t) => t.includes('\n'));
  if (bad !== undefined) throw new ModelError(`token ${JSON.stringify(bad)} contains a newline`);
  const K = BAYES_CLASSES.length;
  const c = m.bayes.counts.subarray(0, m.bayes.tokens.length * K);
  const counts = Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64');
  const json = {
    format: MODEL_FORMAT,
    version: m.version,
    createdAt: m.createdAt,
    training: m.training,
    bayes: { options: m.bayes.options, classes: [...BAYES_CLASSES], docs: Array.from(m.bayes.docs), tokens: m.bayes.tokens.join('\n'), counts },
    combiner: m.combiner,
  };
  return gzipSync(JSON.stringify(json), { level: 9 });
}

export function saveModel(m: Model, path: string): void {
  writeFileSync(path, serializeModel(m));
}

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** The JSON of a model file (gzipped or not), or a ModelError naming the source. */
function readJson(buf: Buffer, source: string): unknown {
  try {
    return JSON.parse((buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8'));
  } catch (err: unknown) {
    throw new ModelError(`${source} is not a ballotwatch model: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function parseModel(buf: Buffer, source = 'model'): Model {
  const p = modelSchema.safeParse(readJson(buf, source));
  if (!p.success) throw new ModelError(`${source} is not a valid ${MODEL_FORMAT} file: ${p.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const d = p.data;
  const K = BAYES_CLASSES.length;
  if (d.bayes.classes.join() !== BAYES_CLASSES.join()) throw new ModelError(`${source}: class order ${d.bayes.classes.join()} is not ${BAYES_CLASSES.join()}`);
  const tokens = d.bayes.tokens === '' ? [] : d.bayes.tokens.split('\n');
  const bytes = Buffer.from(d.bayes.counts, 'base64');
  if (bytes.length !== tokens.length * K * 4) throw new ModelError(`${source}: ${bytes.length / 4} counts for ${tokens.length} tokens`);
  if (d.combiner.weights.length !== CATEGORIES.length || d.combiner.weights.some((w) => w.length !== d.combiner.features.length)) throw new ModelError(`${source}: combiner weights do not match its features`);
  const bayes = new SparseBayes(d.bayes.options);
  bayes.docs.set(d.bayes.docs);
  const counts = new Int32Array(tokens.length * K);
  if (endianness() === 'LE') Buffer.from(counts.buffer).set(bytes);
  else for (let i = 0; i < counts.length; i++) counts[i] = bytes.readInt32LE(i * 4);
  bayes.counts = counts;
  bayes.headerMask = new Uint8Array(Math.max(1024, tokens.length));
  for (let i = 0; i < tokens.length; i++) {
    bayes.vocab.set(tokens[i], i);
    bayes.tokens.push(tokens[i]);
    if (HEADER_TOKEN.test(tokens[i])) bayes.headerMask[i] = 1;
  }
  bayes.recomputeTotals();
  return { version: d.version, createdAt: d.createdAt, training: d.training, bayes, combiner: d.combiner };
}

/** A model file's header (version, date, training notes, learned counts) without building its vocabulary. */
export function modelInfo(buf: Buffer, source = 'model'): { version: string; createdAt: string; training: Record<string, unknown>; docs: number[] } {
  const p = modelSchema.safeParse(readJson(buf, source));
  if (!p.success) throw new ModelError(`${source} is not a valid ${MODEL_FORMAT} file`);
  return { version: p.data.version, createdAt: p.data.createdAt, training: p.data.training, docs: p.data.bayes.docs };
}

export function loadModel(path: string): Model {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err: unknown) {
    throw new ModelError(`cannot read model ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseModel(buf, path);
}

/** The repository's models/ folder (works from src/ under ts and from dist/ when compiled). */
export const MODELS_DIR = resolve(__dirname, '..', '..', 'models');

/** The newest shipped model: highest version by name among models/ballotwatch-*.json.gz. */
export function defaultModelPath(dir = MODELS_DIR): string {
  const files = readdirSync(dir).filter((f) => /^ballotwatch-.+\.json\.gz$/.test(f)).sort();
  if (files.length === 0) throw new ModelError(`no model in ${dir}: build one with \`npm run model:build\``);
  return join(dir, files[files.length - 1]);
}

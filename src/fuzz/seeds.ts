import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listInputs } from '../corpus/list-files';
import { splitMbox } from '../corpus/read-corpus';
import { DEFAULT_LIMITS, parseEmail } from '../mail';
import { headerEnd } from '../mail/limits';

/** A real or fixture message the mutations start from. */
export interface SeedMail {
  name: string;
  raw: Buffer;
  /** Its header lines without the MIME ones (Content-*, MIME-Version), CRLF-terminated: for rebuilt messages. */
  headers: string;
  subject: string;
  /** Its readable text (plain part, else the rendered HTML), for rebuilt bodies. */
  text: string;
  /** The label folder it came from (`intimidation`, `ham`, …), or '' when unlabelled. */
  label: string;
}

/** The project's own fixtures: next to src/ and dist/ in a checkout (not shipped in the npm package). */
export function fixturesDir(): string {
  return path.resolve(__dirname, '..', '..', 'fixtures');
}

/** Folders the default seeds come from: labelled training mail and the scenario and malformed specimens. */
export const DEFAULT_SEED_DIRS = ['mail', 'election'];

const MIME_HEADER = /^(content-[\w-]+|mime-version)\s*:/i;
const LABELS = /(?:^|\/)(ham|spam|intimidation|disinformation)\//;

/** Header lines of `raw` (unfolded continuation lines kept with their header) minus the MIME ones. */
export function plainHeaders(raw: Buffer): string {
  const { end } = headerEnd(raw);
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const out: string[] = [];
  let skipping = false;
  for (const line of head.split(/\r?\n/)) {
    if (/^From /.test(line) && !out.length) continue;
    if (/^[ \t]/.test(line)) {
      if (!skipping && out.length) out[out.length - 1] += `\r\n${line}`;
      continue;
    }
    skipping = MIME_HEADER.test(line);
    if (!skipping && line) out.push(line);
  }
  return out.map((l) => `${l}\r\n`).join('');
}

export async function toSeed(name: string, raw: Buffer): Promise<SeedMail> {
  let subject = '';
  let text = '';
  try {
    const m = await parseEmail(raw, DEFAULT_LIMITS);
    subject = m.subject;
    text = m.text.trim() ? m.text : m.htmlText;
  } catch {
    // Malformed specimens are still good seeds for byte-level mutations.
  }
  return { name, raw, headers: plainHeaders(raw), subject, text, label: LABELS.exec(name)?.[1] ?? '' };
}

/**
 * Loads the seeds: the fixtures (always, when present) and, optionally, up to `corpusMax` messages
 * from each corpus folder (e.g. ../shared/corpora), taken at an even stride so a large corpus is
 * sampled across its folders, in a stable order.
 */
export async function loadSeeds(opts: { corpora?: string[]; corpusMax?: number; fixtures?: string } = {}): Promise<SeedMail[]> {
  const seeds: SeedMail[] = [];
  const root = opts.fixtures ?? fixturesDir();
  for (const dir of DEFAULT_SEED_DIRS) {
    const p = path.join(root, dir);
    if (!existsSync(p)) continue;
    for (const f of listInputs(p)) seeds.push(await toSeed(path.relative(root, f), readFileSync(f)));
  }
  for (const corpus of opts.corpora ?? []) {
    const files = listInputs(corpus);
    const max = opts.corpusMax ?? 2000;
    const stride = Math.max(1, Math.floor(files.length / max));
    let taken = 0;
    for (let i = 0; i < files.length && taken < max; i += stride) {
      const f = files[i];
      const buf = readFileSync(f);
      const msgs = /\.mbox(\.gz)?$/.test(f) ? splitMbox(buf).slice(0, 5) : [buf];
      for (const m of msgs) {
        if (m.length > 2 * 1024 * 1024) continue;
        seeds.push(await toSeed(path.relative(corpus, f), m));
        taken++;
      }
    }
  }
  if (!seeds.length) throw new Error(`no seed messages: no fixtures under ${root} and no --corpus given`);
  return seeds;
}

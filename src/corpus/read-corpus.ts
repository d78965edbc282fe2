import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { listInputs } from './list-files';
import { CATEGORIES, type Category } from '../classifier/categories';

/** A corpus path that cannot be read as labelled folders. */
export class CorpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** One labelled raw message from a corpus folder. */
export interface CorpusItem {
  /** Path of the file (plus `#N` for the N-th message of an mbox). */
  key: string;
  label: Category;
  raw: Buffer;
}

/** Splits an mbox (or mbox.gz) into messages at "From " lines that follow a blank line or start the file. */
/** Largest decompressed mbox accepted (a gzip bomb must not exhaust memory). */
export const MAX_MBOX_BYTES = 512 * 1024 * 1024;

export function splitMbox(buf: Buffer): Buffer[] {
  let data = buf;
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      data = gunzipSync(buf, { maxOutputLength: MAX_MBOX_BYTES });
    } catch (err: unknown) {
      throw new CorpusError(`cannot decompress mbox: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const s = data.toString('latin1');
  const starts: number[] = [];
  // Bytes before the first "From " line are a message too (never drop them silently).
  if (!s.startsWith('From ') && s.trim()) starts.push(0);
  if (s.startsWith('From ')) starts.push(0);
  for (let i = s.indexOf('\nFrom '); i >= 0; i = s.indexOf('\nFrom ', i + 1)) {
    if (i === 0 || s[i - 1] === '\n' || (s[i - 1] === '\r' && s[i - 2] === '\n')) starts.push(i + 1);
  }
  const out: Buffer[] = [];
  for (let k = 0; k < starts.length; k++) {
    const end = k + 1 < starts.length ? starts[k + 1] : data.length;
    const msg = data.subarray(starts[k], end);
    // Un-escape mboxrd ">From " lines.
    out.push(Buffer.from(msg.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1'));
  }
  return out;
}

/**
 * Reads a corpus folder: subfolders named by label (`ham`, `spam`, `intimidation`,
 * `disinformation`) holding raw messages, one per file, or mbox files (`*.mbox`, `*.mbox.gz`).
 * Other subfolders are ignored; a corpus with no label folder is an error.
 */
export function* readCorpus(dir: string): Generator<CorpusItem> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CorpusError(`${dir} is not a folder`);
  const labels = readdirSync(dir).filter((d) => (CATEGORIES as readonly string[]).includes(d) && statSync(join(dir, d)).isDirectory());
  if (labels.length === 0) throw new CorpusError(`${dir} has no label folder (${CATEGORIES.join(', ')})`);
  for (const label of labels as Category[]) {
    for (const file of listInputs(join(dir, label))) {
      const buf = readFileSync(file);
      if (/\.mbox(\.gz)?$/.test(file)) {
        let i = 0;
        for (const raw of splitMbox(buf)) yield { key: `${relative(dir, file)}#${i++}`, label, raw };
      } else yield { key: relative(dir, file), label, raw: buf };
    }
  }
}

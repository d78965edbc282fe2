import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ScanResult } from '../pipeline';
import type { FuzzMessage } from './mutations';
import type { Outcome } from './tally';

/** The compiled scoring thread of embedded mode (dist/queue/scan-thread.js): the CLI's Scanner.scan, off this thread. */
function threadScript(): string {
  const here = path.join(__dirname, '..', 'queue', 'scan-thread.js');
  return existsSync(here) ? here : path.resolve(__dirname, '../../dist/queue/scan-thread.js');
}

const VERDICTS = new Set(['clean', 'suspicious', 'flagged']);

/** What a result says, or why it is not an acceptable result (a crash of the pipeline in disguise). */
export function classifyResult(r: ScanResult): Pick<Outcome, 'outcome' | 'detail'> {
  if (r.verdict === 'unscanned') {
    if (!r.reason?.code) return { outcome: 'crash', detail: 'unscanned without a reason' };
    // Scanner.scan turns an unexpected exception into `internal_error`: that is a caught crash.
    if (r.reason.code === 'internal_error') return { outcome: 'crash', detail: `internal_error: ${r.reason.message}` };
    return { outcome: 'unscanned', detail: r.reason.code };
  }
  if (!VERDICTS.has(r.verdict)) return { outcome: 'crash', detail: `unknown verdict ${String(r.verdict)}` };
  const nums = [r.score, ...Object.values(r.scores ?? {})];
  if (!r.scores || nums.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 1)) {
    return { outcome: 'crash', detail: `scores out of range: ${JSON.stringify(r.scores)}` };
  }
  return { outcome: 'scored', detail: r.verdict };
}

/**
 * Runs messages through the scanning pipeline (the code `ballotwatch scan` runs) on a worker
 * thread, so a message that hangs the parser or a regex can be timed out: after `deadlineMs` the
 * thread is terminated, the message counts as hung and a fresh thread takes the next one. A thread
 * that dies or an exception that escapes Scanner.scan counts as a crash.
 */
export class PipelineRunner {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private reply: ((m: { result?: ScanResult; error?: string; exit?: string }) => void) | null = null;
  private seq = 0;

  constructor(private readonly opts: { deadlineMs: number; modelPath?: string }) {}

  private start(): Promise<void> {
    const w = new Worker(threadScript(), { workerData: { modelPath: this.opts.modelPath } });
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('message', (m: { ready?: string }) => (m.ready ? resolve() : reject(new Error('scan thread did not start'))));
      w.once('error', reject);
    });
    w.on('message', (m: { seq?: number; result?: ScanResult; error?: string }) => {
      if (m.seq !== undefined && m.seq === this.seq) this.reply?.(m);
    });
    w.on('error', (e: Error) => this.reply?.({ exit: `thread error: ${e.message}` }));
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = null;
      this.reply?.({ exit: `thread exited with code ${code}` });
    });
    return this.ready;
  }

  async run(m: FuzzMessage): Promise<Outcome> {
    if (!this.worker) await this.start();
    const w = this.worker as Worker;
    const seq = ++this.seq;
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<{ result?: ScanResult; error?: string; exit?: string; timeout?: true }>((resolve) => {
      this.reply = resolve;
      timer = setTimeout(() => resolve({ timeout: true }), this.opts.deadlineMs);
      w.postMessage({ seq, raw: m.raw });
    });
    clearTimeout(timer);
    this.reply = null;
    const base = { index: m.index, kind: m.kind, variant: m.variant, ms: Date.now() - t0 };
    if (reply.timeout) {
      this.worker = null;
      await w.terminate();
      return { ...base, outcome: 'hung', detail: `no result after ${this.opts.deadlineMs} ms` };
    }
    if (reply.exit) {
      this.worker = null;
      return { ...base, outcome: 'crash', detail: reply.exit };
    }
    if (reply.error || !reply.result) return { ...base, outcome: 'crash', detail: `Scanner.scan threw: ${reply.error}` };
    return { ...base, ...classifyResult(reply.result) };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.reply = null;
    if (w) await w.terminate();
  }
}

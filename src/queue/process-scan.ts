import { domainOf } from '../mail/addresses';
import type { ScanResult } from '../pipeline';
import type { ResultStore } from '../store/types';

/** The raw message is gone (expired or deleted): the job can never be scored. */
export class RawMissingError extends Error {
  readonly code = 'raw_missing';
  constructor(id: string) {
    super(`raw message ${id} is no longer stored`);
    this.name = this.constructor.name;
  }
}

export interface ScanDeps {
  store: ResultStore;
  /** Scores raw bytes; never throws for bad mail (that is an `unscanned` result). */
  score(raw: Buffer): Promise<ScanResult>;
  now(): number;
}

/**
 * One job, the same for BullMQ and embedded mode: stored raw → result → store. Returns the result,
 * or null when the message had already been scored (a retried or duplicate job).
 */
export async function processScan(id: string, deps: ScanDeps): Promise<ScanResult | null> {
  const raw = await deps.store.getRaw(id);
  if (!raw) {
    const rec = await deps.store.get(id);
    if (rec?.status === 'done') return null;
    throw new RawMissingError(id);
  }
  const result = await deps.score(raw);
  let sender = result.message.from;
  if (!sender) sender = (await deps.store.get(id))?.envelope.mailFrom ?? null;
  const senderDomain = sender ? domainOf(sender) || null : null;
  const stored = await deps.store.complete(id, { result, simhash: result.message.simhash, senderDomain, scoredAt: deps.now() });
  return stored ? result : null;
}

import { parentPort, workerData } from 'node:worker_threads';
import { Scanner } from '../pipeline';

/**
 * Embedded mode's scoring thread: parsing and scoring run here, off the HTTP event loop, so
 * hostile mail cannot stall the API. Messages in: {seq, raw}; out: {seq, result} or {seq, error}.
 */
const scanner = Scanner.fromConfig(undefined, (workerData as { modelPath?: string } | null)?.modelPath);
parentPort?.postMessage({ ready: scanner.model.version });
parentPort?.on('message', (msg: { seq: number; raw: Uint8Array }) => {
  scanner.scan(Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength)).then(
    (result) => parentPort?.postMessage({ seq: msg.seq, result }),
    (err: unknown) => parentPort?.postMessage({ seq: msg.seq, error: err instanceof Error ? err.message : String(err) }),
  );
});

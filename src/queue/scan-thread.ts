import { parentPort, workerData } from 'node:worker_threads';
import { parseModel } from '../classifier/model-file';
import { loadConfig } from '../config';
import { Scanner } from '../pipeline';

/**
 * Embedded mode's scoring thread: parsing and scoring run here, off the HTTP event loop, so
 * hostile mail cannot stall the API. Messages in: {seq, raw} → out {seq, result} or {seq, error};
 * {swap: model file bytes} → out {swapped: version} (hot swap: the next message uses it).
 */
const data = workerData as { modelPath?: string; model?: Uint8Array } | null;
const config = loadConfig();
const fromBytes = (b: Uint8Array, what: string) => new Scanner(parseModel(Buffer.from(b.buffer, b.byteOffset, b.byteLength), what), config);
let scanner = data?.model ? fromBytes(data.model, 'active model') : Scanner.fromConfig(config, data?.modelPath);
parentPort?.postMessage({ ready: scanner.model.version });
parentPort?.on('message', (msg: { seq: number; raw: Uint8Array } | { swap: Uint8Array }) => {
  if ('swap' in msg) {
    try {
      scanner = fromBytes(msg.swap, 'new active model');
      parentPort?.postMessage({ swapped: scanner.model.version });
    } catch (err: unknown) {
      parentPort?.postMessage({ swapError: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  scanner.scan(Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength)).then(
    (result) => parentPort?.postMessage({ seq: msg.seq, result }),
    (err: unknown) => parentPort?.postMessage({ seq: msg.seq, error: err instanceof Error ? err.message : String(err) }),
  );
});

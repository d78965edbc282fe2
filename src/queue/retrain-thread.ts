import { parentPort, workerData } from 'node:worker_threads';
import { retrain, RetrainError, type RetrainWork } from '../classifier/retrain';

/**
 * A retrain runs on its own thread: training is seconds to minutes of CPU, and the process that
 * runs it also scores mail (a worker, or the embedded service). Messages out: {progress},
 * then {done} or {error}.
 */
const w = workerData as RetrainWork;
// Buffers arrive as Uint8Arrays after the structured clone.
w.activeBlob = Buffer.from(w.activeBlob);
for (const e of w.examples) e.raw = Buffer.from(e.raw);
retrain(w, (percent, phase) => parentPort?.postMessage({ progress: { percent, phase } })).then(
  (done) => parentPort?.postMessage({ done }),
  (err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err), refused: err instanceof RetrainError }),
);

import { retrain, type RetrainWork } from '../classifier/retrain';

/**
 * A retrain's own process (started niced by retrain-runner.ts): receives {work}, sends
 * {progress} messages, then {done} or {error}, and exits.
 */
process.once('message', (m: { work: RetrainWork }) => {
  const w = m.work;
  // Buffers arrive as Uint8Arrays after the structured clone.
  w.activeBlob = Buffer.from(w.activeBlob);
  for (const e of w.examples) e.raw = Buffer.from(e.raw);
  const send = (msg: unknown) => new Promise<void>((resolve) => process.send?.(msg, () => resolve()));
  retrain(w, (percent, phase) => void send({ progress: { percent, phase } })).then(
    async (done) => {
      await send({ done });
      process.exit(0);
    },
    async (err: unknown) => {
      await send({ error: err instanceof Error ? err.message : String(err) });
      process.exit(0);
    },
  );
});

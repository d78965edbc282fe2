import { distScript } from './dist-script';
import { existsSync } from 'node:fs';
import { spawn, type SpawnOptions } from 'node:child_process';
import type { Logger } from 'pino';
import { gate, type GateMargins, type RetrainBase, type RetrainExample, type RetrainOutcome, type RetrainWork } from '../classifier/retrain';
import type { ScanConfig } from '../config';
import type { ModelMeta, ModelStore, RetrainJob } from '../store/model-store';
import type { ResultStore } from '../store/types';

export interface LifecycleConfig {
  /** Folders of labelled mail every candidate is evaluated on (never trained on). */
  evalSet: string[];
  /** Relative corpus and eval-set paths are resolved against this folder. */
  root: string;
  margins: GateMargins;
}

export interface RetrainDeps {
  models: ModelStore;
  results: ResultStore;
  scan: ScanConfig;
  lifecycle: LifecycleConfig;
  log: Logger;
}


/** A new version name: date, time and a random suffix (versions are never reused). */
export function newVersion(now = new Date()): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '.')}-r${iso.slice(11, 19).replace(/:/g, '')}-${Math.random().toString(16).slice(2, 6)}`;
}

/**
 * Runs one retrain job, the same in both modes: gathers the examples (stored with the job, plus the
 * latest analyst label of each message with feedback since the given time), trains and evaluates on
 * a separate, niced process, stores the candidate, applies the gate, promotes or keeps it as a candidate,
 * and writes the audit log. Progress and the outcome go to the job record.
 */
export async function runRetrainJob(id: string, d: RetrainDeps, onProgress?: (percent: number) => void, signal?: AbortSignal): Promise<RetrainJob['result']> {
  const job = await d.models.getJob(id);
  if (!job) throw new Error(`no retrain job ${id}`);
  if (job.state === 'completed') return job.result;
  const errors: string[] = [];
  const update = async (percent: number, phase: string) => {
    await d.models.updateJob(id, { state: 'running', percent, phase, errors });
    onProgress?.(percent);
  };
  try {
    await update(1, 'gathering examples');
    const examples: RetrainExample[] = (await d.models.jobExamples(id)).map((e, i) => ({ label: e.label, raw: Buffer.from(e.raw, 'base64'), key: `request:${i + 1}` }));
    if (job.request.feedbackSince !== null) examples.push(...(await feedbackExamples(d.results, job.request.feedbackSince, errors)));
    const base: RetrainBase = job.request.base;
    if (!examples.length && base !== 'corpus') throw new Error('nothing to learn from: no examples in the request and no usable feedback in the time range');
    const activeVersion = await d.models.active();
    const activeBlob = activeVersion ? await d.models.blob(activeVersion) : null;
    if (!activeVersion || !activeBlob) throw new Error('there is no active model to train upon and compare with');
    const version = newVersion();
    const work: RetrainWork = { activeBlob, examples, base, corpusRoot: d.lifecycle.root, evalSet: d.lifecycle.evalSet, config: d.scan, version };
    await update(3, `training ${version} on ${examples.length} examples (base: ${base})`);
    const out = await inChildProcess(work, (p, phase) => void update(p, phase).catch(() => undefined), signal);
    for (const s of out.skipped.slice(0, 20)) errors.push(`skipped ${s.key}: ${s.reason}`);
    if (out.excludedAsEvalSet) errors.push(`${out.excludedAsEvalSet} examples are in the evaluation set and were not learned`);

    const decision = gate(out.metrics, out.activeMetrics, d.lifecycle.margins);
    const forced = !decision.passed && job.request.force;
    const meta: ModelMeta = {
      version,
      createdAt: Date.now(),
      source: 'retrain',
      parent: activeVersion,
      trainedBy: job.by,
      counts: out.learned,
      metrics: out.metrics,
      gate: { ...decision, forced },
      training: out.model.training,
      bytes: out.blob.length,
    };
    await d.models.put(meta, out.blob);
    await d.models.updateMeta(activeVersion, { metrics: out.activeMetrics }).catch(() => undefined);
    let promoted = false;
    let reason: string;
    if (decision.passed || forced) {
      await d.models.activate(version);
      promoted = true;
      reason = forced ? `promoted by force despite the gate: ${decision.reasons.join('; ')}` : `promoted: ${decision.reasons.join('; ')}`;
      if (forced) d.log.warn({ version, by: job.by, reasons: decision.reasons }, 'model promoted by force despite the gate');
      await d.models.audit({ at: Date.now(), action: 'promote', by: job.by, version, details: { job: id, previous: activeVersion, forced, reasons: decision.reasons } });
    } else {
      reason = `kept as a candidate: ${decision.reasons.join('; ')}`;
      await d.models.audit({ at: Date.now(), action: 'refuse', by: job.by, version, details: { job: id, active: activeVersion, reasons: decision.reasons } });
    }
    d.log.info({ job: id, version, promoted, seconds: out.seconds }, 'retrain finished');
    const result: NonNullable<RetrainJob['result']> = { version, promoted, reason, metrics: out.metrics, activeMetrics: out.activeMetrics, seconds: out.seconds, learned: out.learned };
    await d.models.updateJob(id, { state: 'completed', percent: 100, phase: promoted ? 'promoted' : 'kept as candidate', errors, result });
    await d.models.dropJobExamples(id);
    return result;
  } catch (err: unknown) {
    if (signal?.aborted) {
      // Stopped, not failed: the job (and its examples) stay for the next run.
      await d.models.updateJob(id, { state: 'queued', percent: 0, phase: 'interrupted by a shutdown; will run again', errors }).catch(() => undefined);
      throw err;
    }
    const message = err instanceof Error ? err.message : String(err);
    errors.push(message);
    await d.models.updateJob(id, { state: 'failed', phase: 'failed', errors });
    await d.models.dropJobExamples(id);
    d.log.warn({ job: id, err: message }, 'retrain failed');
    throw err;
  }
}

/** The newest label of every message with feedback at or after `since`, with its stored raw message. */
async function feedbackExamples(results: ResultStore, since: number, errors: string[]): Promise<RetrainExample[]> {
  const latest = new Map<string, { label: RetrainExample['label']; at: number }>();
  let cursor: string | undefined;
  do {
    const page = await results.listFeedback({ since, limit: 500, cursor });
    for (const fb of page.items) {
      const seen = latest.get(fb.messageId);
      if (!seen || fb.at >= seen.at) latest.set(fb.messageId, { label: fb.label, at: fb.at });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const out: RetrainExample[] = [];
  for (const [messageId, { label }] of latest) {
    const raw = await results.getRaw(messageId);
    if (raw) out.push({ label, raw, key: `feedback:${messageId}` });
    else errors.push(`feedback on ${messageId}: its raw message is no longer stored`);
  }
  return out;
}

/**
 * Training runs in a child process started under `nice -n 19`: it gets whatever CPU scoring leaves
 * idle, so a retrain on a worker's host does not slow the mail flow (a worker thread would compete
 * with scoring at equal priority; Node cannot lower one thread's priority).
 */
function inChildProcess(work: RetrainWork, progress: (percent: number, phase: string) => void, signal?: AbortSignal): Promise<RetrainOutcome> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('retrain stopped'));
    const args = ['--max-old-space-size=1536', distScript('retrain-process.js')];
    const child = existsSync(NICE) ? spawn(NICE, ['-n', '19', process.execPath, ...args], CHILD_OPTS) : spawn(process.execPath, args, CHILD_OPTS);
    let settled = false;
    const done = (err: Error | null, out?: RetrainOutcome) => {
      if (settled) return;
      settled = true;
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(out as RetrainOutcome);
    };
    signal?.addEventListener('abort', () => done(new Error('retrain stopped')));
    child.on('message', (m: { progress?: { percent: number; phase: string }; done?: RetrainOutcome; error?: string }) => {
      if (m.progress) progress(m.progress.percent, m.progress.phase);
      else if (m.done) done(null, { ...m.done, blob: Buffer.from(m.done.blob) });
      else if (m.error) done(new Error(m.error));
    });
    child.on('error', (err) => done(err));
    child.on('exit', (code, sig) => done(new Error(`retrain process exited (${sig ?? `code ${code}`}) before finishing`)));
    child.send({ work });
  });
}

const NICE = '/usr/bin/nice';
const CHILD_OPTS: SpawnOptions = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' };

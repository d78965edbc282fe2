import { randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler } from 'express';
import type { ServiceConfig } from '../config/service';
import type { RetrainQueue } from '../queue/retrain-queue';
import type { ModelMeta, ModelStore, RetrainJob, StoredExample } from '../store/model-store';
import { UnknownModelError } from '../store/model-store';
import type { Principal } from './auth';
import { ApiError } from './errors';
import { h } from './handler';
import * as v from './validators';


/** At most this many bad examples are listed in one error (the count says how many in all). */
const MAX_LISTED = 20;

/**
 * Model lifecycle (admin only): retrain as a job, model versions with their figures, activation
 * (promote or roll back), deletion, and the audit log of all of it.
 */
export function mountAdminRoutes(app: express.Express, config: ServiceConfig, auth: RequestHandler[], m: { store: ModelStore; retrain: RetrainQueue }, now: () => number): void {
  const { store, retrain } = m;
  const body = [
    express.json({ limit: config.lifecycle.maxBytes }),
    express.text({ type: ['application/x-ndjson', 'application/jsonl', 'application/jsonlines'], limit: config.lifecycle.maxBytes }),
  ];
  const by = (req: Request) => (req.principal as Principal).keyId;

  app.post(
    '/v1/admin/retrain',
    ...auth,
    ...body,
    h(async (req, res) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      let opts: { feedbackSince?: number; base?: 'active' | 'corpus' | 'none'; baseCorpus?: boolean; force: boolean; note: string };
      let items: unknown[];
      if (typeof req.body === 'string') {
        opts = v.retrainQuery.parse(req.query);
        items = parseJsonLines(req.body);
      } else if (type === 'application/json') {
        const b = v.retrainBody.parse(req.body ?? {});
        if (Object.keys(req.query).length) throw new ApiError('bad_request', 'with a JSON body, give the options in the body, not the query string');
        opts = b;
        items = b.examples ?? [];
      } else {
        throw new ApiError('unsupported_media_type', `send application/json ({examples, feedbackSince, base, force, note}) or application/x-ndjson (one {label, raw|text} per line, options in the query), not "${type || 'none'}"`);
      }
      if (opts.base && opts.baseCorpus !== undefined && (opts.base === 'corpus') !== opts.baseCorpus) throw new ApiError('bad_request', 'base and baseCorpus disagree; give one');
      const base = opts.base ?? (opts.baseCorpus ? 'corpus' : 'active');
      const examples = validateExamples(items, config);
      if (!examples.length && opts.feedbackSince === undefined && base !== 'corpus') {
        throw new ApiError('bad_request', 'nothing to learn from: give examples, feedbackSince, or base "corpus"');
      }
      if (opts.feedbackSince !== undefined && opts.feedbackSince > now()) throw new ApiError('bad_request', 'feedbackSince is in the future');
      const at = now();
      const job: RetrainJob = {
        id: randomUUID(),
        state: 'queued',
        percent: 0,
        phase: 'queued',
        errors: [],
        createdAt: at,
        updatedAt: at,
        by: by(req),
        request: { feedbackSince: opts.feedbackSince ?? null, examples: examples.length, base, force: opts.force, note: opts.note },
        result: null,
      };
      await store.putJob(job, examples);
      await retrain.enqueue(job.id);
      await store.audit({ at, action: 'retrain', by: job.by, version: null, details: { job: job.id, ...job.request } });
      res.status(202).location(`/v1/admin/jobs/${job.id}`).json({ jobId: job.id, status: 'queued' });
    }),
  );

  app.get(
    '/v1/admin/jobs/:id',
    ...auth,
    h(async (req, res) => {
      const job = await store.getJob(v.retrainJobId.parse(req.params.id));
      if (!job) throw new ApiError('not_found', 'no such retrain job');
      res.json(job);
    }),
  );

  app.get(
    '/v1/admin/models',
    ...auth,
    h(async (_req, res) => {
      const [active, all] = await Promise.all([store.active(), store.list()]);
      res.json({ active, items: all.map((x) => modelView(x, active)) });
    }),
  );

  app.get(
    '/v1/admin/models/:version',
    ...auth,
    h(async (req, res) => {
      const meta = await store.get(v.modelVersion.parse(req.params.version));
      if (!meta) throw new ApiError('not_found', 'no such model version');
      res.json(modelView(meta, await store.active()));
    }),
  );

  app.post(
    '/v1/admin/models/:version/activate',
    ...auth,
    h(async (req, res) => {
      const version = v.modelVersion.parse(req.params.version);
      const target = await store.get(version);
      if (!target) throw new ApiError('not_found', 'no such model version');
      const current = await store.active();
      const currentMeta = current ? await store.get(current) : null;
      let previous: string | null;
      try {
        previous = await store.activate(version);
      } catch (err: unknown) {
        if (err instanceof UnknownModelError) throw new ApiError('not_found', 'no such model version');
        throw err;
      }
      // Going back to an older version is a rollback; anything else an activation.
      const action = currentMeta && target.createdAt < currentMeta.createdAt ? 'rollback' : 'activate';
      await store.audit({ at: now(), action, by: by(req), version, details: { previous } });
      res.json({ active: version, previous, action });
    }),
  );

  app.delete(
    '/v1/admin/models/:version',
    ...auth,
    h(async (req, res) => {
      const version = v.modelVersion.parse(req.params.version);
      const r = await store.delete(version);
      if (r === 'missing') throw new ApiError('not_found', 'no such model version');
      if (r === 'active') throw new ApiError('conflict', 'the active version cannot be deleted: activate another one first');
      await store.audit({ at: now(), action: 'delete', by: by(req), version, details: {} });
      res.status(204).end();
    }),
  );

  app.get(
    '/v1/admin/audit',
    ...auth,
    h(async (req, res) => {
      const q = v.auditQuery.parse(req.query);
      res.json(await store.auditLog(q.limit, q.cursor));
    }),
  );
}

function modelView(m: ModelMeta, active: string | null) {
  return { ...m, active: m.version === active, status: m.version === active ? 'active' : 'candidate' };
}

function parseJsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  const bad: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line));
    } catch {
      bad.push(`line ${i + 1}: not valid JSON`);
    }
  });
  if (bad.length) throw new ApiError('bad_request', `${bad.length} bad lines: ${bad.slice(0, MAX_LISTED).join('; ')}`);
  return out;
}

/**
 * Every example must have a known label and exactly one of raw (the RFC 822 message) or text (a
 * body, wrapped in a minimal message), non-empty and within the message size limit. All bad items
 * are listed in one error, none is silently dropped.
 */
function validateExamples(items: unknown[], config: ServiceConfig): StoredExample[] {
  if (items.length > config.lifecycle.maxExamples) throw new ApiError('too_large', `${items.length} examples; at most ${config.lifecycle.maxExamples} per request`);
  const bad: string[] = [];
  const out: StoredExample[] = [];
  items.forEach((item, i) => {
    const p = v.retrainExample.safeParse(item);
    if (!p.success) {
      bad.push(`examples[${i}]: ${p.error.issues.map((x) => `${x.path.join('.') || 'item'}: ${x.message}`).join(', ')}`);
      return;
    }
    const { label, raw, text } = p.data;
    if ((raw === undefined) === (text === undefined)) {
      bad.push(`examples[${i}]: give exactly one of raw or text`);
      return;
    }
    const bytes = raw !== undefined ? Buffer.from(raw, 'utf8') : Buffer.from(`MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}`, 'utf8');
    if (!(raw ?? text ?? '').trim()) bad.push(`examples[${i}]: empty`);
    else if (bytes.length > config.scan.limits.maxBytes) bad.push(`examples[${i}]: ${bytes.length} bytes, over the ${config.scan.limits.maxBytes} byte message limit`);
    else out.push({ label, raw: bytes.toString('base64') });
  });
  if (bad.length) throw new ApiError('bad_request', `${bad.length} bad examples: ${bad.slice(0, MAX_LISTED).join('; ')}${bad.length > MAX_LISTED ? '; …' : ''}`);
  return out;
}

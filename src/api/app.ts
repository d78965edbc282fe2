import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { ApiKeyEntry, Role, ServiceConfig } from '../config/service';
import type { Completions } from '../queue/completions';
import type { ScanQueue } from '../queue/queues';
import type { RetrainQueue } from '../queue/retrain-queue';
import type { ModelStore } from '../store/model-store';
import { groupCampaigns } from '../store/campaigns';
import type { Envelope, MessageRecord, ResultStore } from '../store/types';
import { mountAdminRoutes } from './admin-routes';
import { h } from './handler';
import { requireRole, type Principal } from './auth';
import { messageContent } from './content';
import { ApiError, errorHandler } from './errors';
import type { Metrics } from './metrics';
import { openApiDocument } from './openapi';
import * as v from './validators';

export interface AppDeps {
  config: ServiceConfig;
  keys: ApiKeyEntry[];
  metrics: Metrics;
  log: Logger;
  /** Problems that make the process not ready (empty when ready). */
  readiness: () => Promise<string[]>;
  /** Absent on a worker-only process, which serves only /healthz, /readyz and /metrics. */
  api?: { store: ResultStore; queue: ScanQueue; completions: Completions; models?: { store: ModelStore; retrain: RetrainQueue } };
  now?: () => number;
}

/** Who may call what. Gateways ingest and read their results; analysts read and correct; admins do everything. */
export const ROUTE_ROLES = {
  ingest: ['gateway', 'admin'],
  result: ['gateway', 'analyst', 'admin'],
  read: ['analyst', 'admin'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

const DAY = 86_400_000;
/**
 * Most request headers accepted. A gateway sends about ten; Node keeps up to 2,000 and silently
 * drops the rest, so the server keeps one more than this (`server.maxHeadersCount`, service.ts)
 * and a request that reaches it is refused rather than read with headers missing.
 */
export const MAX_REQUEST_HEADERS = 100;
/** Largest header section, bytes (Node's own default, made explicit; larger gets a JSON 431). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** The dashboard's static files (plain ES modules and CSS, no build step); the same path from src/api and dist/api. */
export const DASHBOARD_DIR = path.resolve(__dirname, '..', '..', 'dashboard');
/**
 * The dashboard page holds no data (every API call carries the analyst's key), so it is public.
 * Its policy (replacing the API's `default-src 'none'`; helmet sets the other headers) lets it
 * load only its own files and talk only to this origin, and no message text can run as script.
 */
const DASHBOARD_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'Cache-Control': 'no-cache',
};

/** Builds the app; never listens (tests and the server both call this). */
export function buildApp(d: AppDeps): express.Express {
  const app = express();
  const now = d.now ?? Date.now;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(
    pinoHttp({
      logger: d.log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // No bodies, no headers (they carry keys): method, path, status, time and the key id only.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      // The key id is known only after authentication, so it joins the line written at the end.
      customSuccessObject: (req, _res, val: object) => ({ ...val, key: (req as Request).principal?.keyId }),
      customErrorObject: (req, _res, _err, val: object) => ({ ...val, key: (req as Request).principal?.keyId }),
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  // Security headers (no-sniff, frame denial, HSTS, a CSP that loads nothing): the API serves JSON
  // and raw evidence mail, never pages; a raw message opened in a browser must not run.
  app.use(helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }));
  app.use((req, _res, next) => {
    if (req.rawHeaders.length / 2 > MAX_REQUEST_HEADERS) return next(new ApiError('headers_too_large', `more than ${MAX_REQUEST_HEADERS} request headers`));
    next();
  });
  app.use((req, res, next) => {
    const end = d.metrics.httpSeconds.startTimer();
    res.on('finish', () => end({ method: req.method, route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });

  const auth = (roles: readonly Role[]) => [requireRole(d.keys, roles), limiter];
  const limiter = rateLimit({
    windowMs: 1000,
    limit: (req: Request) => d.config.rateLimits[(req.principal as Principal).role],
    keyGenerator: (req: Request) => (req.principal as Principal).keyId,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    validate: false,
    handler: (req, _res, next, options) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const wait = Math.max(1, Math.ceil(((reset?.getTime() ?? now() + options.windowMs) - now()) / 1000));
      next(new ApiError('rate_limited', `rate limit of ${d.config.rateLimits[(req.principal as Principal).role]} requests per second for this key exceeded`, { 'Retry-After': String(wait) }));
    },
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    h(async (_req, res) => {
      const problems = await d.readiness();
      res.status(problems.length ? 503 : 200).json({ status: problems.length ? 'unavailable' : 'ready', problems });
    }),
  );
  app.get(
    '/metrics',
    ...auth(ROUTE_ROLES.admin),
    h(async (_req, res) => {
      res.set('Content-Type', d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
    }),
  );
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  // GET /dashboard redirects to /dashboard/ (serve-static), which serves index.html.
  app.use(
    '/dashboard',
    express.static(DASHBOARD_DIR, {
      index: 'index.html',
      fallthrough: true,
      setHeaders: (res) => {
        for (const [k, val] of Object.entries(DASHBOARD_HEADERS)) res.setHeader(k, val);
      },
    }),
  );

  if (d.api) mountApi(app, d, d.api, auth, now);
  if (d.api?.models) mountAdminRoutes(app, d.config, auth(ROUTE_ROLES.admin), d.api.models, now);

  app.use((req, _res, next) => next(new ApiError('not_found', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(d.log));
  return app;
}

function mountApi(app: express.Express, d: AppDeps, a: NonNullable<AppDeps['api']>, auth: (roles: readonly Role[]) => express.RequestHandler[], now: () => number): void {
  const { store, queue, completions } = a;
  const rawBody = express.raw({ type: () => true, limit: d.config.scan.limits.maxBytes });

  app.post(
    '/v1/messages',
    ...auth(ROUTE_ROLES.ingest),
    (req, _res, next) => {
      // The type is checked before the body is read: a wrong client is told at once.
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'message/rfc822' && type !== 'application/octet-stream') {
        d.metrics.ingest.inc({ outcome: 'rejected' });
        return next(new ApiError('unsupported_media_type', `send the raw message as message/rfc822 or application/octet-stream, not "${type || 'none'}"`));
      }
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > d.config.scan.limits.maxBytes) {
        d.metrics.ingest.inc({ outcome: 'rejected' });
        return next(new ApiError('too_large', `message is ${declared} bytes; the limit is ${d.config.scan.limits.maxBytes}`));
      }
      next();
    },
    rawBody,
    h(async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!raw.length) {
        d.metrics.ingest.inc({ outcome: 'rejected' });
        throw new ApiError('empty_body', 'the request body is empty: send the raw message');
      }
      const env = v.envelopeHeaders.safeParse(v.envelopeFields(req.headers));
      if (!env.success) throw new ApiError('bad_envelope', env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const { wait } = v.ingestQuery.parse(req.query);
      const e = env.data;
      const envelope: Envelope = {
        clientIp: e['x-client-ip'] ?? null,
        mailFrom: e['x-mail-from'] || null,
        rcptTo: e['x-rcpt-to'],
        helo: e['x-helo'] ?? null,
        gateway: e['x-gateway-id'] ?? `key:${(req.principal as Principal).keyId}`,
      };
      const id = createHash('sha256').update(raw).digest('hex');
      let accepted: { created: boolean; record: MessageRecord };
      try {
        accepted = await store.accept({ id, raw, receivedAt: now(), envelope });
        // A duplicate still queued may have lost its job (a crash between the two writes): adding
        // it again is harmless, the job id is the message id.
        if (accepted.record.status === 'queued') await queue.enqueue({ id });
      } catch (err: unknown) {
        req.log.error({ err: (err as Error).message }, 'could not accept message');
        throw new ApiError('unavailable', 'the message could not be stored; it was not accepted, retry later', { 'Retry-After': '5' });
      }
      d.metrics.ingest.inc({ outcome: accepted.created ? 'accepted' : 'duplicate' });
      res.setHeader('Location', `/v1/messages/${id}`);
      let record = accepted.record;
      if (record.status === 'queued' && wait) {
        const ms = Math.min(wait, d.config.maxWaitMs);
        try {
          // The check before waiting may already read the finished record: no second read then.
          const seen: { record: MessageRecord | null } = { record: null };
          const done = await completions.wait(id, ms, async () => (seen.record = await store.get(id))?.status !== 'queued');
          if (done) record = (seen.record && seen.record.status !== 'queued' ? seen.record : await store.get(id)) ?? record;
        } catch (err: unknown) {
          // The message is accepted: a failed wait is a 202, never an error.
          req.log.warn({ err: (err as Error).message }, 'wait failed');
        }
      }
      if (record.status === 'queued') res.status(202).json({ id, status: 'queued', duplicate: !accepted.created });
      else res.status(200).json({ ...view(record, req.principal as Principal), duplicate: !accepted.created });
    }),
  );

  app.get(
    '/v1/messages',
    ...auth(ROUTE_ROLES.read),
    h(async (req, res) => {
      const q = v.listQuery.parse(req.query);
      const page = await store.list(q);
      res.json({ items: page.items.map((r) => summary(r)), nextCursor: page.nextCursor });
    }),
  );

  app.get(
    '/v1/messages/:id',
    ...auth(ROUTE_ROLES.result),
    h(async (req, res) => {
      const record = await store.get(v.messageId.parse(req.params.id));
      if (!record) throw new ApiError('not_found', 'no such message (never accepted, or past retention)');
      res.json(view(record, req.principal as Principal));
    }),
  );

  app.get(
    '/v1/messages/:id/raw',
    ...auth(ROUTE_ROLES.read),
    h(async (req, res) => {
      const raw = await store.getRaw(v.messageId.parse(req.params.id));
      if (!raw) throw new ApiError('not_found', 'raw message not stored (clean mail is not kept; evidence expires after the raw retention)');
      res.type('message/rfc822').send(raw);
    }),
  );

  app.get(
    '/v1/messages/:id/content',
    ...auth(ROUTE_ROLES.read),
    h(async (req, res) => {
      const id = v.messageId.parse(req.params.id);
      const [record, raw] = await Promise.all([store.get(id), store.getRaw(id)]);
      if (!record) throw new ApiError('not_found', 'no such message (never accepted, or past retention)');
      if (!raw) throw new ApiError('not_found', 'message text not stored (clean mail is not kept; evidence expires after the raw retention)');
      try {
        res.json(await messageContent(raw, record.result?.signals ?? [], d.config.scan.limits, d.config.scan.trustedAuthservIds));
      } catch (err: unknown) {
        // Unscanned mail is kept too: a message over a limit or not an email has no text to show.
        throw new ApiError('unprocessable', `the message cannot be shown as text: ${(err as Error).message}`);
      }
    }),
  );

  app.post(
    '/v1/messages/:id/feedback',
    ...auth(ROUTE_ROLES.read),
    express.json({ limit: '16kb' }),
    h(async (req, res) => {
      const id = v.messageId.parse(req.params.id);
      const body = v.feedbackBody.parse(req.body ?? {});
      const fb = await store.addFeedback(id, { ...body, by: (req.principal as Principal).keyId, at: now() });
      if (!fb) throw new ApiError('not_found', 'no such message');
      res.status(201).json(fb);
    }),
  );

  app.get(
    '/v1/feedback',
    ...auth(ROUTE_ROLES.read),
    h(async (req, res) => {
      const q = v.feedbackQuery.parse(req.query);
      res.json(await store.listFeedback(q));
    }),
  );

  app.get(
    '/v1/stats',
    ...auth(ROUTE_ROLES.read),
    h(async (req, res) => {
      const q = v.statsQuery.parse(req.query);
      const until = q.until ?? now();
      const since = q.since ?? until - DAY;
      if (since >= until) throw new ApiError('bad_request', 'since must be before until');
      res.json(await store.stats({ since, until, bucket: q.bucket, top: q.top }));
    }),
  );

  app.get(
    '/v1/campaigns',
    ...auth(ROUTE_ROLES.read),
    h(async (req, res) => {
      const q = v.campaignsQuery.parse(req.query);
      const until = q.until ?? now() + 1;
      const since = q.since ?? until - 7 * DAY;
      const members = await store.campaignMembers({ since, until, verdicts: q.verdict, minSize: q.minSize, scanLimit: 5000, limit: q.limit });
      res.json({ since, until, scanned: members.length, items: groupCampaigns(members, { minSize: q.minSize, limit: q.limit }) });
    }),
  );

  app.get(
    '/v1/jobs/failed',
    ...auth(ROUTE_ROLES.admin),
    h(async (req, res) => {
      const { limit } = v.failedJobsQuery.parse(req.query);
      res.json({ items: await queue.failed(limit) });
    }),
  );

  app.post(
    '/v1/jobs/:id/retry',
    ...auth(ROUTE_ROLES.admin),
    h(async (req, res) => {
      const id = v.messageId.parse(req.params.id);
      await store.requeue(id);
      if (!(await queue.retry(id))) {
        const rec = await store.get(id);
        if (rec?.status !== 'queued') throw new ApiError('not_found', 'no failed job for this message');
        await queue.enqueue({ id });
      }
      res.status(202).json({ id, status: 'queued' });
    }),
  );
}

/** The list view: enough to draw a dashboard row. */
function summary(r: MessageRecord) {
  const x = r.result;
  return {
    id: r.id,
    status: r.status,
    receivedAt: new Date(r.receivedAt).toISOString(),
    gateway: r.envelope.gateway,
    senderDomain: r.senderDomain,
    verdict: x?.verdict ?? null,
    category: x?.category ?? null,
    score: x?.score ?? null,
    action: x?.action ?? null,
    signals: x?.signals.map((s) => s.id) ?? [],
    topSignal: x ? topSignal(x.signals) : null,
    from: x?.message.from ?? null,
    subject: x?.message.subject ?? null,
    feedback: r.feedback.length ? r.feedback[r.feedback.length - 1].label : null,
  };
}

/** The signal that pushed the verdict most (highest contribution, then strength); context signals that pull towards ham never lead. */
function topSignal(signals: { id: string; contribution: number; strength: number }[]): string | null {
  let best: (typeof signals)[number] | null = null;
  for (const s of signals) if (s.contribution > 0 && (!best || s.contribution > best.contribution || (s.contribution === best.contribution && s.strength > best.strength))) best = s;
  return best?.id ?? null;
}

/** The full view; raw-message access is only offered to analysts and admins. */
function view(r: MessageRecord, who: Principal) {
  return {
    id: r.id,
    status: r.status,
    receivedAt: new Date(r.receivedAt).toISOString(),
    scoredAt: r.scoredAt === null ? null : new Date(r.scoredAt).toISOString(),
    size: r.size,
    envelope: r.envelope,
    senderDomain: r.senderDomain,
    error: r.error,
    result: r.result,
    feedback: who.role === 'gateway' ? [] : r.feedback,
    ...(who.role === 'gateway' ? {} : { raw: `/v1/messages/${r.id}/raw` }),
  };
}

import { z } from 'zod';
import { CATEGORIES } from '../classifier/categories';
import { FEEDBACK_LABELS } from '../store/types';

const VERDICTS = ['clean', 'suspicious', 'flagged', 'unscanned'] as const;

/** A time: ms since epoch or an ISO 8601 date. */
const time = z
  .string()
  .transform((s, ctx) => {
    const n = /^\d{1,16}$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: 'must be ms since epoch or an ISO 8601 date' });
      return z.NEVER;
    }
    return n;
  })
  .meta({ description: 'ms since epoch or an ISO 8601 date' });
const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

export const messageId = z.string().regex(/^[0-9a-f]{64}$/, 'message ids are 64 hex digits (sha256 of the message)');

export const ingestQuery = z.strictObject({ wait: z.coerce.number().int().min(0).optional() });

export const listQuery = z.strictObject({
  verdict: z.enum(VERDICTS).optional(),
  category: z.enum(CATEGORIES).optional(),
  status: z.enum(['queued', 'done', 'failed']).optional(),
  since: time.optional(),
  until: time.optional(),
  gateway: z.string().max(128).optional(),
  sender: z.string().max(253).optional(),
  q: z.string().min(1).max(200).optional(),
  cursor: z.string().max(300).optional(),
  limit: limit(500, 50),
});

export const statsQuery = z.strictObject({
  since: time.optional(),
  until: time.optional(),
  bucket: z.enum(['hour', 'day']).default('hour'),
  top: limit(100, 10),
});

export const campaignsQuery = z.strictObject({
  since: time.optional(),
  until: time.optional(),
  verdict: z
    .string()
    .optional()
    .transform((s) => (s ? [...new Set(s.split(','))] : ['flagged', 'suspicious']))
    .pipe(z.array(z.enum(VERDICTS)).min(1).max(VERDICTS.length)),
  minSize: z.coerce.number().int().min(2).max(10_000).default(2),
  limit: limit(200, 50),
});

export const feedbackBody = z.strictObject({
  label: z.enum(FEEDBACK_LABELS),
  note: z.string().max(2000).default(''),
});

export const feedbackQuery = z.strictObject({
  label: z.enum(FEEDBACK_LABELS).optional(),
  since: time.optional(),
  until: time.optional(),
  cursor: z.string().max(300).optional(),
  limit: limit(500, 50),
});

export const failedJobsQuery = z.strictObject({ limit: limit(1000, 100) });

/**
 * Envelope headers a gateway may send with a message. rspamd's own names (`IP`, `From`, `Rcpt`,
 * `Helo`) are accepted too, so an integration written for rspamd's /checkv2 works unchanged; the
 * X- names win when both are sent.
 */
export function envelopeFields(h: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);
  return {
    'x-client-ip': one(h['x-client-ip'] ?? h['ip']),
    'x-mail-from': one(h['x-mail-from'] ?? h['from']),
    'x-rcpt-to': one(h['x-rcpt-to'] ?? h['rcpt']),
    'x-helo': one(h['x-helo'] ?? h['helo']),
    'x-gateway-id': one(h['x-gateway-id']),
  };
}

export const envelopeHeaders = z.object({
  'x-client-ip': z.union([z.ipv4(), z.ipv6()]).optional(),
  'x-mail-from': z
    .string()
    .max(320)
    .optional()
    .transform((s) => s?.trim().replace(/^<(.*)>$/, '$1')),
  'x-rcpt-to': z
    .string()
    .max(100_000)
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim().replace(/^<(.*)>$/, '$1')).filter(Boolean) : []))
    .pipe(z.array(z.string().max(320)).max(1000)),
  'x-helo': z.string().max(255).optional(),
  'x-gateway-id': z.string().regex(/^[\w.:-]{1,64}$/, 'letters, digits, _ . : - only, at most 64').optional(),
});

/** A model version name as used in paths. */
export const modelVersion = z.string().regex(/^[\w.-]{1,100}$/, 'a model version: letters, digits, . _ - (at most 100)');
export const retrainJobId = z.string().uuid('retrain job ids are UUIDs');

const RETRAIN_BASE = ['active', 'corpus', 'none'] as const;
/** Retrain options: in the JSON body, or in the query string when the body is JSON lines of examples. */
export const retrainOptions = {
  feedbackSince: z
    .union([z.number().int().nonnegative(), time])
    .optional()
    .meta({ description: "learn the newest analyst label of each message with feedback at or after this time (ms since epoch or ISO 8601)" }),
  base: z.enum(RETRAIN_BASE).optional().meta({ description: "start from the active model's counts (active, default), retrain from its corpus (corpus), or from nothing (none)" }),
  baseCorpus: z.boolean().optional().meta({ description: 'same as base: "corpus"' }),
  force: z.boolean().default(false).meta({ description: 'promote even if the gate refuses (logged and audited)' }),
  note: z.string().max(1000).default(''),
};
export const retrainBody = z.strictObject({
  ...retrainOptions,
  examples: z.array(z.unknown()).optional().meta({ description: 'labelled examples: {label, raw} (raw RFC 822 text) or {label, text} (body text only)' }),
});
export const retrainQuery = z.strictObject({
  ...retrainOptions,
  base: z.enum(RETRAIN_BASE).optional(),
  baseCorpus: z.enum(['true', 'false']).transform((s) => s === 'true').optional(),
  force: z.enum(['true', 'false']).transform((s) => s === 'true').default(false),
  feedbackSince: time.optional(),
});
export const retrainExample = z.strictObject({
  label: z.enum(FEEDBACK_LABELS),
  raw: z.string().min(1).optional(),
  text: z.string().min(1).optional(),
});
export const auditQuery = z.strictObject({
  limit: limit(500, 50),
  cursor: z.string().regex(/^\d{1,20}(-\d{1,20})?$/, 'not a cursor from this API').optional(),
});

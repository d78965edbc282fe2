import { z } from 'zod';
import * as v from './validators';

/**
 * The OpenAPI 3.1 document served at /openapi.json. Query and body schemas are generated from
 * the same zod validators the routes use, so the two cannot drift; test/api/openapi.test.ts
 * checks that every route is documented and every documented route exists.
 */
const js = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  void _drop;
  return rest;
};

function queryParams(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, s]) => ({ name, in: 'query', required: false, schema: js(s as z.ZodType) }));
}

const idParam = { name: 'id', in: 'path', required: true, schema: js(v.messageId), description: 'sha256 of the raw message, hex' };
const jobParam = { name: 'id', in: 'path', required: true, schema: js(v.retrainJobId), description: 'retrain job id' };
const versionParam = { name: 'version', in: 'path', required: true, schema: js(v.modelVersion), description: 'model version' };
const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const json = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const authErrors = { '401': err('no or unknown API key'), '403': err('the key lacks the role'), '429': err('rate limit exceeded (see Retry-After)') };
const secured = (roles: string, op: Record<string, unknown>) => ({ security: [{ bearer: [] }], 'x-roles': roles, ...op, responses: { ...(op.responses as object), ...authErrors } });

const envelopeParams = [
  ['X-Client-IP', 'connecting client IP (rspamd: IP)'],
  ['X-Mail-From', 'SMTP MAIL FROM (rspamd: From)'],
  ['X-Rcpt-To', 'SMTP RCPT TO, comma-separated (rspamd: Rcpt)'],
  ['X-Helo', 'SMTP HELO name (rspamd: Helo)'],
  ['X-Gateway-Id', 'which gateway or office submits (default: the key id)'],
].map(([name, description]) => ({ name, in: 'header', required: false, schema: { type: 'string' }, description: `${description}; rspamd's header name is accepted too` }));

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'ballotwatch', version: '1', description: 'Screens inbound email for election threats: voter intimidation, threats to election workers, election-process disinformation and impersonation.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key; roles gateway, analyst, admin' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
        Message: { type: 'object', description: 'A stored message: acceptance, envelope and (when done) the full result with signals, evidence, clues, action and headers.' },
        Feedback: { type: 'object', properties: { id: { type: 'string' }, messageId: { type: 'string' }, label: { type: 'string' }, note: { type: 'string' }, by: { type: 'string' }, at: { type: 'integer' } } },
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Process is up', responses: { '200': json('ok') } } },
      '/readyz': { get: { summary: 'Store reachable and model loaded', responses: { '200': json('ready'), '503': json('not ready, with the problems') } } },
      '/metrics': { get: secured('admin', { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } }) },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': json('OpenAPI 3.1') } } },
      '/v1/messages': {
        post: secured('gateway, admin', {
          summary: 'Submit a raw RFC 822 message for scoring',
          parameters: [...queryParams(v.ingestQuery).map((p) => ({ ...p, description: 'wait up to this many ms for the verdict (200 with the result, else 202)' })), ...envelopeParams],
          requestBody: { required: true, content: { 'message/rfc822': { schema: { type: 'string', format: 'binary' } }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            '200': json('scored (with ?wait, or an identical message was scored before)', { $ref: '#/components/schemas/Message' }),
            '202': json('accepted and queued; Location names the result', { type: 'object', properties: { id: { type: 'string' }, status: { const: 'queued' }, duplicate: { type: 'boolean' } } }),
            '400': err('empty_body, bad_envelope or bad_request'),
            '413': err('too_large'),
            '415': err('unsupported_media_type'),
            '503': err('unavailable: not accepted, retry'),
          },
        }),
        get: secured('analyst, admin', { summary: 'List messages, newest first, with filters and cursor paging', parameters: queryParams(v.listQuery), responses: { '200': json('a page'), '400': err('bad_request or bad_cursor') } }),
      },
      '/v1/messages/{id}': { get: secured('gateway, analyst, admin', { summary: 'One message with its full result', parameters: [idParam], responses: { '200': json('the message', { $ref: '#/components/schemas/Message' }), '404': err('not_found') } }) },
      '/v1/messages/{id}/raw': { get: secured('analyst, admin', { summary: 'The raw message (kept for flagged/suspicious/unscanned mail)', parameters: [idParam], responses: { '200': { description: 'the message', content: { 'message/rfc822': { schema: { type: 'string' } } } }, '404': err('not_found') } }) },
      '/v1/messages/{id}/content': {
        get: secured('analyst, admin', {
          summary: "The stored message as the signals read it (subject, body text, header facts) with each signal's evidence located in it, for the dashboard",
          parameters: [idParam],
          responses: {
            '200': json('the text and where the evidence is', {
              type: 'object',
              properties: {
                subject: { type: 'string' },
                body: { type: 'string' },
                highlights: { type: 'array', items: { type: 'object', properties: { signal: { type: 'string' }, part: { enum: ['subject', 'body'] }, start: { type: 'integer' }, end: { type: 'integer' } } } },
                unplaced: { type: 'array', items: { type: 'string' } },
              },
            }),
            '404': err('not_found (unknown, or its raw message is not kept)'),
            '422': err('unprocessable: kept but not readable as an email (an unscanned message)'),
          },
        }),
      },
      '/v1/messages/{id}/feedback': {
        post: secured('analyst, admin', {
          summary: "An analyst's correction, kept for retraining",
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: js(v.feedbackBody) } } },
          responses: { '201': json('stored', { $ref: '#/components/schemas/Feedback' }), '400': err('bad_request'), '404': err('not_found') },
        }),
      },
      '/v1/feedback': { get: secured('analyst, admin', { summary: 'Feedback, newest first', parameters: queryParams(v.feedbackQuery), responses: { '200': json('a page'), '400': err('bad_request') } }) },
      '/v1/stats': { get: secured('analyst, admin', { summary: 'Counts per verdict and category over time, top sender domains and signals (window widened to whole hours)', parameters: queryParams(v.statsQuery), responses: { '200': json('stats'), '400': err('bad_request') } }) },
      '/v1/campaigns': { get: secured('analyst, admin', { summary: 'Near-duplicate messages grouped (simhash)', parameters: queryParams(v.campaignsQuery), responses: { '200': json('campaigns'), '400': err('bad_request') } }) },
      '/v1/jobs/failed': { get: secured('admin', { summary: 'Scan jobs that failed for good', parameters: queryParams(v.failedJobsQuery), responses: { '200': json('failed jobs') } }) },
      '/v1/admin/retrain': {
        post: secured('admin', {
          summary: 'Retrain as a job: learn from analyst feedback since a time, labelled examples, and/or the active model\'s corpus; evaluated, gated, promoted or kept as a candidate',
          parameters: queryParams(v.retrainQuery).map((p) => ({ ...p, description: 'only with a JSON-lines body' })),
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: js(v.retrainBody) },
              'application/x-ndjson': { schema: { type: 'string', description: 'one {label, raw|text} JSON object per line; options in the query string' } },
            },
          },
          responses: { '202': json('queued; Location names the job', { type: 'object', properties: { jobId: { type: 'string' }, status: { const: 'queued' } } }), '400': err('bad_request (every bad example listed)'), '413': err('too_large'), '415': err('unsupported_media_type') },
        }),
      },
      '/v1/admin/jobs/{id}': { get: secured('admin', { summary: 'A retrain job: state, percent, phase, errors, result with both models\' figures', parameters: [jobParam], responses: { '200': json('the job'), '400': err('bad_request'), '404': err('not_found') } }) },
      '/v1/admin/models': { get: secured('admin', { summary: 'Model versions, newest first: created, counts, figures on the evaluation set, gate decision, who trained it, active flag', responses: { '200': json('versions') } }) },
      '/v1/admin/models/{version}': {
        get: secured('admin', { summary: 'One model version', parameters: [versionParam], responses: { '200': json('the version'), '404': err('not_found') } }),
        delete: secured('admin', { summary: 'Delete a version that is not active', parameters: [versionParam], responses: { '204': { description: 'deleted' }, '404': err('not_found'), '409': err('conflict: it is the active version') } }),
      },
      '/v1/admin/models/{version}/activate': { post: secured('admin', { summary: 'Make a version active on every worker (promote or roll back)', parameters: [versionParam], responses: { '200': json('active and previous versions'), '404': err('not_found') } }) },
      '/v1/admin/audit': { get: secured('admin', { summary: 'Audit log of retrain, promote, refuse, activate, rollback, delete, newest first', parameters: queryParams(v.auditQuery), responses: { '200': json('a page'), '400': err('bad_request') } }) },
      '/v1/jobs/{id}/retry': { post: secured('admin', { summary: 'Retry a failed scan job', parameters: [idParam], responses: { '202': json('queued again'), '404': err('not_found') } }) },
    },
  };
}

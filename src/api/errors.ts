import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { CursorError } from '../store/cursor';

/**
 * An error with a stable code that reaches the client as `{error: {code, message}}`. Anything
 * else becomes a 500 `internal_error` whose message stays in the log, not in the response.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** Error catalogue: every code a client can see. */
export const ERROR_CODES = {
  empty_body: 400,
  bad_request: 400,
  bad_envelope: 400,
  bad_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    void _next;
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof ZodError) e = new ApiError(400, 'bad_request', err.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
    else if (err instanceof CursorError) e = new ApiError(400, 'bad_cursor', err.message);
    else {
      const x = err as { type?: string; status?: number; message?: string; limit?: number };
      if (x.type === 'entity.too.large') e = new ApiError(413, 'too_large', `message is larger than the ${x.limit} byte limit`);
      else if (x.type === 'entity.parse.failed') e = new ApiError(400, 'bad_request', 'request body is not valid JSON');
      else if (x.type === 'request.aborted') e = new ApiError(400, 'bad_request', 'request aborted by the client');
      else if (typeof x.status === 'number' && x.status >= 400 && x.status < 500) e = new ApiError(x.status, 'bad_request', x.message ?? 'bad request');
      else {
        ((req as { log?: Logger }).log ?? log).error({ err: x.message }, 'unhandled error');
        e = new ApiError(503 === x.status ? 503 : 500, 'internal_error', 'internal error (see the server log)');
      }
    }
    if (res.headersSent) return;
    res.status(e.status).set(e.headers).json({ error: { code: e.code, message: e.message } });
  };
}

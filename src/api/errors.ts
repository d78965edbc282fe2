import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { CursorError } from '../store/cursor';

/** Error catalogue: every code a client can see, with its HTTP status. */
export const ERROR_CODES = {
  empty_body: 400,
  bad_request: 400,
  bad_envelope: 400,
  bad_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  too_large: 413,
  headers_too_large: 431,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An error with a stable code that reaches the client as `{error: {code, message}}`; its status
 * comes from the catalogue. Anything else becomes a 500 `internal_error` whose message stays in
 * the log, not in the response.
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = this.constructor.name;
    this.status = ERROR_CODES[code];
  }
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    void _next;
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof ZodError) e = new ApiError('bad_request', err.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
    else if (err instanceof CursorError) e = new ApiError('bad_cursor', err.message);
    else {
      const x = err as { type?: string; status?: number; message?: string; limit?: number };
      if (x.type === 'entity.too.large') e = new ApiError('too_large', `message is larger than the ${x.limit} byte limit`);
      else if (x.type === 'entity.parse.failed') e = new ApiError('bad_request', 'request body is not valid JSON');
      else if (x.type === 'request.aborted') e = new ApiError('bad_request', 'request aborted by the client');
      else if (x.status === 415) e = new ApiError('unsupported_media_type', x.message ?? 'unsupported media type');
      else if (typeof x.status === 'number' && x.status >= 400 && x.status < 500) e = new ApiError('bad_request', x.message ?? 'bad request');
      else {
        ((req as { log?: Logger }).log ?? log).error({ err: x.message }, 'unhandled error');
        e = new ApiError(x.status === 503 ? 'unavailable' : 'internal_error', 'internal error (see the server log)');
      }
    }
    if (res.headersSent) return;
    res.status(e.status).set(e.headers).json({ error: { code: e.code, message: e.message } });
  };
}

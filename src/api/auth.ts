import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiKeyEntry, Role } from '../config/service';
import { ApiError } from './errors';

/** Who made a request. */
export interface Principal {
  role: Role;
  /** The key's public id (first 12 hex digits of its sha256). */
  keyId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A new random key (32 bytes, base64url) and its config line `role:sha256hex`. */
export function createKey(role: Role): { key: string; entry: string; id: string } {
  const key = `bw_${randomBytes(32).toString('base64url')}`;
  const hex = hashKey(key).toString('hex');
  return { key, entry: `${role}:${hex}`, id: hex.slice(0, 12) };
}

/**
 * Finds the key's entry. The presented key is hashed and compared with every configured hash in
 * constant time, without stopping at a match, so timing says nothing about which or how many.
 */
export function lookupKey(keys: ApiKeyEntry[], presented: string): ApiKeyEntry | null {
  const h = hashKey(presented);
  let found: ApiKeyEntry | null = null;
  for (const k of keys) if (timingSafeEqual(h, k.hash) && !found) found = k;
  return found;
}

/** Authenticates `Authorization: Bearer <key>` (401) and checks the route's roles (403). */
export function requireRole(keys: ApiKeyEntry[], roles: readonly Role[]): RequestHandler {
  return (req, _res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return next(new ApiError('unauthorized', 'an API key is required: Authorization: Bearer <key>', { 'WWW-Authenticate': 'Bearer realm="ballotwatch"' }));
    const entry = lookupKey(keys, m[1]);
    if (!entry) return next(new ApiError('unauthorized', 'unknown API key', { 'WWW-Authenticate': 'Bearer realm="ballotwatch", error="invalid_token"' }));
    req.principal = { role: entry.role, keyId: entry.id };
    if (!roles.includes(entry.role)) return next(new ApiError('forbidden', `this route needs the ${roles.join(' or ')} role; the key has ${entry.role}`));
    next();
  };
}

import type { AuthResult } from './types';

/**
 * Parses Authentication-Results (RFC 8601): `authserv-id [version]; method=result (comment) ptype.prop=val; …`.
 * Returns one entry per method result. Whether the stamp is trusted is decided later against the
 * configured authserv-ids: anyone can write this header into a message they send.
 */
export function parseAuthResults(value: string): AuthResult[] {
  const raw = value.replace(/\s+/g, ' ').trim();
  const noComments = raw.replace(/\([^()]*\)/g, '');
  const parts = noComments.split(';').map((p) => p.trim());
  const authservId = (parts[0] ?? '').split(/\s+/)[0]?.toLowerCase() ?? '';
  const out: AuthResult[] = [];
  for (const p of parts.slice(1)) {
    const m = /^([a-z0-9_-]+)\s*=\s*([a-z0-9_-]+)/i.exec(p);
    if (m) out.push({ authservId, method: m[1].toLowerCase(), result: m[2].toLowerCase(), raw });
  }
  return out;
}

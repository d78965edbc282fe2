// The API client: same origin, Bearer key from session storage, every failure as an ApiError.

const STORE = 'ballotwatch.session';

/** An API failure. status 0 = the service could not be reached at all. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The service is down, restarting or cannot reach its store: worth a retry, not the user's fault. */
  get serviceDown() {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** The signed-in session, {key, role}, or null. Kept in session storage: it ends with the tab. */
export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORE) ?? 'null');
    return s && typeof s.key === 'string' && (s.role === 'analyst' || s.role === 'admin') ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(STORE, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(STORE);
}

/** Calls the API with `key` (default: the session's). Resolves to the JSON body (null for 204). */
export async function api(path, { method = 'GET', body, key } = {}) {
  const k = key ?? session()?.key;
  const headers = { Accept: 'application/json' };
  if (k) headers.Authorization = `Bearer ${k}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'The ballotwatch service cannot be reached.');
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : { code: `http_${res.status}`, message: res.statusText || `HTTP ${res.status}` };
    throw new ApiError(res.status, e.code, e.message);
  }
  return data;
}

/** A query string from an object, leaving out empty values. */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * Checks a key and finds its role: the stats route answers analysts and admins (401 unknown key,
 * 403 gateway key), the failed-jobs route answers admins only.
 */
export async function signIn(key) {
  await api('/v1/stats?top=1', { key });
  let role = 'analyst';
  try {
    await api('/v1/jobs/failed?limit=1', { key });
    role = 'admin';
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 403) throw err;
  }
  saveSession({ key, role });
  return role;
}

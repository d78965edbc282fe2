import type { FoundUrl } from './types';

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}]{2,2000}/gi;
/** At most this many URLs are kept per message: enough for every signal, bounded for hostile mail. */
export const MAX_URLS = 200;

export function hostOf(url: string): string {
  const m = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#:\s]+)/i.exec(url) ?? /^(www\.[^/?#:\s]+)/i.exec(url);
  if (!m) return '';
  const host = m[1].replace(/^[^@]*@/, '').toLowerCase().replace(/\.$/, '');
  try {
    // Punycode (xn--) stays as is; a Unicode host is kept in Unicode so confusables can be seen.
    return decodeURIComponent(host);
  } catch {
    return host;
  }
}

export function urlsInText(text: string, out: FoundUrl[]): void {
  for (const m of text.matchAll(URL_RE)) {
    if (out.length >= MAX_URLS) return;
    const url = m[0].replace(/[.,;:!?]+$/, '');
    out.push({ url, host: hostOf(url), source: 'text' });
  }
}

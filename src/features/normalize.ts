/**
 * Text normalisation before matching, against the evasions threat mail uses: Unicode
 * compatibility forms (NFKC: full-width and styled letters), confusable letters from other scripts
 * (Cyrillic "о" for Latin "o"), zero-width characters, diacritics (so Spanish rules are written
 * once, without accents), leetspeak ("v0te", "k1ll") and letter-spaced words ("V O T E").
 */

/** Latin look-alikes from Cyrillic and Greek (after lower-casing), from Unicode's confusables list. */
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ӏ: 'l', ɡ: 'g',
  α: 'a', ο: 'o', ρ: 'p', ε: 'e', ι: 'i', κ: 'k', ν: 'v', τ: 't', υ: 'u', χ: 'x',
  'ı': 'i', 'ȷ': 'j',
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).filter((k) => k.length === 1).join('')}]`, 'g');
/** Zero-width and invisible formatting characters, and soft hyphens. */
const INVISIBLE_RE = /\u034f|\u17b4|\u17b5|\u180b|\u180c|\u180d|[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
const MARKS_RE = /\p{M}+/gu;
/** Leetspeak digits and symbols → the letters they stand for (also used to locate evidence: api/content.ts). */
export const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };
/** A word mixing letters with leet digits/symbols, e.g. "v0te", "k!ll", "d3m0cr4ts". */
const LEET_WORD_RE = /(?<![\w@$!])[a-z0-9@$!]{0,30}[0-9@$!][a-z][a-z0-9@$!]{0,30}(?![\w@])/g;
/** Three or more single letters separated by one space, dot, dash or underscore: "v o t e". */
const SPACED_RE = /(?<![\p{L}\p{N}])\p{L}(?:[ ._*-]\p{L}){2,}(?![\p{L}\p{N}])/gu;

const NON_ASCII = /[\u0080-\uffff]/;

export function foldChars(s: string): string {
  // Fast path: pure ASCII text (most mail) has nothing for NFKC, confusables or diacritics to fold.
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(INVISIBLE_RE, '')
    .replace(CONFUSABLE_RE, (c) => CONFUSABLES[c] ?? c)
    .normalize('NFD')
    .replace(MARKS_RE, '');
}

/** True when the string mixes Latin letters with look-alikes from another script. */
export function hasConfusables(s: string): boolean {
  const lower = s.normalize('NFKC').toLowerCase();
  CONFUSABLE_RE.lastIndex = 0;
  return /[a-z]/.test(lower) && CONFUSABLE_RE.test(lower);
}

export function normalizeText(s: string): string {
  return foldChars(s)
    .replace(LEET_WORD_RE, (w) => (w.length < 3 || /^\d+(st|nd|rd|th|am|pm|s|k|m|x)$/.test(w) ? w : w.replace(/[0-9@$!]/g, (c) => LEET[c] ?? c)))
    .replace(SPACED_RE, (w) => w.replace(/[ ._*-]/g, ''))
    .replace(/[ \t]+/g, ' ');
}

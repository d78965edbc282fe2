/** The categories a message is classified into. Order is the model files' class order. */
export const CATEGORIES = ['ham', 'spam', 'intimidation', 'disinformation'] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * The Bayes stage's classes: the output categories plus `civic`, legitimate mail about elections
 * (office notices, campaign mail, news). Learned as its own class because its words are the threat
 * classes' words: folded into the thousands of ordinary ham messages, "ballot" or "poll worker"
 * would look like evidence of a threat (measured: 92 % of held-out legitimate election mail was not
 * clean with 4 classes). The combiner maps `civic` back to the `ham` category.
 */
export const BAYES_CLASSES = ['ham', 'civic', 'spam', 'intimidation', 'disinformation'] as const;
export type BayesClass = (typeof BAYES_CLASSES)[number];

/** Output category of a Bayes class. */
export function categoryOf(c: BayesClass): Category {
  return c === 'civic' ? 'ham' : c;
}

/** Stems (English and Spanish Porter) that mark mail as being about elections. */
const CIVIC_STEMS = new Set(['vote', 'voter', 'ballot', 'elect', 'campaign', 'candid', 'precinct', 'poll', 'vot', 'votant', 'bolet', 'eleccion', 'electoral', 'campan', 'candidat', 'casill']);

/** A ham message is learned as `civic` when it uses at least two distinct election stems. */
export function isCivic(tokens: string[]): boolean {
  let n = 0;
  const seen = new Set<string>();
  for (const t of tokens) {
    if (CIVIC_STEMS.has(t) && !seen.has(t)) {
      seen.add(t);
      if (++n >= 2) return true;
    }
  }
  return false;
}

export function isCategory(s: string): s is Category {
  return (CATEGORIES as readonly string[]).includes(s);
}

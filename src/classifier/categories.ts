/** The categories a message is classified into. Order is the model files' class order. */
export const CATEGORIES = ['ham', 'spam', 'intimidation', 'disinformation'] as const;
export type Category = (typeof CATEGORIES)[number];

export function isCategory(s: string): s is Category {
  return (CATEGORIES as readonly string[]).includes(s);
}

import { foldChars, hasConfusables, normalizeText } from '../../../src/features/normalize';

describe('normalizeText', () => {
  it('folds compatibility forms, case and diacritics', () => {
    expect(foldChars('ＶＯＴＥ Elección')).toBe('vote eleccion');
  });
  it('folds Cyrillic and Greek look-alikes into Latin', () => {
    expect(foldChars('Secretаry of Stаte')).toBe('secretary of state'); // Cyrillic а
    expect(hasConfusables('Secretаry')).toBe(true);
    expect(hasConfusables('Secretary')).toBe(false);
  });
  it('removes zero-width characters and soft hyphens', () => {
    expect(normalizeText('we will c\u200bome af\u00adter you')).toBe('we will come after you');
  });
  it('decodes leetspeak inside words but leaves numbers, times and ordinals', () => {
    expect(normalizeText('v0te or we k1ll')).toBe('vote or we kill');
    expect(normalizeText('polls close at 8pm on the 3rd, call 555-0101')).toBe('polls close at 8pm on the 3rd, call 555-0101');
  });
  it('joins letter-spaced words', () => {
    expect(normalizeText('V O T E for him')).toBe('vote for him');
    expect(normalizeText('c.h.a.n.g.e your party')).toBe('change your party');
  });
});

/**
 * Upper tail of the chi-squared distribution for an even number of degrees of freedom
 * (SpamBayes' chi2Q): P(X >= x2) for X ~ chi2(v). Exact series, no special functions.
 */
export function chi2Q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

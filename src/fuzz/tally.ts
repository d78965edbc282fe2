/** How one fuzz message ended. Only the first three are acceptable. */
export type OutcomeKind = 'scored' | 'unscanned' | 'http_4xx' | 'crash' | 'hung' | 'lost' | 'server_error';

export interface Outcome {
  index: number;
  kind: string;
  variant: string;
  outcome: OutcomeKind;
  /** The verdict (scored), the reason code (unscanned), the error code (4xx), or what went wrong. */
  detail: string;
  /** Wall time from sending the message to its end, ms (under load: a figure, not a limit). */
  ms?: number;
}

export interface KindTally {
  n: number;
  scored: Record<string, number>;
  unscanned: Record<string, number>;
  http4xx: Record<string, number>;
  crash: number;
  hung: number;
  lost: number;
  serverError: number;
  /** Sum and maximum of the messages' wall times, ms. */
  ms: number;
  maxMs: number;
}

export const BAD: readonly OutcomeKind[] = ['crash', 'hung', 'lost', 'server_error'];

export class Tally {
  readonly kinds = new Map<string, KindTally>();
  /** Every bad outcome (crash, hang, loss, 5xx) with its message index, to reproduce it with --only. */
  readonly failures: Outcome[] = [];

  add(o: Outcome): void {
    let k = this.kinds.get(o.kind);
    if (!k) this.kinds.set(o.kind, (k = { n: 0, scored: {}, unscanned: {}, http4xx: {}, crash: 0, hung: 0, lost: 0, serverError: 0, ms: 0, maxMs: 0 }));
    k.n++;
    k.ms += o.ms ?? 0;
    k.maxMs = Math.max(k.maxMs, o.ms ?? 0);
    const bump = (m: Record<string, number>) => (m[o.detail] = (m[o.detail] ?? 0) + 1);
    switch (o.outcome) {
      case 'scored':
        bump(k.scored);
        break;
      case 'unscanned':
        bump(k.unscanned);
        break;
      case 'http_4xx':
        bump(k.http4xx);
        break;
      case 'crash':
        k.crash++;
        break;
      case 'hung':
        k.hung++;
        break;
      case 'lost':
        k.lost++;
        break;
      case 'server_error':
        k.serverError++;
        break;
    }
    if (BAD.includes(o.outcome)) this.failures.push(o);
  }

  total(): KindTally {
    const t: KindTally = { n: 0, scored: {}, unscanned: {}, http4xx: {}, crash: 0, hung: 0, lost: 0, serverError: 0, ms: 0, maxMs: 0 };
    const merge = (a: Record<string, number>, b: Record<string, number>) => {
      for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
    };
    for (const k of this.kinds.values()) {
      t.n += k.n;
      merge(t.scored, k.scored);
      merge(t.unscanned, k.unscanned);
      merge(t.http4xx, k.http4xx);
      t.crash += k.crash;
      t.hung += k.hung;
      t.lost += k.lost;
      t.serverError += k.serverError;
      t.ms += k.ms;
      t.maxMs = Math.max(t.maxMs, k.maxMs);
    }
    return t;
  }

  get bad(): number {
    return this.failures.length;
  }

  toJSON() {
    return { kinds: Object.fromEntries(this.kinds), total: this.total(), failures: this.failures };
  }

  /** A plain-text table: one row per kind and a total row. */
  format(title: string): string {
    const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
    const list = (m: Record<string, number>) =>
      Object.entries(m)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    const row = (name: string, k: KindTally) => {
      const scored = sum(k.scored) ? `${sum(k.scored)} (${list(k.scored)})` : '0';
      const uns = sum(k.unscanned) ? `${sum(k.unscanned)} (${list(k.unscanned)})` : '0';
      const h4 = sum(k.http4xx) ? `${sum(k.http4xx)} (${list(k.http4xx)})` : '0';
      const ms = `${Math.round(k.ms / Math.max(1, k.n))} / ${Math.round(k.maxMs)}`;
      return [name, String(k.n), scored, uns, h4, String(k.crash), String(k.hung), String(k.lost), String(k.serverError), ms];
    };
    const rows = [['kind', 'n', 'scored (verdicts)', 'unscanned (reasons)', '4xx (codes)', 'crash', 'hung', 'lost', '5xx', 'ms avg / max']];
    for (const [name, k] of [...this.kinds].sort((a, b) => a[0].localeCompare(b[0]))) rows.push(row(name, k));
    rows.push(row('TOTAL', this.total()));
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
    return [`${title}`, ...lines].join('\n');
  }
}

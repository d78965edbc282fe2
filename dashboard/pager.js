import { api, qs } from './api.js';

/**
 * Pages of the message list, newest first, over one or more verdicts. The API filters on one
 * verdict at a time, so "flagged and suspicious" reads both lists with their own cursors and
 * merges them (same order as the API: receivedAt, then id, descending). Pages already built are
 * kept, so going back is free and a page number can be reopened.
 */
export class MergedPager {
  /** `filters`: the list query without verdict and cursor; `verdicts`: [] for any verdict. */
  constructor(filters, verdicts, pageSize) {
    this.filters = filters;
    this.pageSize = pageSize;
    this.streams = (verdicts.length ? verdicts : [null]).map((v) => ({ verdict: v, buf: [], cursor: null, done: false }));
    this.pages = [];
  }

  get exhausted() {
    return this.streams.every((s) => s.done && s.buf.length === 0);
  }

  async fill(s) {
    // A filter that matches little may come back short with a cursor (the API bounds each read):
    // keep reading, a bounded number of times.
    for (let i = 0; i < 20 && !s.done && s.buf.length < this.pageSize; i++) {
      const page = await api(`/v1/messages${qs({ ...this.filters, verdict: s.verdict ?? undefined, cursor: s.cursor ?? undefined, limit: this.pageSize })}`);
      s.buf.push(...page.items);
      s.cursor = page.nextCursor;
      if (!page.nextCursor) s.done = true;
    }
  }

  /** Page `n` (0 = newest): {items, hasOlder}. */
  async page(n) {
    while (this.pages.length <= n && !(this.pages.length > 0 && this.exhausted)) {
      await Promise.all(this.streams.map((s) => this.fill(s)));
      const items = [];
      while (items.length < this.pageSize) {
        let best = null;
        for (const s of this.streams) if (s.buf.length && (!best || newer(s.buf[0], best.buf[0]))) best = s;
        if (!best) break;
        items.push(best.buf.shift());
      }
      this.pages.push(items);
      if (this.exhausted) break;
    }
    const items = this.pages[Math.min(n, this.pages.length - 1)] ?? [];
    return { items, hasOlder: n < this.pages.length - 1 || !this.exhausted, index: Math.min(n, Math.max(0, this.pages.length - 1)) };
  }
}

function newer(a, b) {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt > b.receivedAt;
  return a.id > b.id;
}

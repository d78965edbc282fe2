import { popcount32 as bits } from '../features/simhash';
import type { Campaign, CampaignMember } from './types';

/**
 * Near-duplicate threshold in simhash bits: personalised copies of one threat measured ≤ 5 bits
 * apart, different legitimate mails > 12 (see src/features/simhash.ts); unrelated text averages 32.
 */
export const CAMPAIGN_MAX_DISTANCE = 8;

/**
 * Groups members whose simhashes are within `maxDistance` bits (single linkage, union-find). The
 * pairwise pass is O(n²) over at most the query's scanLimit members (5,000 by default: 12.5M
 * comparisons, ~0.1 s), which bounds the work per request.
 */
export function groupCampaigns(members: CampaignMember[], opts: { minSize: number; limit: number; maxDistance?: number }): Campaign[] {
  const max = opts.maxDistance ?? CAMPAIGN_MAX_DISTANCE;
  const n = members.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const hi = members.map((m) => parseInt(m.simhash.slice(0, 8), 16));
  const lo = members.map((m) => parseInt(m.simhash.slice(8), 16));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (bits(hi[i] ^ hi[j]) + bits(lo[i] ^ lo[j]) <= max) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[a] = b;
      }
    }
  }
  const groups = new Map<number, CampaignMember[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(members[i]);
    else groups.set(r, [members[i]]);
  }
  const out: Campaign[] = [];
  for (const g of groups.values()) {
    if (g.length < Math.max(2, opts.minSize)) continue;
    g.sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : -1));
    const newest = g[0];
    const earliest = g[g.length - 1];
    const count = <K extends string>(keys: (K | null)[]) => {
      const c: Partial<Record<K, number>> = {};
      for (const k of keys) if (k) c[k] = (c[k] ?? 0) + 1;
      return c;
    };
    out.push({
      id: earliest.id,
      size: g.length,
      firstSeen: earliest.receivedAt,
      lastSeen: newest.receivedAt,
      gateways: distinct(g.map((m) => m.gateway)),
      senderDomains: distinct(g.map((m) => m.senderDomain)),
      verdicts: count(g.map((m) => m.verdict)),
      categories: count(g.map((m) => m.category)),
      subject: newest.subject,
      sampleId: newest.id,
      messageIds: g.map((m) => m.id),
    });
  }
  out.sort((a, b) => b.size - a.size || b.lastSeen - a.lastSeen);
  return out.slice(0, opts.limit);
}

function distinct(xs: (string | null)[]): string[] {
  return [...new Set(xs.filter((x): x is string => !!x))].sort();
}

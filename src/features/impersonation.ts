import { DamerauLevenshteinDistance } from 'natural/lib/natural/distance/levenshtein_distance';
import { foldChars, hasConfusables } from './normalize';
import type { ImpersonationRegistry } from './registry-schema';
import type { SignalContext, SignalDef } from './types';

/**
 * State and local government names under .us (RFC 1480 locality names: sos.state.oh.us,
 * co.washoe.nv.us, ci.fresno.ca.us). The rest of .us is open to anyone: ohio-voter-portal.us is
 * not a government domain.
 */
const US_LOCALITY = /(?:^|\.)(?:state|co|ci|city|county|town|twp|vil|k12|lib|cc|tec|gen|dst|nsn)\.(?:[a-z0-9-]+\.)?[a-z]{2}\.us$/;

/** Does `domain` belong to one of `owned` (exact, subdomain, or a ".gov"-style suffix)? ".us" means a locality name. */
export function domainOwned(domain: string, owned: string[]): boolean {
  const d = domain.toLowerCase();
  return owned.some((o) => (o === '.us' ? US_LOCALITY.test(d) : o.startsWith('.') ? d.endsWith(o) : d === o || d.endsWith(`.${o}`)));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const aliasCache = new WeakMap<object, RegExp>();
function aliasRe(aliases: string[]): RegExp {
  let re = aliasCache.get(aliases);
  if (!re) {
    re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${aliases.map((a) => escapeRe(foldChars(a))).join('|')})(?![\\p{L}\\p{N}])`, 'u');
    aliasCache.set(aliases, re);
  }
  return re;
}

const groupAliases = new WeakMap<ImpersonationRegistry, string[]>();
function allGroupAliases(reg: ImpersonationRegistry): string[] {
  let a = groupAliases.get(reg);
  if (!a) groupAliases.set(reg, (a = reg.groups.flatMap((g) => g.aliases)));
  return a;
}

/** Domains the message presents as its sender: From and Reply-To (Return-Path is usually a bulk mailer's). */
function senderDomains(ctx: SignalContext): string[] {
  const m = ctx.mail;
  const out = new Set<string>();
  if (m.from?.domain) out.add(m.from.domain);
  for (const r of m.replyTo) if (r.domain) out.add(r.domain);
  return [...out];
}

/** First-person self-identification near a group name: "we are the proud boys", "- proud boys". */
function selfIdentifies(text: string, re: RegExp): string | null {
  const m = re.exec(text);
  if (!m) return null;
  const start = Math.max(0, m.index - 60);
  const around = text.slice(start, m.index + m[0].length + 40);
  const firstPerson = /\b(?:we are|we're|this is|from|sincerely|signed|regards|somos|atentamente|de parte de|members of|brothers of|nosotros)\b|^[\s\-–—_*]*$/m;
  const signature = new RegExp(`(?:^|\\n)[\\s\\-–—_*~]*(?:the )?${escapeRe(m[0])}[\\s!.]*$`, 'm');
  return firstPerson.test(around.slice(0, m.index - start)) || signature.test(around) ? around.trim() : null;
}

export const impersonationSignals: SignalDef[] = [
  {
    id: 'GROUP_IMPERSONATION',
    group: 'impersonation',
    description: 'Claims to come from a named extremist or militia group (from the configurable registry)',
    run(ctx) {
      const display = foldChars(ctx.mail.from?.name ?? '');
      let best: { strength: number; evidence: string } | null = null;
      const anyGroup = aliasRe(allGroupAliases(ctx.registry));
      if (!anyGroup.test(display) && !anyGroup.test(ctx.own)) return null;
      for (const g of ctx.registry.groups) {
        if (senderDomains(ctx).some((d) => g.domains.length > 0 && domainOwned(d, g.domains))) continue;
        const re = aliasRe(g.aliases);
        let hit: { strength: number; evidence: string } | null = null;
        if (re.test(display)) hit = { strength: 0.9, evidence: `From display name "${ctx.mail.from?.name}" claims ${g.name}` };
        else {
          const self = selfIdentifies(ctx.own, re);
          if (self) hit = { strength: ctx.reporting ? 0.3 : 0.8, evidence: `"${self.slice(0, 160)}"${ctx.reporting ? ' [reported]' : ''}` };
          else if (re.test(ctx.own)) hit = { strength: 0.2, evidence: `mentions ${g.name}` };
        }
        if (hit && (!best || hit.strength > best.strength)) best = hit;
      }
      return best;
    },
  },
  {
    id: 'OFFICIAL_IMPERSONATION',
    group: 'impersonation',
    description: 'Display name or signature claims an election office or agency (SoS, clerk, USPS, CISA, FBI) but the sender domain is not theirs',
    run(ctx) {
      const from = ctx.mail.from;
      if (!from) return null;
      const display = foldChars(from.name);
      const sig = ctx.own.slice(-400);
      for (const o of ctx.registry.officials) {
        const re = aliasRe(o.aliases);
        const inName = re.test(display);
        const inSig = !inName && re.test(sig) && /\b(?:sincerely|regards|atentamente|office|department|oficina|departamento)\b/.test(sig);
        if (!inName && !inSig) continue;
        if (from.domain && domainOwned(from.domain, o.domains)) continue;
        const free = ctx.registry.freemail.includes(from.domain);
        const strength = (inName ? 0.7 : 0.4) + (free ? 0.25 : 0);
        return { strength: Math.min(1, strength), evidence: `${inName ? `display name "${from.name}"` : 'signature'} claims ${o.name}; sender is ${from.address || '(no address)'}` };
      }
      return null;
    },
  },
  {
    id: 'LOOKALIKE_DOMAIN',
    group: 'impersonation',
    description: 'Sender, Reply-To or link domain imitates an official one (official words outside .gov, edit distance ≤ 2, or Unicode look-alikes)',
    run(ctx) {
      const hosts = new Set([...senderDomains(ctx), ...ctx.mail.urls.map((u) => u.host).filter(Boolean)]);
      return lookalike([...hosts], ctx.registry);
    },
  },
  {
    id: 'CONFUSABLE_DISPLAY_NAME',
    group: 'impersonation',
    description: 'Display name or subject mixes Latin letters with look-alike letters from another script',
    run(ctx) {
      const name = ctx.mail.from?.name ?? '';
      if (hasConfusables(name)) return { strength: 0.8, evidence: `From display name "${name}"` };
      if (hasConfusables(ctx.mail.subject)) return { strength: 0.6, evidence: `Subject "${ctx.mail.subject.slice(0, 120)}"` };
      return null;
    },
  },
];

/** '.us' stands for .us locality names only (see domainOwned). */
const OFFICIAL_SUFFIXES = ['.gov', '.mil', '.us'];

interface LookalikeTables {
  officialDomains: string[];
  brands: { od: string; re: RegExp }[];
  words: { w: string; re: RegExp }[];
  /** Per-host verdicts, cached: mail repeats the same few thousand link and sender hosts. */
  verdicts: Map<string, { strength: number; evidence: string } | null>;
}
const tables = new WeakMap<ImpersonationRegistry, LookalikeTables>();
function lookalikeTables(reg: ImpersonationRegistry): LookalikeTables {
  let t = tables.get(reg);
  if (!t) {
    const officialDomains = reg.officials.flatMap((o) => o.domains).filter((d) => !d.startsWith('.'));
    t = {
      officialDomains,
      brands: officialDomains
        .map((od) => ({ od, brand: od.split('.')[0] }))
        // Generic words ("vote" of vote.gov, "ice") make poor brands: vote.org is not imitating vote.gov.
        .filter((b) => b.brand.length >= 3 && !['vote', 'ice', 'usa', 'gov'].includes(b.brand))
        .map(({ od, brand }) => ({ od, re: new RegExp(`(?:^|[.-])${escapeRe(brand)}(?:[.-]|$)`) })),
      words: reg.officialWords.map((w) => ({ w, re: new RegExp(`(?:^|[^a-z])${escapeRe(w)}`) })),
      verdicts: new Map(),
    };
    tables.set(reg, t);
  }
  return t;
}

/** Looks for domains dressed up as official ones. Exported for unit tests. */
export function lookalike(hosts: string[], reg: ImpersonationRegistry): { strength: number; evidence: string } | null {
  const { officialDomains, brands, words: wordRes, verdicts: hostVerdicts } = lookalikeTables(reg);
  const seen = new Set<string>();
  for (const raw of hosts.slice(0, 60)) {
    const host = raw.toLowerCase();
    if (seen.has(host)) continue;
    seen.add(host);
    if (domainOwned(host, OFFICIAL_SUFFIXES) || domainOwned(host, officialDomains)) continue;
    if (/[\u0080-\uffff]/.test(host) || host.includes('xn--')) {
      const folded = foldChars(host);
      if (folded !== host) return { strength: 0.9, evidence: `${host} uses look-alike characters (reads as ${folded})` };
    }
    const cached = hostVerdicts.get(host);
    if (cached !== undefined) {
      if (cached) return cached;
      continue;
    }
    const v = lookalikeHost(host, officialDomains, brands, wordRes);
    if (hostVerdicts.size >= 20_000) hostVerdicts.clear();
    hostVerdicts.set(host, v);
    if (v) return v;
  }
  return null;
}


function lookalikeHost(
  host: string,
  officialDomains: string[],
  brands: LookalikeTables['brands'],
  wordRes: LookalikeTables['words'],
): { strength: number; evidence: string } | null {
  const labels = host.split('.');
  const name = labels.slice(0, -1).join('.');
  // "gov" inside a non-government domain: sos-ohio-gov.com, elections.gov.vote-info.net, cisa-gov.us
  if (/(?:^|[.-])gov(?:[.-]|$)/.test(name)) return { strength: 0.85, evidence: `${host} imitates a .gov domain` };
  const base = labels.slice(-2).join('.');
  const tld = labels[labels.length - 1];
  for (const od of officialDomains) {
    // natural's Damerau-Levenshtein costs ~5 µs a pair: only compare same-TLD names of similar length.
    if (!od.endsWith(`.${tld}`) || Math.abs(base.length - od.length) > 2 || od.length < 6) continue;
    const d = DamerauLevenshteinDistance(base, od);
    if (d > 0 && d <= 2) return { strength: 0.8, evidence: `${host} is ${d} edit(s) from ${od}` };
  }
  for (const b of brands) if (base !== b.od && b.re.test(name)) return { strength: 0.75, evidence: `${host} uses the name of ${b.od}` };
  const words = wordRes.filter((w) => w.re.test(name)).map((w) => w.w);
  if (words.length >= 2) return { strength: 0.5, evidence: `${host} is built from official-sounding words (${words.join(', ')})` };
  return null;
}

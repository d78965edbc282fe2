import { domainOwned } from './impersonation';
import type { AuthResult } from '../mail/types';
import type { SignalContext, SignalDef } from './types';

/** Organisational part of a domain: the last two labels (three for a few public suffixes). */
export function orgDomain(domain: string): string {
  const labels = domain.toLowerCase().split('.').filter(Boolean);
  const n = /^(?:co|com|org|net|gov|ac|edu)\.[a-z]{2}$/.test(labels.slice(-2).join('.')) ? 3 : 2;
  return labels.slice(-n).join('.');
}

/** Authentication-Results entries stamped by a configured (trusted) authserv-id. */
function trustedAuth(ctx: SignalContext): AuthResult[] {
  return ctx.mail.authResults.filter((r) => ctx.trustedAuthservIds.includes(r.authservId));
}

export const headerSignals: SignalDef[] = [
  {
    id: 'REPLYTO_MISMATCH',
    group: 'headers',
    description: 'Replies go to a different organisation than the From address (stronger when it is free mail)',
    run(ctx) {
      const from = ctx.mail.from?.domain;
      if (!from) return null;
      const other = ctx.mail.replyTo.find((r) => r.domain && orgDomain(r.domain) !== orgDomain(from));
      if (!other) return null;
      const free = ctx.registry.freemail.includes(other.domain);
      return { strength: free ? 0.8 : 0.5, evidence: `From ${ctx.mail.from?.address} but Reply-To ${other.address}` };
    },
  },
  {
    id: 'DISPLAY_NAME_MISMATCH',
    group: 'headers',
    description: 'The display name shows an e-mail address or domain other than the real sender',
    run(ctx) {
      const from = ctx.mail.from;
      if (!from?.domain) return null;
      // Bounded input and a left anchor: a 250 KB display name took 39 s with the unanchored form.
      const m = /(?<![a-z0-9.-])([a-z0-9.-]{1,100}\.(?:gov|com|org|net|us|info|edu))\b/i.exec(from.name.slice(0, 256));
      if (!m) return null;
      const shown = m[1].toLowerCase().replace(/^.*@/, '');
      if (orgDomain(shown) === orgDomain(from.domain)) return null;
      return { strength: 0.7, evidence: `display name "${from.name}" but address ${from.address}` };
    },
  },
  {
    id: 'DMARC_FAIL',
    group: 'headers',
    description: 'A trusted gateway stamped DMARC (or SPF and DKIM both) as failed',
    run(ctx) {
      const trusted = trustedAuth(ctx);
      if (trusted.length === 0) return null;
      const dmarc = trusted.find((r) => r.method === 'dmarc' && (r.result === 'fail' || r.result === 'permerror'));
      if (dmarc) return { strength: 0.9, evidence: `Authentication-Results: ${dmarc.raw.slice(0, 200)}` };
      const spf = trusted.find((r) => r.method === 'spf' && (r.result === 'fail' || r.result === 'softfail'));
      const dkim = trusted.find((r) => r.method === 'dkim' && r.result === 'fail');
      if (spf && dkim) return { strength: 0.6, evidence: `Authentication-Results: ${spf.raw.slice(0, 200)}` };
      return null;
    },
  },
  {
    id: 'OFFICIAL_SENDER',
    group: 'context',
    description: 'Sent from a real government or registered official domain (verified when a trusted gateway stamped DMARC pass)',
    run(ctx) {
      const from = ctx.mail.from;
      if (!from?.domain) return null;
      const owned = ctx.registry.officials.some((o) => domainOwned(from.domain, o.domains));
      if (!owned) return null;
      const pass = trustedAuth(ctx).some((r) => r.method === 'dmarc' && r.result === 'pass');
      return { strength: pass ? 1 : 0.5, evidence: `From ${from.address}${pass ? ' (DMARC pass from a trusted gateway)' : ' (not verified)'}` };
    },
  },
  {
    id: 'URL_ANCHOR_MISMATCH',
    group: 'headers',
    description: 'A link shows one host as its text but points to another',
    run(ctx) {
      for (const u of ctx.mail.urls) {
        if (u.source !== 'href' || !u.anchorText || !u.host) continue;
        const m = /^(?:https?:\/\/)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/i.exec(u.anchorText.trim());
        if (!m || !/\.[a-z]{2,}$/i.test(m[1])) continue;
        const shown = m[1].toLowerCase();
        if (orgDomain(shown) !== orgDomain(u.host) && !domainOwned(u.host, [shown])) {
          return { strength: 0.7, evidence: `link text ${shown} points to ${u.host}` };
        }
      }
      return null;
    },
  },
  {
    id: 'MIME_BROKEN',
    group: 'mime',
    description: 'The MIME structure is broken (missing boundary, undecodable body, truncated HTML)',
    run(ctx) {
      if (ctx.mail.warnings.length === 0) return null;
      return { strength: 0.5, evidence: ctx.mail.warnings.map((w) => w.message).join('; ').slice(0, 200) };
    },
  },
  {
    id: 'REPORTED_CONTEXT',
    group: 'context',
    description: 'The message reports, forwards or quotes content (news, advisory, fact-check, forward to IT) rather than making it',
    run(ctx) {
      if (!ctx.reporting) return null;
      return { strength: Math.min(1, 0.4 + 0.2 * ctx.reportingCues.length), evidence: `reporting cues: ${ctx.reportingCues.join(', ')}` };
    },
  },
  {
    id: 'FORWARDED_CONTENT',
    group: 'context',
    description: 'Most of the message is a quoted or forwarded original',
    run(ctx) {
      if (!ctx.quoted || ctx.quoted.length < 80) return null;
      return { strength: ctx.quoted.length > ctx.own.length ? 0.8 : 0.4, evidence: `${ctx.quoted.length} quoted characters, ${ctx.own.length} own` };
    },
  },
];

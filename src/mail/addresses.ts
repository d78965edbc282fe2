import type { AddressObject } from 'mailparser';
import type { Mailbox } from './types';

export function toMailbox(name: string | undefined, address: string | undefined): Mailbox {
  const addr = (address ?? '').trim().toLowerCase();
  const at = addr.lastIndexOf('@');
  return { name: (name ?? '').trim(), address: addr, domain: at >= 0 ? addr.slice(at + 1) : '' };
}

/** Flattens mailparser's address objects (groups included) into mailboxes. */
export function mailboxes(value: AddressObject | AddressObject[] | undefined): Mailbox[] {
  if (!value) return [];
  const out: Mailbox[] = [];
  for (const obj of Array.isArray(value) ? value : [value]) {
    for (const a of obj.value ?? []) {
      if (a.group) for (const g of a.group) out.push(toMailbox(g.name, g.address));
      else out.push(toMailbox(a.name, a.address));
    }
  }
  return out;
}

/** Lower-cased host of an e-mail address or bracketed path (`<bounce@x.org>` → x.org). */
export function domainOf(address: string): string {
  const m = /@([^\s>@]+)>?\s*$/.exec(address.trim());
  return m ? m[1].toLowerCase().replace(/\.$/, '') : '';
}

import type { ParsedEmail } from '../mail/types';
import type { ImpersonationRegistry } from './registry-schema';

/** Signal groups: what kind of evidence a signal is. */
export type SignalGroup =
  | 'threat'
  | 'coercion'
  | 'voter_data'
  | 'impersonation'
  | 'process'
  | 'fraud_claim'
  | 'headers'
  | 'context'
  | 'mime';

/** One explainable finding about a message (cf. an rspamd symbol). */
export interface Signal {
  /** UPPER_SNAKE, stable: shown in logs, stored results and dashboards. */
  id: string;
  group: SignalGroup;
  description: string;
  /** 0..1: how strongly the message shows it. */
  strength: number;
  /** The matched text span or header, for a human to read. */
  evidence: string;
}

/** What every signal extractor reads: the parsed message plus its normalised text. */
export interface SignalContext {
  mail: ParsedEmail;
  /** Subject + body text after normalisation (see normalize.ts), unquoted part only. */
  own: string;
  /** Quoted or forwarded part (after "> " or a forward marker), normalised. */
  quoted: string;
  /** True when the message's own text frames the content as a report, forward, news or advisory. */
  reporting: boolean;
  /** The reporting cues found, for evidence. */
  reportingCues: string[];
  /** Line of the normalised text where a forwarded or replied-to original begins; -1 or absent when none. */
  forwardLine?: number;
  registry: ImpersonationRegistry;
  /** Authentication-Results authserv-ids whose stamps are trusted. */
  trustedAuthservIds: string[];
}

/** A declarative signal definition: the registry lists, documents and runs these in order. */
export interface SignalDef {
  id: string;
  group: SignalGroup;
  description: string;
  /** Returns the finding, or null when the message does not show it. */
  run(ctx: SignalContext): Omit<Signal, 'id' | 'group' | 'description'> | null;
}

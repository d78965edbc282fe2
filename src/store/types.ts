import type { Category } from '../classifier/categories';
import type { ScanResult } from '../pipeline';
import type { Verdict } from '../scoring/verdict';

/**
 * What a gateway tells us about the SMTP transaction, as rspamd takes it (`IP`, `From`, `Rcpt`,
 * `Helo` headers on /checkv2). All optional: a dashboard upload has none of it.
 */
export interface Envelope {
  /** Connecting client's IP address. */
  clientIp: string | null;
  /** SMTP MAIL FROM (may be empty for bounces). */
  mailFrom: string | null;
  /** SMTP RCPT TO, one entry per recipient. */
  rcptTo: string[];
  /** SMTP HELO/EHLO name. */
  helo: string | null;
  /** Which gateway (or office) submitted the message; indexed for dashboards. */
  gateway: string | null;
}

export type MessageStatus = 'queued' | 'done' | 'failed';

/** Labels an analyst can give a message (the model's categories). */
export const FEEDBACK_LABELS = ['ham', 'spam', 'intimidation', 'disinformation'] as const;
export type FeedbackLabel = (typeof FEEDBACK_LABELS)[number];

/** An analyst's correction, kept for retraining. */
export interface Feedback {
  /** Feedback entry id (random, unique). */
  id: string;
  /** The message it is about. */
  messageId: string;
  label: FeedbackLabel;
  note: string;
  /** Key id (not the key) of the analyst who gave it. */
  by: string;
  /** ms since epoch. */
  at: number;
  /** The message's verdict and category when the feedback was given (what the model said). */
  verdict: Verdict | null;
  category: Category | null;
  /** Whether the raw message was still stored when the feedback arrived (then it is kept for retraining). */
  rawKept: boolean;
}

/** One message: its acceptance, then its result. */
export interface MessageRecord {
  /** sha256 of the raw bytes, hex: the same bytes always get the same id. */
  id: string;
  status: MessageStatus;
  /** When the message was first accepted (ms since epoch). Later identical posts do not change it. */
  receivedAt: number;
  /** Raw size in bytes. */
  size: number;
  envelope: Envelope;
  /** Set when status is `done`. */
  result: ScanResult | null;
  /** When the result was stored (ms). */
  scoredAt: number | null;
  /** Set when status is `failed` (the job ran out of attempts or can never be scored). */
  error: { code: string; message: string } | null;
  /** 64-bit simhash of the normalised text, 16 hex digits; null until scored or when unscanned. */
  simhash: string | null;
  /** Sender domain (From header's, else MAIL FROM's), lower case; null until scored or when unknown. */
  senderDomain: string | null;
  /** Analysts' feedback on this message, oldest first. */
  feedback: Feedback[];
}

export interface AcceptInput {
  id: string;
  raw: Buffer;
  receivedAt: number;
  envelope: Envelope;
}

export interface CompleteInput {
  result: ScanResult;
  simhash: string | null;
  senderDomain: string | null;
  scoredAt: number;
}

/** Filters for listing messages; every field optional and combined with AND. */
export interface ListQuery {
  verdict?: Verdict;
  category?: Category;
  status?: MessageStatus;
  /** receivedAt ≥ since (ms). */
  since?: number;
  /** receivedAt < until (ms). */
  until?: number;
  gateway?: string;
  /** Sender domain, exact (lower case). */
  sender?: string;
  /** Case-insensitive substring of subject or From address. */
  q?: string;
  /** Opaque cursor from the previous page's nextCursor. */
  cursor?: string;
  /** 1..500. */
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface StatsQuery {
  since: number;
  until: number;
  bucket: 'hour' | 'day';
  /** How many top sender domains / signals to return. */
  top: number;
}

export interface Counts {
  total: number;
  verdict: Partial<Record<Verdict, number>>;
  category: Partial<Record<Category, number>>;
}

export interface Stats extends Counts {
  since: number;
  until: number;
  bucket: 'hour' | 'day';
  /** One entry per bucket that has messages, oldest first; `start` is the bucket's start (ms, UTC). */
  series: (Counts & { start: number })[];
  /** Sender domains with the most flagged/suspicious messages (`flagged` = not clean and not unscanned). */
  topSenderDomains: { domain: string; total: number; flagged: number }[];
  /** Signals seen most often on scored messages. */
  topSignals: { id: string; count: number }[];
}

export interface FeedbackQuery {
  label?: FeedbackLabel;
  since?: number;
  until?: number;
  cursor?: string;
  limit: number;
}

export interface CampaignQuery {
  since: number;
  until: number;
  /** Verdicts whose messages are grouped (default: flagged and suspicious). */
  verdicts: Verdict[];
  /** Smallest group reported (≥ 2). */
  minSize: number;
  /** Most messages read from the window (newest first); bounds the work. */
  scanLimit: number;
  limit: number;
}

/** A group of near-duplicate messages (simhash within a small Hamming distance). */
export interface Campaign {
  /** Stable id of the group: its earliest member's id. */
  id: string;
  size: number;
  firstSeen: number;
  lastSeen: number;
  /** Distinct gateways (offices) the text reached. */
  gateways: string[];
  senderDomains: string[];
  verdicts: Partial<Record<Verdict, number>>;
  categories: Partial<Record<Category, number>>;
  /** A representative subject and message id (the newest member). */
  subject: string;
  sampleId: string;
  messageIds: string[];
}

/** What the campaign grouping needs from each message. */
export interface CampaignMember {
  id: string;
  simhash: string;
  receivedAt: number;
  gateway: string | null;
  senderDomain: string | null;
  verdict: Verdict;
  category: Category | null;
  subject: string;
}

export interface Retention {
  /** How long a result (and its indexes and stats) is kept, ms. */
  resultsMs: number;
  /** How long the raw message of a flagged/suspicious/unscanned result is kept, ms. */
  rawMs: number;
  /**
   * How long the raw message of a clean result is kept, ms; 0 or absent: deleted when scored. Kept,
   * an analyst can still correct a missed threat with trainable feedback (feedback pins the raw).
   */
  cleanRawMs?: number;
}

/**
 * Where results live: Redis (service mode) or an embedded SQLite file (no REDIS_URL). One contract
 * test suite (test/store/store-contract.ts) runs against both.
 */
export interface ResultStore {
  readonly kind: 'redis' | 'sqlite';
  /**
   * Stores the raw bytes and a `queued` record, atomically, unless the id exists. Returns the
   * existing record (created=false) when it does: the same bytes are accepted once.
   */
  accept(input: AcceptInput): Promise<{ created: boolean; record: MessageRecord }>;
  /** The raw message, while it is kept. */
  getRaw(id: string): Promise<Buffer | null>;
  /**
   * Stores the result and indexes it, once: a second call for a `done` record changes nothing and
   * returns null (a retried job must not count twice). Deletes the raw message when the verdict is
   * clean; keeps it for `rawMs` otherwise. Returns the stored record.
   */
  complete(id: string, input: CompleteInput): Promise<MessageRecord | null>;
  /** Marks a record `failed` (its raw message stays for a retry). */
  fail(id: string, error: { code: string; message: string }): Promise<void>;
  /** Puts a failed record back to `queued` (before re-enqueueing it). False if it is not failed. */
  requeue(id: string): Promise<boolean>;
  get(id: string): Promise<MessageRecord | null>;
  /** Newest first by receivedAt (ties by id, descending). */
  list(q: ListQuery): Promise<Page<MessageRecord>>;
  /** Counts over scored (`done`) messages received in [since, until). */
  stats(q: StatsQuery): Promise<Stats>;
  /** Adds feedback to a message; null when the message is unknown. Keeps its raw message (no expiry). */
  addFeedback(messageId: string, fb: { label: FeedbackLabel; note: string; by: string; at: number }): Promise<Feedback | null>;
  /** Newest first. */
  listFeedback(q: FeedbackQuery): Promise<Page<Feedback>>;
  /** Members for campaign grouping: scored messages in the window with the given verdicts and a simhash, newest first. */
  campaignMembers(q: CampaignQuery): Promise<CampaignMember[]>;
  /** Ids still `queued` that were accepted before `before` (ms): the re-enqueue sweep uses these. */
  pending(before: number, limit: number): Promise<string[]>;
  /** Drops results, indexes and raw messages past retention. */
  purge(now: number): Promise<{ results: number; raw: number }>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

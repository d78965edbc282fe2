/** One mailbox from an address header. */
export interface Mailbox {
  /** Display name as decoded (RFC 2047), '' when absent. */
  name: string;
  /** Lower-cased address, '' when the header held only a name or a group. */
  address: string;
  /** Lower-cased domain part of the address, '' when absent. */
  domain: string;
}

/** One result from an Authentication-Results header (RFC 8601). */
export interface AuthResult {
  /** The authserv-id that stamped the header: only trusted when configured. */
  authservId: string;
  /** e.g. spf, dkim, dmarc, arc */
  method: string;
  /** e.g. pass, fail, softfail, none, temperror */
  result: string;
  /** The whole header value, for evidence. */
  raw: string;
}

/** A URL found in the text or HTML of the message. */
export interface FoundUrl {
  url: string;
  /** Lower-cased host name ('' when the URL has none). */
  host: string;
  /** Where it was found: the visible text, or an HTML href/src. */
  source: 'text' | 'href';
  /** For an HTML link: the visible anchor text, when it is itself a URL or host. */
  anchorText?: string;
}

/** Attachment metadata only: attachments are never executed or unpacked. */
export interface AttachmentInfo {
  filename: string;
  contentType: string;
  size: number;
}

/** Something the parser noticed that affects how far the result can be trusted. */
export interface ParseWarning {
  /** Stable code, e.g. `missing_boundary`, `html_truncated`. */
  code: string;
  message: string;
}

/** A raw RFC 822 message turned into the typed fields the later stages read. */
export interface ParsedEmail {
  /** Header lines in order, lower-cased name and raw (unfolded) value. */
  headers: { name: string; value: string }[];
  from: Mailbox | null;
  replyTo: Mailbox[];
  returnPath: string;
  to: Mailbox[];
  subject: string;
  /** ISO date, or null when missing or unparseable. */
  date: string | null;
  messageId: string;
  /** Received headers, newest (top) first. */
  received: string[];
  authResults: AuthResult[];
  /** Plain-text body (the text/plain parts). */
  text: string;
  /** Text rendered from the HTML parts, including image alt text. */
  htmlText: string;
  /** True when the message has HTML and no plain-text alternative. */
  htmlOnly: boolean;
  urls: FoundUrl[];
  attachments: AttachmentInfo[];
  /** Size of the raw message in bytes. */
  size: number;
  warnings: ParseWarning[];
}

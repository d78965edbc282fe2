import { z } from 'zod';

const prob = z.coerce.number().min(0).max(1);
const positiveInt = z.coerce.number().int().positive();
const action = z.enum(['accept', 'add_header', 'quarantine']);
const csv = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean));

/**
 * Every BALLOTWATCH_* setting the scanner reads, with its default and why. Validated once at
 * start; every problem is listed. Nothing outside src/config reads process.env.
 */
export const envSchema = z.object({
  /** Model file to load (default: the newest shipped model in models/). */
  BALLOTWATCH_MODEL: z.string().optional(),
  /** Authentication-Results authserv-ids to trust (comma-separated): only your own gateways. */
  BALLOTWATCH_TRUSTED_AUTHSERV_IDS: csv,
  /** JSON file with the impersonation registry (groups, offices, their domains); default built in. */
  BALLOTWATCH_REGISTRY_FILE: z.string().optional(),
  /** Thresholds on the score (1 − P(ham)) for intimidation and disinformation. */
  BALLOTWATCH_SUSPICIOUS: prob.default(0.5),
  BALLOTWATCH_FLAGGED: prob.default(0.9),
  /** Per-category overrides (optional). Spam defaults to 0.9 / 0.99 (see src/config/index.ts). */
  BALLOTWATCH_INTIMIDATION_SUSPICIOUS: prob.optional(),
  BALLOTWATCH_INTIMIDATION_FLAGGED: prob.optional(),
  BALLOTWATCH_DISINFORMATION_SUSPICIOUS: prob.optional(),
  BALLOTWATCH_DISINFORMATION_FLAGGED: prob.optional(),
  BALLOTWATCH_SPAM_SUSPICIOUS: prob.optional(),
  BALLOTWATCH_SPAM_FLAGGED: prob.optional(),
  /** Bayes guard: a class with fewer learned messages is "uncertain" (rspamd min_learns 200). */
  BALLOTWATCH_MIN_LEARNS: positiveInt.default(100),
  /** Bayes guard: a message with fewer known tokens is "uncertain" (rspamd min_tokens 11). */
  BALLOTWATCH_MIN_TOKENS: positiveInt.default(11),
  /** What each verdict tells the gateway to do (rspamd's actions); thresholds above pick the verdict. */
  BALLOTWATCH_ACTION_CLEAN: action.default('accept'),
  BALLOTWATCH_ACTION_SUSPICIOUS: action.default('add_header'),
  BALLOTWATCH_ACTION_FLAGGED: action.default('quarantine'),
  BALLOTWATCH_ACTION_UNSCANNED: action.default('add_header'),
  /** Mail limits: see src/mail/limits.ts for the reasons behind each default. */
  BALLOTWATCH_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
  BALLOTWATCH_MAX_HEADER_BYTES: positiveInt.default(256 * 1024),
  BALLOTWATCH_MAX_PARTS: positiveInt.default(200),
  BALLOTWATCH_MAX_DEPTH: positiveInt.default(10),
  BALLOTWATCH_MAX_HTML_CHARS: positiveInt.default(1_000_000),
  BALLOTWATCH_PARSE_TIMEOUT_MS: positiveInt.default(5_000),
});

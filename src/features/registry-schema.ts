import { z } from 'zod';

/**
 * The impersonation registry: which groups and offices a message may claim to be, and which
 * sender domains really belong to them. Configurable (BALLOTWATCH_REGISTRY_FILE) so an election
 * office can add its own county, vendors and local groups; validated with zod at load.
 */
export const registrySchema = z.object({
  /** Extremist/militia and other named groups that threat mail claims to come from. */
  groups: z.array(
    z.object({
      name: z.string().min(2),
      /** Lower-case spellings matched in normalised text and display names. */
      aliases: z.array(z.string().min(2)).min(1),
      /** Domains that really are the group's (usually none for these groups). */
      domains: z.array(z.string()).default([]),
    }),
  ),
  /** Offices and agencies: names/aliases as they appear in display names and text, and their real domains. */
  officials: z.array(
    z.object({
      name: z.string().min(2),
      aliases: z.array(z.string().min(2)).min(1),
      /** Exact domains or suffixes (".gov" matches any *.gov; ".us" only state/local names such as sos.state.oh.us). */
      domains: z.array(z.string().min(2)).min(1),
    }),
  ),
  /** Free-mail providers: an office never writes from these. */
  freemail: z.array(z.string().min(3)),
  /** Words that make a non-official domain look official (for lookalike detection). */
  officialWords: z.array(z.string().min(2)),
});

export type ImpersonationRegistry = z.infer<typeof registrySchema>;

/** Why a message could not be parsed: stable codes, shown to users as the `unscanned` reason. */
export type MailErrorCode =
  | 'empty'
  | 'not_email'
  | 'too_large'
  | 'headers_too_large'
  | 'too_many_parts'
  | 'too_deep'
  | 'parse_timeout'
  | 'parse_failed';

/** A message that can never be scored as it is (retrying will not help). */
export class MailError extends Error {
  constructor(
    readonly code: MailErrorCode,
    message: string,
  ) {
    super(message);
    this.name = this.constructor.name;
  }
}

export { parseEmail, precheck, stripMboxLine } from './parse-email';
export { MailError, type MailErrorCode } from './errors';
export { DEFAULT_LIMITS, type MailLimits } from './limits';
export type * from './types';

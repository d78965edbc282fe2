import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const specimen = (name: string) => join(FIXTURES, 'mail', name);

import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * A compiled script to start as a thread or process: next to this file when running from dist/,
 * or in dist/ when running from the TypeScript sources (tests).
 */
export function distScript(name: string): string {
  const here = path.join(__dirname, name);
  return existsSync(here) ? here : path.resolve(__dirname, '../../dist/queue', name);
}

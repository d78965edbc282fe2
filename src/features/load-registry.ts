import { readFileSync } from 'node:fs';
import defaultRegistry from './default-registry.json';
import { registrySchema, type ImpersonationRegistry } from './registry-schema';

export const DEFAULT_REGISTRY: ImpersonationRegistry = registrySchema.parse(defaultRegistry);

/** Loads and validates a registry file; every problem is listed in the error. */
export function loadRegistry(path: string | undefined): ImpersonationRegistry {
  if (!path) return DEFAULT_REGISTRY;
  const parsed = registrySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`invalid registry ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

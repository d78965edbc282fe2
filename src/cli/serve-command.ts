import { loadServiceConfig, ROLES, withEnv, type Role } from '../config/service';
import { createKey } from '../api/auth';
import { startService } from '../service';
import { str, UsageError, type Parsed } from './main';

/** `ballotwatch serve [--role api|worker|all] [--port N]`: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function runServe(p: Parsed): Promise<number> {
  const role = str(p, 'role');
  if (role && !['api', 'worker', 'all'].includes(role)) throw new UsageError(`--role must be api, worker or all, not "${role}"`);
  const port = str(p, 'port');
  const config = loadServiceConfig(withEnv({ ...(role ? { ROLE: role } : {}), ...(port !== undefined ? { PORT: port } : {}) }));
  const service = await startService(config);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`ballotwatch: ${signal}: finishing in-flight work\n`);
      // A second signal, or a drain that takes too long, ends the process at once.
      const force = setTimeout(() => process.exit(1), 30_000);
      force.unref();
      process.once(signal as NodeJS.Signals, () => process.exit(1));
      service.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

/** `ballotwatch keys create --role R`: a new random key and the line to add to BALLOTWATCH_API_KEYS. */
export function runKeys(p: Parsed): number {
  const [sub] = p.positionals;
  if (sub !== 'create') throw new UsageError('usage: ballotwatch keys create --role gateway|analyst|admin');
  const role = str(p, 'role');
  if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError('--role must be gateway, analyst or admin');
  const k = createKey(role as Role);
  process.stdout.write(`key:    ${k.key}\nconfig: ${k.entry}\n\nGive the key to its user (shown once; only its hash is stored). Add the config line to\nBALLOTWATCH_API_KEYS (comma-separated) or to the file named by BALLOTWATCH_API_KEYS_FILE.\n`);
  return 0;
}

import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKey, lookupKey } from '../../../src/api/auth';
import { ConfigError } from '../../../src/config';
import { loadServiceConfig } from '../../../src/config/service';
import { runCli } from '../../helpers/run-cli';

const problems = (env: Record<string, string>) => {
  try {
    loadServiceConfig(env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('service configuration', () => {
  it('has working defaults: port 8080, embedded mode, role all', () => {
    const c = loadServiceConfig({});
    expect(c.port).toBe(8080);
    expect(c.redisUrl).toBeNull();
    expect(c.role).toBe('all');
    expect(c.retention.resultsMs).toBe(90 * 86_400_000);
  });

  it('lists every problem at once', () => {
    const p = problems({ PORT: 'eighty', REDIS_URL: 'not a url', ROLE: 'boss', BALLOTWATCH_API_KEYS: 'root:abc', BALLOTWATCH_FLAGGED: '2' });
    expect(p.join('\n')).toMatch(/PORT/);
    expect(p.join('\n')).toMatch(/REDIS_URL/);
    expect(p.join('\n')).toMatch(/ROLE/);
    expect(p.join('\n')).toMatch(/BALLOTWATCH_FLAGGED/);
    expect(p.length).toBeGreaterThanOrEqual(4);
  });

  it('takes REDIS_URL as a redis:// URL or a Unix socket path', () => {
    expect(loadServiceConfig({ REDIS_URL: '/run/redis/redis.sock?db=2' }).redisUrl).toBe('/run/redis/redis.sock?db=2');
    expect(loadServiceConfig({ REDIS_URL: 'redis://10.0.0.5:6380/1' }).redisUrl).toBe('redis://10.0.0.5:6380/1');
    expect(problems({ REDIS_URL: 'run/redis.sock' }).join()).toMatch(/REDIS_URL/);
  });

  it('refuses ROLE=api or worker without REDIS_URL', () => {
    expect(problems({ ROLE: 'worker' })).toEqual(['ROLE=worker needs REDIS_URL (without it one process runs everything)']);
    expect(loadServiceConfig({ ROLE: 'worker', REDIS_URL: 'redis://127.0.0.1:6379' }).role).toBe('worker');
  });

  it('reads hashed keys from the variable and from a file, and rejects malformed entries', () => {
    const a = createKey('analyst');
    const g = createKey('gateway');
    const dir = mkdtempSync(path.join(tmpdir(), 'bw-keys-'));
    const file = path.join(dir, 'keys');
    writeFileSync(file, `# office gateways\n${g.entry}\n`);
    const c = loadServiceConfig({ BALLOTWATCH_API_KEYS: a.entry, BALLOTWATCH_API_KEYS_FILE: file });
    expect(c.apiKeys.map((k) => k.role).sort()).toEqual(['analyst', 'gateway']);
    expect(lookupKey(c.apiKeys, a.key)?.role).toBe('analyst');
    expect(lookupKey(c.apiKeys, g.key)?.role).toBe('gateway');
    expect(lookupKey(c.apiKeys, `${a.key}x`)).toBeNull();
    expect(problems({ BALLOTWATCH_API_KEYS: `${a.entry},admin:${'z'.repeat(64)}` })[0]).toMatch(/entry 2 is not role:sha256hex/);
    expect(problems({ BALLOTWATCH_API_KEYS_FILE: path.join(dir, 'missing') })[0]).toMatch(/cannot read/);
  });

  it('`ballotwatch keys create` prints a key whose config line authenticates it', async () => {
    const out = await runCli(['keys', 'create', '--role', 'analyst']);
    expect(out.code).toBe(0);
    const key = /key:\s+(\S+)/.exec(out.stdout)![1];
    const entry = /config:\s+(\S+)/.exec(out.stdout)![1];
    expect(entry).toMatch(/^analyst:[0-9a-f]{64}$/);
    expect(entry.split(':')[1]).toBe(createHash('sha256').update(key).digest('hex'));
    const c = loadServiceConfig({ BALLOTWATCH_API_KEYS: entry });
    expect(lookupKey(c.apiKeys, key)?.role).toBe('analyst');
    expect((await runCli(['keys', 'create', '--role', 'root'])).code).toBe(2);
  });

  it('`ballotwatch serve` refuses a bad configuration with every problem and exit code 2', async () => {
    const out = await runCli(['serve'], { PORT: 'x', BALLOTWATCH_SUSPICIOUS: 'high' });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/PORT/);
    expect(out.stderr).toMatch(/BALLOTWATCH_SUSPICIOUS/);
  });
});

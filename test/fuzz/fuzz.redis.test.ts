// The fuzz sample through the service in Redis mode (API + BullMQ worker in one child process,
// under its own key prefix, deleted afterwards): two messages of every kind.
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config';
import { MUTATIONS } from '../../src/fuzz/mutations';
import { runFuzz } from '../../src/fuzz/main';
import { loadSeeds } from '../../src/fuzz/seeds';
import { FIXTURES } from '../helpers/paths';
import { REDIS_URL } from '../helpers/service';

jest.setTimeout(180_000);

it('ends every fuzz message scored, unscanned with a reason, or with a 4xx, in Redis mode', async () => {
  const perKind = 2;
  const r = await runFuzz({
    count: perKind * MUTATIONS.length,
    seed: 'jest-redis',
    service: 'redis',
    redisUrl: REDIS_URL,
    pipeline: false,
    corpora: [],
    corpusMax: 0,
    deadlineMs: 60_000,
    concurrency: 2,
    seeds: await loadSeeds({ fixtures: FIXTURES }),
    limits: loadConfig({}).limits,
  });
  expect(r.serviceMode).toMatch(/^redis \(prefix bwfuzz-[0-9a-f]{8}\)$/);
  expect(r.service?.failures).toEqual([]);
  expect(r.serviceDeaths).toBe(0);
  expect(r.serviceErrors).toEqual([]);
  const t = r.service!.total();
  expect(t.n).toBe(perKind * MUTATIONS.length);
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
  expect(sum(t.scored) + sum(t.unscanned) + sum(t.http4xx)).toBe(t.n);
  expect(r.service!.kinds.get('limit_bytes')?.http4xx).toEqual({ '413 too_large': perKind });
  // The run's keys are gone.
  const redis = new Redis(REDIS_URL);
  try {
    const prefix = (r.serviceMode as string).replace(/^redis \(prefix (.*)\)$/, '$1');
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  } finally {
    redis.disconnect();
  }
});

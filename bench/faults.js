#!/usr/bin/env node
'use strict';
// Fault figures, printed, never asserted (the jest suite runs the same scenarios small and asserts):
//   npm run faults [-- --messages=10000 --kills=12 --kill-every=3000 --workers=2
//                      --rate=100 --seconds=30 --down=5000 --only=kill|redis]
// Runs on a private redis-server (free loopback port, AOF with appendfsync always, deleted after):
//   1. worker SIGKILL: `--messages` messages through `serve --role api` to `--workers` worker
//      processes; one worker is SIGKILLed every `--kill-every` ms while messages wait (and a new
//      one started), `--kills` times;
//   2. Redis SIGKILL + restart under load: `--rate` msg/s for `--seconds`, Redis down `--down` ms.
// Prints sent, acknowledged (202), results, lost (acknowledged without a result), duplicated
// (results counted twice) for each.
const { startPrivateRedis } = require('./harness/cluster');
const { workerKills, redisRestart } = require('./harness/faults');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
};
const log = (s) => console.log(s);

async function main() {
  const only = opt('only', '');
  const redis = await startPrivateRedis();
  const rows = [];
  try {
    console.log(`faults: private redis-server on ${redis.url} (appendonly yes, appendfsync always); loadavg ${require('node:fs').readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    if (!only || only === 'kill') {
      const messages = Number(opt('messages', 10_000));
      console.log(`1. ${messages} messages, a worker SIGKILLed every ${opt('kill-every', 3000)} ms while messages wait`);
      const r = await workerKills({ redisUrl: redis.url, messages, kills: Number(opt('kills', 12)), killEveryMs: Number(opt('kill-every', 3000)), workers: Number(opt('workers', 2)), log });
      rows.push(r);
      console.log(`  ${r.kills} kills, ${r.workersStarted} worker processes started in all; posted in ${r.postedS.toFixed(1)} s, all settled in ${r.seconds.toFixed(1)} s; HTTP statuses ${JSON.stringify(r.statuses)}; failed ${r.failed}, still queued ${r.queued}`);
    }
    if (!only || only === 'redis') {
      const rate = Number(opt('rate', 100));
      const seconds = Number(opt('seconds', 30));
      console.log(`2. ${rate} msg/s for ${seconds} s; Redis SIGKILLed at ${(seconds / 3).toFixed(0)} s and started again ${opt('down', 5000)} ms later`);
      const r = await redisRestart({ redis, rate, seconds, downMs: Number(opt('down', 5000)), workers: Number(opt('workers', 2)), log });
      rows.push(r);
      console.log(`  HTTP statuses ${JSON.stringify(r.statuses)}; 503 answers ${r.unavailable}, with Retry-After ${r.withRetryAfter}; accepted while down ${r.acceptedWhileDown}`);
      console.log(`  Redis down ${r.downS.toFixed(1)} s; first 202 ${r.recoveryS === null ? 'never' : `${r.recoveryS.toFixed(2)} s after Redis was back`}; all settled in ${r.seconds.toFixed(1)} s; failed ${r.failed}, still queued ${r.queued}`);
    }
  } finally {
    await redis.stop();
  }
  const head = ['scenario', 'sent', 'acknowledged', 'results', 'lost', 'duplicated'];
  const table = [head, ...rows.map((r) => [r.scenario, r.sent, r.acknowledged, r.results, r.lost, r.duplicated].map(String))];
  const w = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log('');
  for (const [i, row] of table.entries()) {
    console.log(`| ${row.map((x, j) => (j ? x.padStart(w[j]) : x.padEnd(w[j]))).join(' | ')} |`);
    if (!i) console.log(`|${w.map((x, j) => (j ? '-'.repeat(x + 1) + ':' : '-'.repeat(x + 2))).join('|')}|`);
  }
  require('./harness/cluster').agent.destroy();
  if (rows.some((r) => r.lost || r.duplicated)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

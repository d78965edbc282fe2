/**
 * The Haraka plugin (deploy/haraka/plugins/ballotwatch.js) inside real Haraka servers (the
 * `Haraka` dev dependency), against the real service, over real SMTP. A second plugin in the same
 * Haraka queues each accepted message to a file, so the test sees what would be delivered.
 * Two servers (each takes seconds to start): one with reject_quarantine=true, one with
 * fail_open=false and ballotwatch unreachable. The harness plugin also answers Haraka's reverse-DNS
 * lookup, so nothing leaves loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, specimen } from '../helpers/paths';
import { dropPrefix, freePort, REDIS_URL, startTestService, type TestService } from '../helpers/service';

const PLUGIN = path.join(ROOT, 'deploy', 'haraka', 'plugins', 'ballotwatch.js');
const HARAKA = path.join(ROOT, 'node_modules', 'Haraka', 'bin', 'haraka');
const base = mkdtempSync(path.join(tmpdir(), 'bw-haraka-'));
let svc: TestService;
const servers: { proc: ChildProcess; port: number; dir: string }[] = [];

/** A Haraka config folder: our plugin, a file-writing queue plugin, and the ballotwatch.ini lines given. */
async function startHaraka(name: string, ini: Record<string, string>): Promise<{ proc: ChildProcess; port: number; dir: string }> {
  const dir = path.join(base, name);
  const port = await freePort();
  mkdirSync(path.join(dir, 'plugins'), { recursive: true });
  // Haraka's shipped defaults (connection.ini, ...), then ours on top.
  cpSync(path.join(ROOT, 'node_modules', 'Haraka', 'config'), path.join(dir, 'config'), { recursive: true });
  copyFileSync(PLUGIN, path.join(dir, 'plugins', 'ballotwatch.js'));
  writeFileSync(
    path.join(dir, 'plugins', 'queue_to_file.js'),
    `exports.hook_lookup_rdns = function (next) {
  next(OK, 'client.example.org');
};
exports.hook_queue = function (next, connection) {
  const txn = connection.transaction;
  txn.message_stream.get_data((buf) => {
    require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'queued.eml'))}, buf);
    next(OK);
  });
};\n`,
  );
  writeFileSync(path.join(dir, 'config', 'smtp.ini'), `[main]\nlisten=127.0.0.1:${port}\nnodes=\n`);
  writeFileSync(path.join(dir, 'config', 'plugins'), 'rcpt_to.in_host_list\nballotwatch\nqueue_to_file\n');
  writeFileSync(path.join(dir, 'config', 'host_list'), 'county.example.gov\n');
  writeFileSync(path.join(dir, 'config', 'me'), 'mx.test.example\n');
  writeFileSync(path.join(dir, 'config', 'log.ini'), '[main]\nlevel=warn\n');
  writeFileSync(path.join(dir, 'config', 'ballotwatch.ini'), `[main]\n${Object.entries(ini).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  const proc = spawn(process.execPath, [HARAKA, '-c', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d) => (err += d));
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`haraka exited: ${err}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.setTimeout(2000, () => (s.destroy(), resolve(false)));
      s.once('data', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const server = { proc, port, dir };
  servers.push(server);
  return server;
}

/** One SMTP transaction; returns every reply line, the last being the answer to the data. */
function smtp(port: number, from: string, to: string[], message: string): Promise<string[]> {
  const steps = ['EHLO client.example.org', `MAIL FROM:<${from}>`, ...to.map((t) => `RCPT TO:<${t}>`), 'DATA', `${message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.`, 'QUIT'];
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(20_000, () => s.destroy(new Error(`SMTP stalled after ${JSON.stringify(replies)}`)));
    const replies: string[] = [];
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (/^\d{3} /.test(line)) {
          replies.push(line);
          const step = steps.shift();
          if (step) s.write(`${step}\r\n`);
        }
      }
    });
    s.on('end', () => resolve(replies));
    s.on('close', () => resolve(replies));
    s.on('error', reject);
  });
}

const threat = () => `X-Ballotwatch-Verdict: clean\n${readFileSync(specimen('scenarios/proud-boys-change-party.eml'), 'latin1').replace(/\r\n/g, '\n').replace(/^From [^\n]*\n/, '')}`;
const rcpts = ['clerk@county.example.gov', 'deputy@county.example.gov'];

let rejecting: { port: number; dir: string };
let closed: { port: number; dir: string };

beforeAll(async () => {
  svc = await startTestService({ REDIS_URL, ROLE: 'all' });
  const keyFile = path.join(base, 'gateway.key');
  writeFileSync(keyFile, `${svc.keys.gateway}\n`, { mode: 0o600 });
  const common = { url: svc.url, key_file: keyFile, wait_ms: '10000', gateway_id: 'haraka-test' };
  [rejecting, closed] = await Promise.all([startHaraka('rejecting', { ...common, reject_quarantine: 'true' }), startHaraka('closed', { ...common, url: `http://127.0.0.1:${await freePort()}`, fail_open: 'false' })]);
}, 60_000);
afterAll(async () => {
  for (const s of servers) {
    const gone = new Promise((r) => s.proc.once('exit', r));
    s.proc.kill('SIGKILL');
    await gone;
  }
  await svc?.close();
  await dropPrefix(svc.prefix);
  rmSync(base, { recursive: true, force: true });
});

it('adds the returned headers to mail it lets through (dropping a forged one) and passes the envelope on', async () => {
  const civic = `X-Ballotwatch-Verdict: flagged\n${readFileSync(specimen('scenarios/office-early-voting.eml'), 'latin1').replace(/\r\n/g, '\n').replace(/^From [^\n]*\n/, '')}`;
  const replies = await smtp(rejecting.port, 'sender@example.org', rcpts, civic);
  expect(replies.at(-2)).toMatch(/^250 /);
  const queued = readFileSync(path.join(rejecting.dir, 'queued.eml'), 'latin1');
  const head = queued.slice(0, queued.indexOf('\r\n\r\n'));
  expect(head).toMatch(/^X-Ballotwatch-Verdict: clean\r?$/m);
  expect(head).toMatch(/^X-Ballotwatch-Action: accept\r?$/m);
  expect(head.match(/^X-Ballotwatch-Verdict:/gim)).toHaveLength(1);
  const id = /^X-Ballotwatch-Id: (\w+)/m.exec(head)![1];
  const rec = await (await svc.call('analyst', `/v1/messages/${id}`)).json();
  expect(rec.envelope).toMatchObject({ clientIp: '127.0.0.1', mailFrom: 'sender@example.org', rcptTo: rcpts, helo: 'client.example.org', gateway: 'haraka-test' });
}, 30_000);

it('refuses quarantined mail with 550 5.7.1 when reject_quarantine is set', async () => {
  rmSync(path.join(rejecting.dir, 'queued.eml'), { force: true });
  const replies = await smtp(rejecting.port, 'sender@example.org', rcpts, threat());
  expect(replies.at(-2)).toMatch(/^550 5\.7\.1 message refused by policy/);
  expect(existsSync(path.join(rejecting.dir, 'queued.eml'))).toBe(false);
}, 30_000);

it('answers 450 (try again later) when ballotwatch is unreachable and fail_open is false', async () => {
  const replies = await smtp(closed.port, 'sender@example.org', rcpts, threat());
  expect(replies.at(-2)).toMatch(/^450 message could not be screened/);
  expect(existsSync(path.join(closed.dir, 'queued.eml'))).toBe(false);
}, 30_000);

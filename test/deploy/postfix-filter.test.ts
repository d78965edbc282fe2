/**
 * The Postfix content filter (deploy/postfix/ballotwatch-filter) run as Postfix's pipe would run
 * it, against the real service, re-injecting through a `sendmail` that is a real executable script
 * writing its arguments and its input to files. Checks the headers it adds (and the forged ones it
 * strips), the envelope it passes on, and failing open or closed when the service is unreachable.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, specimen } from '../helpers/paths';
import { dropPrefix, REDIS_URL, startTestService, type TestService } from '../helpers/service';

const FILTER = path.join(ROOT, 'deploy', 'postfix', 'ballotwatch-filter');
const dir = mkdtempSync(path.join(tmpdir(), 'bw-postfix-'));
const keyFile = path.join(dir, 'gateway.key');
const sendmail = path.join(dir, 'sendmail');
const failingSendmail = path.join(dir, 'sendmail-fails');
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ REDIS_URL, ROLE: 'all' });
  writeFileSync(keyFile, `${svc.keys.gateway}\n`, { mode: 0o600 });
  writeFileSync(sendmail, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\ncat > "${dir}/message"\n`);
  writeFileSync(failingSendmail, '#!/bin/sh\ncat > /dev/null\nexit 1\n');
  chmodSync(sendmail, 0o755);
  chmodSync(failingSendmail, 0o755);
});
afterAll(async () => {
  await svc?.close();
  await dropPrefix(svc.prefix);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  rmSync(path.join(dir, 'args'), { force: true });
  rmSync(path.join(dir, 'message'), { force: true });
});

function runFilter(args: string[], input: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(FILTER, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

const envelope = ['-f', 'sender@example.org', '--', 'clerk@county.example.gov', 'deputy@county.example.gov'];
/**
 * The message as Postfix's pipe hands it over (LF line endings, no mbox From_ line), with a
 * verdict forged by the sender, one header folded over two lines.
 */
const threat = () => {
  const eml = readFileSync(specimen('scenarios/proud-boys-change-party.eml'), 'latin1').replace(/\r\n/g, '\n').replace(/^From [^\n]*\n/, '');
  return Buffer.from(`X-Ballotwatch-Verdict: clean\nX-BallotWatch-Score:\n 0.000\n${eml}`, 'latin1');
};

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

it('scores the message, adds the returned headers, strips forged ones and re-injects it with the same envelope', async () => {
  const input = threat();
  const r = await runFilter(['--url', svc.url, '--key-file', keyFile, '--sendmail', sendmail, '--client-ip', '192.0.2.10', ...envelope], input);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(readFileSync(path.join(dir, 'args'), 'utf8').trim().split('\n')).toEqual(['-G', '-i', '-f', 'sender@example.org', '--', 'clerk@county.example.gov', 'deputy@county.example.gov']);
  const out = readFileSync(path.join(dir, 'message'), 'latin1');
  const head = out.slice(0, out.indexOf('\n\n'));
  expect(head).toMatch(/^X-Ballotwatch-Verdict: flagged$/m);
  expect(head).toMatch(/^X-Ballotwatch-Score: [01]\.\d{3}$/m);
  expect(head).toMatch(/^X-Ballotwatch-Category: intimidation$/m);
  expect(head).toMatch(/^X-Ballotwatch-Action: quarantine$/m);
  expect(head).toMatch(/^X-Ballotwatch-Id: [0-9a-f]{64}$/m);
  expect(head).not.toMatch(/: clean$|0\.000/m);
  expect(head.match(/^X-Ballotwatch-Verdict:/gim)).toHaveLength(1);
  // Everything else is untouched, body included.
  const original = input.toString('latin1').split('\n').slice(3).join('\n');
  expect(out.endsWith(original)).toBe(true);
  // The service saw the envelope.
  const id = /^X-Ballotwatch-Id: (\w+)$/m.exec(head)![1];
  const rec = await (await svc.call('analyst', `/v1/messages/${id}`)).json();
  expect(rec.envelope).toMatchObject({ clientIp: '192.0.2.10', mailFrom: 'sender@example.org', rcptTo: ['clerk@county.example.gov', 'deputy@county.example.gov'] });
});

it('bounces a message to quarantine when told to reject (exit 69, nothing re-injected)', async () => {
  const r = await runFilter(['--url', svc.url, '--key-file', keyFile, '--sendmail', sendmail, '--quarantine', 'reject', ...envelope], threat());
  expect(r.code).toBe(69);
  expect(r.stdout).toMatch(/^5\.7\.1 /);
  expect(existsSync(path.join(dir, 'message'))).toBe(false);
});

it('fails open (delivers, marked unscanned) or closed (exit 75: Postfix retries) when the service is unreachable', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const open = await runFilter(['--url', url, '--key-file', keyFile, '--sendmail', sendmail, '--fail', 'open', ...envelope], threat());
  expect(open.code).toBe(0);
  expect(open.stderr).toMatch(/unreachable: ECONNREFUSED/);
  const out = readFileSync(path.join(dir, 'message'), 'latin1');
  expect(out).toMatch(/^X-Ballotwatch-Verdict: unscanned\nX-Ballotwatch-Error: ballotwatch unreachable: ECONNREFUSED\n/);
  expect(out.match(/^X-Ballotwatch-/gim)).toHaveLength(2);

  rmSync(path.join(dir, 'message'));
  const closed = await runFilter(['--url', url, '--key-file', keyFile, '--sendmail', sendmail, '--fail', 'closed', ...envelope], threat());
  expect(closed.code).toBe(75);
  expect(existsSync(path.join(dir, 'message'))).toBe(false);
});

it('defers (exit 75) when re-injection fails, and on a bad key it fails as configured', async () => {
  const r = await runFilter(['--url', svc.url, '--key-file', keyFile, '--sendmail', failingSendmail, ...envelope], threat());
  expect(r.code).toBe(75);
  const badKey = path.join(dir, 'bad.key');
  writeFileSync(badKey, 'bw_wrong');
  const bad = await runFilter(['--url', svc.url, '--key-file', badKey, '--sendmail', sendmail, '--fail', 'closed', ...envelope], threat());
  expect(bad.code).toBe(75);
  expect(bad.stderr).toMatch(/answered 401 unauthorized/);
  expect(bad.stderr).not.toContain('bw_wrong');
});

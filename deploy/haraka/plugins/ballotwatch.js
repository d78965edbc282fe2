'use strict';
// Haraka plugin: at end of DATA, POSTs the message to ballotwatch with ?wait and, by the returned
// `action`: adds the X-Ballotwatch-* headers (accept, add_header), and for quarantine either adds
// them and marks the transaction for Haraka's `quarantine` plugin, or rejects with 550 5.7.1.
// Headers the sender put in with those names are removed first. When ballotwatch cannot answer in
// time it fails open (accept, marked unscanned) or closed (450, temporary: the sender retries), as configured.
// Config: config/ballotwatch.ini (deploy/haraka/config/ballotwatch.ini). Needs Node 18+ (fetch).
// test/deploy/haraka-plugin.test.ts runs it inside real Haraka servers over SMTP.
/* global exports, clearTimeout, DENY, DENYSOFT -- Haraka's plugin sandbox provides these */
const { readFileSync } = require('node:fs');

exports.register = function () {
  this.load_ballotwatch_ini();
};

exports.load_ballotwatch_ini = function () {
  this.cfg = this.config.get('ballotwatch.ini', { booleans: ['+main.fail_open', '-main.reject_quarantine', '-main.use_quarantine_plugin'] }, () => this.load_ballotwatch_ini());
  const m = this.cfg.main;
  this.url = String(m.url || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  this.waitMs = Number(m.wait_ms) || 10000;
  this.timeoutMs = Number(m.timeout_ms) || this.waitMs + 5000;
  try {
    // The key lives in its own file, readable by Haraka's user only.
    this.key = readFileSync(m.key_file || '/etc/ballotwatch/gateway.key', 'utf8').trim();
  } catch (err) {
    this.key = null;
    this.logerror(`ballotwatch: cannot read key_file: ${err.message}`);
  }
};

exports.hook_data_post = function (next, connection) {
  const txn = connection.transaction;
  if (!txn) return next();
  const cfg = this.cfg.main;
  const fail = (why) => {
    this.logerror(`ballotwatch: ${why}`, connection);
    if (!cfg.fail_open) return next(DENYSOFT, 'message could not be screened, try again later');
    stripForged(txn);
    txn.add_header('X-Ballotwatch-Verdict', 'unscanned');
    txn.add_header('X-Ballotwatch-Error', why.slice(0, 200));
    return next();
  };
  if (!this.key) return fail('no API key (key_file)');

  txn.message_stream.get_data((raw) => {
    // An exception here would take Haraka down: it becomes a failure handled as configured.
    this.screen(raw, txn, connection, next, fail).catch((err) => fail(`plugin error: ${err.message}`));
  });
};

/** POSTs the message and acts on the answer (or calls `fail`). */
exports.screen = async function (raw, txn, connection, next, fail) {
  const cfg = this.cfg.main;
  const headers = {
    Authorization: `Bearer ${this.key}`,
    'Content-Type': 'message/rfc822',
    'X-Mail-From': address(txn.mail_from),
    'X-Rcpt-To': txn.rcpt_to.map(address).join(','),
    'X-Client-IP': connection.remote.ip,
  };
  if (connection.hello && connection.hello.host) headers['X-Helo'] = String(connection.hello.host).slice(0, 255);
  if (cfg.gateway_id) headers['X-Gateway-Id'] = cfg.gateway_id;
  let res;
  let body;
  try {
    // Haraka runs plugins in a sandbox that has fetch and setTimeout but not AbortSignal.
    let timer;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs)));
    try {
      res = await Promise.race([fetch(`${this.url}/v1/messages?wait=${this.waitMs}`, { method: 'POST', headers, body: raw }), timeout]);
      body = await Promise.race([res.json().catch(() => null), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    return fail(`unreachable: ${(err.cause && err.cause.code) || err.message}`);
  }
  if (res.status === 202) return fail(`not scored within ${this.waitMs} ms (${body && body.id})`);
  if (res.status !== 200 || !body || !body.result) return fail(`answered ${res.status} ${(body && body.error && body.error.code) || ''}`);

  const { action, headers: add } = body.result;
  connection.results.add(this, { verdict: body.result.verdict, category: body.result.category, score: body.result.score, action, id: body.id });
  if (action === 'quarantine' && cfg.reject_quarantine) return next(DENY, `5.7.1 message refused by policy (ballotwatch ${body.id.slice(0, 12)})`);
  stripForged(txn);
  for (const [name, value] of Object.entries(add)) txn.add_header(name, String(value));
  txn.add_header('X-Ballotwatch-Id', body.id);
  txn.add_header('X-Ballotwatch-Action', action);
  if (action === 'quarantine' && cfg.use_quarantine_plugin) txn.notes.quarantine = 'ballotwatch';
  return next();
};

/** An envelope address as text (`address` is a property in Haraka 3, a method in older releases). */
function address(a) {
  if (!a) return '';
  return typeof a.address === 'function' ? a.address() : String(a.address || '');
}

/** Removes every X-Ballotwatch-* header the message arrived with. */
function stripForged(txn) {
  for (const name of Object.keys(txn.header.headers)) if (/^x-ballotwatch-/i.test(name)) txn.remove_header(name);
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Category } from '../classifier/categories';
import { stripMboxLine } from '../mail/parse-email';
import { splitMbox } from './read-corpus';

/**
 * Turns the public corpora in ../shared/corpora (see its MANIFEST.md) into one labelled corpus
 * folder, split 70/30 into train/ and test/ by the same rule as ../shared/tools/split-corpus.mjs:
 * a message goes to train when sha1("<folder>/<file>")[0:8] mod 100 < 70, the mbox envelope line
 * is removed, and byte-identical messages are kept once. So the SpamAssassin part reproduces the
 * published split exactly (test: 1,163 ham + 603 spam) and every figure is comparable.
 *
 * Sources and labels (nothing is copied into the repository; output goes where you say):
 * - spamassassin easy_ham, easy_ham_2, hard_ham → ham; spam, spam_2 → spam
 * - phishing_pot email + extortion → spam (its `phishing@pot` leaks the label: training redacts it)
 * - nazario_phishing phishing0.mbox → spam
 * - markup_political_emails (2019 political newsletters, incl. Gmail-"Spam" ones) → ham
 * - political_fundraising_emails_2024 (text only) → ham, as a synthesised message from its columns
 * - princeton_election_email_subjects (sender + subject only) → ham, likewise
 * Not used: ETHOS (hate-speech comments). Labelled violence ≥ 0.5 → intimidation and
 * isHate < 0.5 → ham, it taught the model "YouTube comment" rather than "threat": 107 of 149
 * held-out non-hate comments came out as intimidation, and it added nothing on election mail.
 * LIAR is not used either: its "false" election statements are politicians' claims about voting records,
 * not election-process falsehoods, and would teach the disinformation class the wrong thing.
 */
export interface PreparedCounts {
  [partLabelSource: string]: number;
}

const sha1 = (x: string | Buffer) => createHash('sha1').update(x).digest('hex');

function synthesise(from: { name: string; address: string }, subject: string, body: string, date: string, id: string): Buffer {
  const enc = (s: string) => (/[^\x20-\x7e]/.test(s) ? `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=` : s);
  const d = new Date(date);
  const lines = [
    `From: ${enc(from.name.replace(/[\r\n"]/g, ' '))} <${from.address || 'unknown@unknown.invalid'}>`,
    'To: reader@example.org',
    `Subject: ${enc(subject.replace(/[\r\n]+/g, ' '))}`,
    `Date: ${Number.isNaN(d.getTime()) ? 'Mon, 02 Nov 2020 10:00:00 +0000' : d.toUTCString()}`,
    `Message-ID: <${id}@corpus.invalid>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

export function prepareShared(corpora: string, outDir: string, trainPct = 70): PreparedCounts {
  const out = resolve(outDir);
  if (!existsSync(join(corpora, 'MANIFEST.md'))) throw new Error(`${corpora} does not look like shared/corpora (no MANIFEST.md)`);
  rmSync(out, { recursive: true, force: true });
  const seen = new Set<string>();
  const counts: PreparedCounts = {};
  const put = (key: string, label: Category, raw: Buffer, source: string) => {
    const body = stripMboxLine(raw);
    const c = sha1(body);
    if (seen.has(c)) return;
    seen.add(c);
    const part = parseInt(sha1(key).slice(0, 8), 16) % 100 < trainPct ? 'train' : 'test';
    const dir = join(out, part, label);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, key.replace(/[/#]/g, '__'));
    writeFileSync(file, body);
    // Per-source views (symlinks), so each source can be trained on or evaluated alone.
    const view = join(out, `${part}-by-source`, source, label);
    mkdirSync(view, { recursive: true });
    symlinkSync(file, join(view, basename(file)));
    const k = `${part}/${label}/${source}`;
    counts[k] = (counts[k] ?? 0) + 1;
  };
  const files = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.') && f !== 'cmds' && statSync(join(dir, f)).isFile()).sort();

  // SpamAssassin: same keys, order and dedup as split-corpus.mjs (ham sources first, sorted by key).
  const sa = join(corpora, 'spamassassin');
  for (const [label, dirs] of [['ham', ['easy_ham', 'easy_ham_2', 'hard_ham']], ['spam', ['spam', 'spam_2']]] as const) {
    const items = dirs.flatMap((d) => files(join(sa, d)).map((f) => ({ key: `${d}/${f}`, p: join(sa, d, f) })));
    items.sort((a, b) => (a.key < b.key ? -1 : 1));
    for (const { key, p } of items) put(key, label, readFileSync(p), 'spamassassin');
  }
  for (const d of ['email', 'extortion']) {
    const dir = join(corpora, 'phishing_pot', d);
    for (const f of files(dir)) put(`phishing_pot-${d}/${f}`, 'spam', readFileSync(join(dir, f)), 'phishing_pot');
  }
  splitMbox(readFileSync(join(corpora, 'nazario_phishing', 'phishing0.mbox'))).forEach((m, i) => put(`nazario/${i}`, 'spam', m, 'nazario'));
  splitMbox(readFileSync(join(corpora, 'markup_political_emails', '2019-10-28.mbox.gz'))).forEach((m, i) => put(`markup/${i}`, 'ham', m, 'markup'));

  const csv = (p: string, delimiter = ',') => parse(readFileSync(p), { columns: true, delimiter, relax_quotes: true, skip_empty_lines: true }) as Record<string, string>[];
  csv(join(corpora, 'political_fundraising_emails_2024', 'fundraising_emails_sample100.csv')).forEach((r, i) => {
    put(`fundraising/${i}`, 'ham', synthesise({ name: r.name ?? '', address: r.email ?? '' }, r.subject ?? '', r.body ?? '', r.date ?? '', sha1(`f${i}`)), 'fundraising');
  });
  for (const f of ['subject_sample_coded_learning.csv', 'subject_sample_coded_holdout.csv']) {
    csv(join(corpora, 'princeton_election_email_subjects', f)).forEach((r, i) => {
      put(`princeton-${basename(f, '.csv')}/${i}`, 'ham', synthesise({ name: r.from_name ?? '', address: r.from_address ?? '' }, r.subject ?? '', '', r.date ?? '', sha1(`p${f}${i}`)), 'princeton');
    });
  }
  writeFileSync(join(out, 'counts.json'), JSON.stringify(counts, null, 2) + '\n');
  return counts;
}

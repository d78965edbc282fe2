// ballotwatch dashboard: a hash-routed single page over the service's API. No build step, no
// external resources; every request carries the analyst's key from session storage.
import { api, ApiError, clearSession, qs, session, signIn } from './api.js';
import { categoryChart } from './chart.js';
import { announce, CATEGORY_NAMES, categoryLabel, fmtShortTime, fmtTime, h, pct, replace, verdictBadge, VERDICT_NAMES } from './dom.js';
import { highlightedText } from './highlight.js';
import { MergedPager } from './pager.js';
import { adminView } from './admin.js';

const main = document.getElementById('main');
const PAGE_SIZE = 25;
const FILTER_KEYS = ['verdict', 'category', 'from', 'to', 'gateway', 'sender', 'q'];
let pager = null;
let pagerKey = '';
let lastInbox = '#/inbox';
/** Bumped on every navigation: a slow response for a page the user has left is dropped. */
let generation = 0;
let signInNotice = null;
/** Set by the pager buttons: the next inbox render reuses the pages already read. */
let keepPager = false;
/** Completed renders, on <body data-renders>: tests (and tools) wait on it after an action. */
let renders = 0;

// ---------------------------------------------------------------- routing and states

function route() {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  return { parts: path.split('/').filter(Boolean), params: new URLSearchParams(query ?? '') };
}

async function render() {
  const gen = ++generation;
  const s = session();
  const { parts, params } = route();
  updateChrome(s, parts[0]);
  try {
    if (!s) signInView();
    else if (parts[0] === 'message' && parts[1]) await messageView(parts[1], gen);
    else if (parts[0] === 'trends') await trendsView(params, gen);
    else if (parts[0] === 'admin') await adminView(main, { role: s.role, isCurrent: () => gen === generation, onError: failed });
    else await inboxView(params, gen);
  } catch (err) {
    if (gen === generation) failed(err);
  } finally {
    if (gen === generation) document.body.dataset.renders = String(++renders);
  }
}

/** What every view does with an API failure it does not handle itself. */
function failed(err) {
  if (err instanceof ApiError && err.status === 401) {
    clearSession();
    signInNotice = 'Your key was not accepted: it may have expired or been revoked. Sign in with a current analyst or admin key.';
    updateChrome(null);
    return signInView();
  }
  if (err instanceof ApiError && err.serviceDown) {
    replace(
      main,
      h(
        'section',
        { class: 'state state-down', 'aria-labelledby': 'down-title' },
        h('h1', { id: 'down-title' }, 'The ballotwatch service is not answering'),
        h('p', null, err.status === 0 ? 'The dashboard could not reach the service: it may be down or restarting.' : `The service answered that it is unavailable (${err.message}).`),
        h('p', null, 'Nothing you entered was lost. Try again in a moment; if this lasts, tell whoever runs the service.'),
        h('button', { type: 'button', class: 'primary', id: 'retry', onclick: () => render() }, 'Try again'),
      ),
    );
    announce('The service is not answering.');
    main.focus();
    return;
  }
  replace(
    main,
    h(
      'section',
      { class: 'state state-error' },
      h('h1', null, 'Something went wrong'),
      h('p', null, err instanceof ApiError ? `${err.message} (${err.code})` : String(err)),
      h('button', { type: 'button', class: 'primary', onclick: () => render() }, 'Try again'),
    ),
  );
}

function updateChrome(s, current) {
  document.getElementById('nav').hidden = !s;
  document.getElementById('who').hidden = !s;
  document.getElementById('nav-admin').hidden = !s || s.role !== 'admin';
  if (s) document.getElementById('who-role').textContent = s.role === 'admin' ? 'Signed in as admin' : 'Signed in as analyst';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.nav === (current ?? 'inbox') || (current === 'message' && a.dataset.nav === 'inbox')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------- sign-in

function signInView() {
  document.title = 'Sign in · ballotwatch';
  const err = h('p', { class: 'error', id: 'signin-error', role: 'alert', hidden: !signInNotice }, signInNotice ?? '');
  signInNotice = null;
  const input = h('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'key-help signin-error' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (e) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        button.disabled = true;
        err.hidden = true;
        try {
          await signIn(key);
          if (!location.hash || location.hash === '#/signin') location.hash = '#/inbox';
          else render();
        } catch (x) {
          button.disabled = false;
          err.hidden = false;
          if (x instanceof ApiError && x.status === 401) err.textContent = 'That key was not accepted. Check it, or ask for a new analyst key.';
          else if (x instanceof ApiError && x.status === 403) err.textContent = 'That is a gateway key: the dashboard needs an analyst or admin key.';
          else if (x instanceof ApiError && x.serviceDown) err.textContent = 'The ballotwatch service is not answering. Try again in a moment.';
          else err.textContent = x instanceof Error ? x.message : String(x);
          input.focus();
        }
      },
    },
    h('h1', null, 'Sign in'),
    h('p', null, 'See what was flagged in your office’s mail and why, and correct mistakes.'),
    h('label', { for: 'key' }, 'API key'),
    input,
    h('p', { class: 'help', id: 'key-help' }, 'An analyst or admin key from whoever runs ballotwatch. It is kept only in this browser tab until you sign out or close it.'),
    err,
    button,
  );
  replace(main, form);
  input.focus();
}

// ---------------------------------------------------------------- inbox

function filtersFrom(params) {
  const f = {};
  for (const k of FILTER_KEYS) f[k] = params.get(k) ?? '';
  return f;
}

/** The API query for the filters (dates are the browser's local days). */
function listQuery(f) {
  const day = (s, add) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + add).toISOString() : undefined;
  };
  return { category: f.category || undefined, since: f.from ? day(f.from, 0) : undefined, until: f.to ? day(f.to, 1) : undefined, gateway: f.gateway || undefined, sender: f.sender ? f.sender.toLowerCase() : undefined, q: f.q || undefined };
}

function verdictsOf(v) {
  if (v === 'any') return [];
  if (v && VERDICT_NAMES[v]) return [v];
  return ['flagged', 'suspicious'];
}

async function inboxView(params, gen) {
  document.title = 'Inbox · ballotwatch';
  lastInbox = location.hash || '#/inbox';
  const f = filtersFrom(params);
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const key = JSON.stringify([f, session()?.key]);
  // Paging reuses what was read; anything else (apply, a nav link, a reload) reads afresh.
  const reuse = keepPager;
  keepPager = false;
  if (!pager || key !== pagerKey || !reuse) {
    pager = new MergedPager(listQuery(f), verdictsOf(f.verdict), PAGE_SIZE);
    pagerKey = key;
  }
  const form = filterForm(f);
  const results = h('div', { id: 'results', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  replace(main, h('h1', null, 'Inbox'), form, results);
  const { items, hasOlder, index } = await pager.page(page);
  if (gen !== generation) return;
  results.removeAttribute('aria-busy');
  const filtered = FILTER_KEYS.some((k) => f[k]);
  if (!items.length) {
    replace(
      results,
      h(
        'div',
        { class: 'state state-empty', id: 'empty' },
        h('h2', null, index > 0 ? 'No older messages' : filtered ? 'No messages match these filters' : 'Nothing flagged or suspicious'),
        h('p', null, filtered ? 'Change or clear the filters to see more.' : 'New mail appears here as soon as it is scored. Clean mail is not listed unless you choose “Clean” or “Any verdict”.'),
      ),
    );
    announce('No messages.');
    return;
  }
  const go = (p) => {
    keepPager = true;
    params.set('page', String(p));
    location.hash = `#/inbox?${params.toString()}`;
  };
  replace(
    results,
    h('p', { class: 'count', id: 'result-count' }, `Showing ${index * PAGE_SIZE + 1}–${index * PAGE_SIZE + items.length}${hasOlder ? '' : ` of ${index * PAGE_SIZE + items.length}`}`),
    h(
      'table',
      { class: 'inbox', id: 'inbox-table' },
      h('caption', { class: 'sr-only' }, 'Messages, newest first'),
      h(
        'thead',
        null,
        h('tr', null, ['Received', 'Verdict', 'Category', 'Sender', 'Subject', 'Top signal'].map((t) => h('th', { scope: 'col' }, t))),
      ),
      h(
        'tbody',
        null,
        items.map((m) =>
          h(
            'tr',
            { 'data-id': m.id, 'data-verdict': m.verdict ?? '', 'data-category': m.category ?? '' },
            h('td', { class: 'time' }, h('time', { datetime: m.receivedAt }, fmtShortTime(m.receivedAt))),
            h('td', null, verdictBadge(m.verdict)),
            h('td', null, categoryLabel(m.category)),
            h('td', { class: 'sender' }, m.from ?? '(no sender)', m.gateway ? h('span', { class: 'gw' }, ` · ${m.gateway}`) : null),
            h('td', { class: 'subject' }, h('a', { href: `#/message/${m.id}` }, m.subject || '(no subject)'), m.feedback ? h('span', { class: 'fb-tag', title: 'An analyst labelled this message' }, ` ✓ ${categoryLabel(m.feedback)}`) : null),
            h('td', null, m.topSignal ? h('code', null, m.topSignal) : '—'),
          ),
        ),
      ),
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      h('button', { type: 'button', id: 'newer', disabled: index === 0, onclick: () => go(index - 1) }, '← Newer'),
      h('span', null, `Page ${index + 1}`),
      h('button', { type: 'button', id: 'older', disabled: !hasOlder, onclick: () => go(index + 1) }, 'Older →'),
    ),
  );
  announce(`${items.length} messages on page ${index + 1}.`);
}

function filterForm(f) {
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: `f-${id}` }, label), input);
  const select = (id, options) =>
    h(
      'select',
      { id: `f-${id}`, name: id },
      options.map(([v, t]) => h('option', { value: v, selected: f[id] === v }, t)),
    );
  const text = (id, type, placeholder) => h('input', { id: `f-${id}`, name: id, type, value: f[id], placeholder });
  return h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter messages',
      onsubmit: (e) => {
        e.preventDefault();
        const data = new FormData(e.target);
        const p = new URLSearchParams();
        for (const k of FILTER_KEYS) {
          const v = String(data.get(k) ?? '').trim();
          if (v) p.set(k, v);
        }
        const next = `#/inbox${p.toString() ? `?${p}` : ''}`;
        if (location.hash === next) render();
        else location.hash = next;
      },
    },
    field('verdict', 'Verdict', select('verdict', [['', 'Flagged and suspicious'], ['flagged', 'Flagged'], ['suspicious', 'Suspicious'], ['clean', 'Clean'], ['unscanned', 'Unscanned'], ['any', 'Any verdict']])),
    field('category', 'Category', select('category', [['', 'Any category'], ...Object.entries(CATEGORY_NAMES)])),
    field('from', 'From date', text('from', 'date')),
    field('to', 'To date', text('to', 'date')),
    field('gateway', 'Gateway or office', text('gateway', 'text', 'e.g. county-clerk')),
    field('sender', 'Sender domain', text('sender', 'text', 'e.g. example.com')),
    field('q', 'Search subject or sender', text('q', 'search', 'words')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'apply' }, 'Apply filters'),
      h('a', { href: '#/inbox', class: 'button', id: 'clear' }, 'Clear'),
    ),
  );
}

// ---------------------------------------------------------------- message

async function messageView(id, gen) {
  document.title = 'Message · ballotwatch';
  replace(main, h('p', { class: 'loading' }, 'Loading…'));
  if (!/^[0-9a-f]{64}$/.test(id)) throw new ApiError(400, 'bad_request', 'That is not a message id.');
  const [rec, content] = await Promise.all([
    api(`/v1/messages/${id}`),
    api(`/v1/messages/${id}/content`).catch((err) => {
      if (err instanceof ApiError && (err.status === 404 || err.status === 422)) return { missing: err.message };
      throw err;
    }),
  ]);
  if (gen !== generation) return;
  const r = rec.result;
  const signals = r ? [...r.signals].sort((a, b) => b.contribution - a.contribution || b.strength - a.strength) : [];
  const numbers = new Map(signals.map((s, i) => [s.id, i + 1]));
  const placed = new Set(content.highlights ? content.highlights.map((x) => x.signal) : []);
  document.title = `${r?.message.subject || 'Message'} · ballotwatch`;

  const header = h(
    'header',
    { class: 'msg-head' },
    h('p', null, h('a', { href: lastInbox, class: 'back' }, '← Back to the inbox')),
    h('h1', { id: 'msg-subject' }, r?.message.subject || content.subject || '(no subject)'),
    h(
      'div',
      { class: 'verdict-line', id: 'verdict' },
      verdictBadge(r?.verdict ?? null),
      r ? h('span', { class: 'cat' }, categoryLabel(r.category)) : null,
      r && r.score !== null ? h('span', null, `score ${pct(r.score)}`) : null,
      r ? h('span', null, `gateway action: ${r.action}`) : null,
      h('span', null, `received ${fmtTime(rec.receivedAt)}`),
      rec.envelope.gateway ? h('span', null, `via ${rec.envelope.gateway}`) : null,
    ),
    rec.status !== 'done' ? h('p', { class: 'state' }, rec.status === 'queued' ? 'This message is still waiting to be scored.' : `Scoring failed: ${rec.error?.message ?? 'unknown error'}`) : null,
    r?.reason ? h('p', { class: 'state' }, `Not scanned: ${r.reason.message}`) : null,
  );

  const why = h(
    'section',
    { class: 'card why', 'aria-labelledby': 'why-title' },
    h('h2', { id: 'why-title' }, 'Why'),
    signals.length
      ? h(
          'ol',
          { class: 'signals', id: 'signals' },
          signals.map((s) =>
            h(
              'li',
              { 'data-signal': s.id, class: s.contribution < 0 ? 'towards-ham' : null },
              h('span', { class: `num ev-${(numbers.get(s.id) - 1) % 6}`, 'aria-hidden': 'true' }, String(numbers.get(s.id))),
              h(
                'div',
                null,
                h('p', { class: 'sig-title' }, h('code', null, s.id), ' ', h('span', { class: 'sig-desc' }, s.description)),
                h('p', { class: 'sig-meta' }, `strength ${s.strength.toFixed(2)} · ${s.contribution >= 0 ? 'adds' : 'takes'} ${Math.abs(s.contribution).toFixed(2)} ${s.contribution >= 0 ? 'towards' : 'from'} ${categoryLabel(r.category === 'ham' ? 'ham' : r.category)}`),
                h('p', { class: 'evidence' }, h('span', { class: 'sr-only' }, 'Evidence: '), s.evidence),
                placed.has(s.id)
                  ? h('button', { type: 'button', class: 'link show-ev', onclick: () => jumpTo(s.id) }, `Show in the message text (${s.id})`)
                  : null,
              ),
            ),
          ),
        )
      : h('p', null, r ? 'No signals fired: the verdict rests on the words the model learned (clue tokens below).' : 'Not scored yet.'),
    r && r.scores
      ? h(
          'div',
          { class: 'scores' },
          h('h3', null, 'Probability per category'),
          h(
            'dl',
            null,
            Object.entries(r.scores).map(([c, p]) => [h('dt', null, categoryLabel(c)), h('dd', null, h('meter', { min: 0, max: 1, value: p, 'aria-label': `${categoryLabel(c)} ${pct(p)}` }), ` ${pct(p)}`)]),
          ),
        )
      : null,
    r && r.clues.length
      ? h(
          'div',
          { class: 'clues' },
          h('h3', null, 'Clue tokens'),
          h('p', { class: 'help' }, 'Words and features the model learned from past mail, with how strongly each points to this category.'),
          h('ul', { class: 'chips', id: 'clues' }, r.clues.map((c) => h('li', null, h('code', null, c.token), ` ${c.prob.toFixed(2)}`))),
        )
      : null,
  );

  const text = h(
    'section',
    { class: 'card text', 'aria-labelledby': 'text-title' },
    h('h2', { id: 'text-title' }, 'Message text'),
    content.missing
      ? h('p', { class: 'state', id: 'text-missing' }, `The message text is not available: ${content.missing}`)
      : [
          h('p', { class: 'help' }, 'Highlighted: the evidence each numbered signal found.'),
          h('p', { class: 'mail-subject', id: 'mail-subject' }, h('span', { class: 'label' }, 'Subject: '), highlightedText(content.subject, content.highlights.filter((x) => x.part === 'subject'), numbers)),
          h('pre', { class: 'mail-body', id: 'mail-body', tabindex: '0', 'aria-label': 'Message body' }, highlightedText(content.body, content.highlights.filter((x) => x.part === 'body'), numbers)),
          content.truncated ? h('p', { class: 'help' }, 'The text is long: only its beginning is shown.') : null,
          content.unplaced.length ? h('p', { class: 'help' }, `Evidence of ${content.unplaced.join(', ')} could not be placed in the text (see the signal list).`) : null,
        ],
  );

  const facts = headerFacts(rec, content, signals);
  const feedback = feedbackSection(rec, gen);
  replace(main, header, h('div', { class: 'msg-grid' }, h('div', { class: 'col-main' }, text, facts), h('div', { class: 'col-side' }, why, feedback)));
  main.focus();
}

function jumpTo(signal) {
  const mark = [...document.querySelectorAll('mark[data-first]')].find((m) => m.dataset.first.split(' ').includes(signal));
  if (!mark) return;
  for (const m of document.querySelectorAll('mark.current')) m.classList.remove('current');
  for (const m of document.querySelectorAll('mark[data-signals]')) if (m.dataset.signals.split(' ').includes(signal)) m.classList.add('current');
  mark.scrollIntoView({ block: 'center' });
  mark.focus();
}

const LOOKALIKE = new Set(['LOOKALIKE_DOMAIN', 'CONFUSABLE_DISPLAY_NAME', 'OFFICIAL_IMPERSONATION', 'DISPLAY_NAME_MISMATCH', 'URL_ANCHOR_MISMATCH']);

function headerFacts(rec, content, signals) {
  const r = rec.result;
  const rows = [];
  const row = (k, ...v) => rows.push(h('dt', null, k), h('dd', null, ...v));
  const mailbox = (m) => (m ? (m.name ? `${m.name} <${m.address}>` : m.address || '(none)') : '(none)');
  if (!content.missing) {
    row('From', mailbox(content.from));
    if (content.replyTo.length) {
      const other = content.replyTo.filter((m) => m.domain && content.from && m.domain !== content.from.domain);
      row('Reply-To', content.replyTo.map(mailbox).join(', '), other.length ? h('strong', { class: 'warn', id: 'replyto-warning' }, ` Replies go to ${other.map((m) => m.domain).join(', ')}, not ${content.from?.domain || 'the sender'}`) : null);
    } else row('Reply-To', '(none: replies go to the sender)');
    if (content.returnPath) row('Return-Path', content.returnPath);
  }
  row('Envelope', `MAIL FROM ${rec.envelope.mailFrom ?? '(none)'}`, rec.envelope.clientIp ? ` · client ${rec.envelope.clientIp}` : null, rec.envelope.helo ? ` · HELO ${rec.envelope.helo}` : null);
  if (!content.missing) {
    if (content.to.length) row('To', content.to.slice(0, 10).join(', ') + (content.to.length > 10 ? ` and ${content.to.length - 10} more` : ''));
    row('Date', content.date ? fmtTime(content.date) : '(none)');
    row(
      'Authentication',
      content.authResults.length
        ? h(
            'ul',
            { class: 'plain', id: 'auth-results' },
            content.authResults.map((a) =>
              h('li', null, h('span', { class: `auth auth-${/^(pass)$/.test(a.result) ? 'pass' : /^(fail|softfail|permerror)$/.test(a.result) ? 'fail' : 'none'}` }, `${a.method}=${a.result}`), ` stamped by ${a.authservId}`, a.trusted ? ' (your gateway)' : ' (not a configured gateway: not counted)'),
            ),
          )
        : '(no Authentication-Results header)',
    );
  }
  const look = signals.filter((s) => LOOKALIKE.has(s.id));
  row('Look-alikes', look.length ? h('ul', { class: 'plain', id: 'lookalikes' }, look.map((s) => h('li', null, h('code', null, s.id), ' ', s.evidence))) : 'none found');
  if (!content.missing && content.links.length) row('Links to', h('ul', { class: 'plain' }, [...new Set(content.links.map((l) => l.host || l.url))].slice(0, 12).map((x) => h('li', null, x))));
  if (!content.missing && content.attachments.length) row('Attachments', h('ul', { class: 'plain' }, content.attachments.map((a) => h('li', null, `${a.filename || '(unnamed)'} · ${a.contentType} · ${a.size} bytes`))));
  if (r) {
    row('Model', h('code', { id: 'model-version' }, r.model), ` · scored ${fmtTime(rec.scoredAt)} in ${r.ms} ms`);
    row('Bayes', r.bayes.status === 'ok' ? `${r.bayes.knownTokens} known tokens` : `uncertain: ${r.bayes.reason ?? ''}`);
  }
  if (!content.missing && content.warnings.length) row('Parser warnings', content.warnings.map((w) => w.message).join('; '));
  return h('section', { class: 'card facts', 'aria-labelledby': 'facts-title' }, h('h2', { id: 'facts-title' }, 'Header facts'), h('dl', { class: 'facts-list' }, rows));
}

function feedbackSection(rec, gen) {
  const r = rec.result;
  const current = r?.category && r.verdict !== 'unscanned' ? r.category : null;
  const history = h('ul', { class: 'plain feedback-list', id: 'feedback-list' });
  const drawHistory = (items) => {
    replace(
      history,
      items.length
        ? [...items].reverse().map((f) => h('li', { 'data-label': f.label }, h('strong', null, categoryLabel(f.label)), ` · ${fmtTime(f.at)} · key ${f.by}`, f.note ? h('span', { class: 'note' }, ` — ${f.note}`) : null))
        : h('li', { class: 'help' }, 'No feedback yet.'),
    );
  };
  drawHistory(rec.feedback ?? []);
  const status = h('p', { class: 'status', id: 'feedback-status', role: 'status' });
  const labelSelect = h(
    'select',
    { id: 'fb-label', name: 'label', disabled: true },
    Object.entries(CATEGORY_NAMES).map(([v, t]) => h('option', { value: v, selected: v === (current === 'ham' ? 'spam' : 'ham') }, t)),
  );
  const radio = (value, text) =>
    h(
      'label',
      { class: 'radio' },
      h('input', { type: 'radio', name: 'right', value, id: `fb-${value}`, required: true, onchange: () => (labelSelect.disabled = value !== 'wrong') }),
      ` ${text}`,
    );
  const note = h('textarea', { id: 'fb-note', name: 'note', rows: '3', maxlength: '2000' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'fb-submit' }, 'Save feedback');
  const form = h(
    'form',
    {
      id: 'feedback-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const right = new FormData(e.target).get('right');
        if (!right) {
          status.textContent = 'Choose whether the verdict is right or wrong.';
          return;
        }
        const label = right === 'right' ? current : labelSelect.value;
        if (!label) {
          status.textContent = 'This message has no category to confirm: mark it wrong and choose the right label.';
          return;
        }
        submit.disabled = true;
        status.textContent = 'Saving…';
        try {
          await api(`/v1/messages/${rec.id}/feedback`, { method: 'POST', body: { label, note: note.value } });
          // Read it back from the service: what is shown is what was stored.
          const fresh = await api(`/v1/messages/${rec.id}`);
          if (gen !== generation) return;
          drawHistory(fresh.feedback ?? []);
          status.textContent = `Feedback saved: ${categoryLabel(label)}. It will be used when the model is retrained.`;
          note.value = '';
          announce(status.textContent);
        } catch (err) {
          if (err instanceof ApiError && (err.status === 401 || err.serviceDown)) return failed(err);
          status.textContent = `Not saved: ${err instanceof Error ? err.message : String(err)}`;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h(
      'fieldset',
      null,
      h('legend', null, 'Is this verdict right?'),
      radio('right', current ? `Right: it is ${categoryLabel(current).toLowerCase()}` : 'Right'),
      radio('wrong', 'Wrong'),
    ),
    h('div', { class: 'field' }, h('label', { for: 'fb-label' }, 'Correct label (when wrong)'), labelSelect),
    h('div', { class: 'field' }, h('label', { for: 'fb-note' }, 'Note (optional)'), note),
    submit,
    status,
  );
  return h('section', { class: 'card feedback', 'aria-labelledby': 'fb-title' }, h('h2', { id: 'fb-title' }, 'Feedback'), form, h('h3', null, 'Feedback given'), history);
}

// ---------------------------------------------------------------- trends

const RANGES = {
  '24h': { label: 'Last 24 hours, by hour', ms: 86_400_000, bucket: 'hour' },
  '7d': { label: 'Last 7 days, by day', ms: 7 * 86_400_000, bucket: 'day' },
  '30d': { label: 'Last 30 days, by day', ms: 30 * 86_400_000, bucket: 'day' },
};

async function trendsView(params, gen) {
  document.title = 'Trends · ballotwatch';
  const rangeKey = RANGES[params.get('range')] ? params.get('range') : '24h';
  const range = RANGES[rangeKey];
  const withHam = params.get('ham') === '1';
  const until = Date.now();
  const since = until - range.ms;
  const controls = h(
    'form',
    {
      class: 'filters trends-controls',
      'aria-label': 'Trend period',
      onsubmit: (e) => {
        e.preventDefault();
        const d = new FormData(e.target);
        location.hash = `#/trends${qs({ range: d.get('range'), ham: d.get('ham') ? '1' : '' })}`;
      },
    },
    h('div', { class: 'field' }, h('label', { for: 't-range' }, 'Period'), h('select', { id: 't-range', name: 'range' }, Object.entries(RANGES).map(([k, r]) => h('option', { value: k, selected: k === rangeKey }, r.label)))),
    h('div', { class: 'field check' }, h('input', { type: 'checkbox', id: 't-ham', name: 'ham', value: '1', checked: withHam }), h('label', { for: 't-ham' }, 'Include legitimate mail')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show')),
  );
  replace(main, h('h1', null, 'Trends'), controls, h('p', { class: 'loading' }, 'Loading…'));
  const [stats, campaigns] = await Promise.all([
    api(`/v1/stats${qs({ since, until, bucket: range.bucket, top: 10 })}`),
    api(`/v1/campaigns${qs({ since, until: until + 1, minSize: 2, limit: 20 })}`),
  ]);
  if (gen !== generation) return;
  const cats = withHam ? ['intimidation', 'disinformation', 'spam', 'ham'] : ['intimidation', 'disinformation', 'spam'];
  const card = (label, n, cls) => h('div', { class: `stat ${cls ?? ''}` }, h('span', { class: 'n' }, String(n ?? 0)), h('span', { class: 'l' }, label));
  const threatTotal = cats.reduce((n, c) => n + (stats.category[c] ?? 0), 0);
  replace(
    main,
    h('h1', null, 'Trends'),
    controls,
    h(
      'div',
      { class: 'stats', id: 'stat-cards' },
      card('scored', stats.total),
      card('flagged', stats.verdict.flagged, 'v-flagged'),
      card('suspicious', stats.verdict.suspicious, 'v-suspicious'),
      card('clean', stats.verdict.clean, 'v-clean'),
      card('unscanned', stats.verdict.unscanned, 'v-unscanned'),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'chart-h' },
      h('h2', { id: 'chart-h' }, `Messages by category, ${range.label.toLowerCase()}`),
      threatTotal ? categoryChart(stats, cats) : h('p', { class: 'state state-empty', id: 'chart-empty' }, withHam ? 'No mail scored in this period.' : 'No intimidation, disinformation or spam in this period.'),
    ),
    h(
      'div',
      { class: 'grid-3' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'dom-h' },
        h('h2', { id: 'dom-h' }, 'Top sender domains'),
        h('p', { class: 'help' }, 'By flagged and suspicious mail.'),
        stats.topSenderDomains.length
          ? h(
              'table',
              { id: 'top-domains' },
              h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Domain'), h('th', { scope: 'col', class: 'num' }, 'Flagged or suspicious'), h('th', { scope: 'col', class: 'num' }, 'All'))),
              h('tbody', null, stats.topSenderDomains.map((d) => h('tr', null, h('td', null, h('a', { href: `#/inbox${qs({ sender: d.domain })}` }, d.domain)), h('td', { class: 'num' }, String(d.flagged)), h('td', { class: 'num' }, String(d.total))))),
            )
          : h('p', null, 'None in this period.'),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'sig-h' },
        h('h2', { id: 'sig-h' }, 'Top signals'),
        stats.topSignals.length
          ? h(
              'table',
              { id: 'top-signals' },
              h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Signal'), h('th', { scope: 'col', class: 'num' }, 'Messages'))),
              h('tbody', null, stats.topSignals.map((s) => h('tr', null, h('td', null, h('code', null, s.id)), h('td', { class: 'num' }, String(s.count))))),
            )
          : h('p', null, 'None in this period.'),
      ),
      h(
        'section',
        { class: 'card campaigns', 'aria-labelledby': 'camp-h' },
        h('h2', { id: 'camp-h' }, 'Campaigns'),
        h('p', { class: 'help' }, 'The same text reaching several mailboxes or offices.'),
        campaigns.items.length
          ? h(
              'ul',
              { class: 'plain', id: 'campaigns' },
              campaigns.items.map((c) =>
                h(
                  'li',
                  { 'data-size': c.size },
                  h('a', { href: `#/message/${c.sampleId}` }, c.subject || '(no subject)'),
                  h('br'),
                  h('span', { class: 'help' }, `${c.size} messages · ${c.gateways.length} ${c.gateways.length === 1 ? 'office' : 'offices'} (${c.gateways.join(', ') || 'unknown'}) · from ${c.senderDomains.join(', ') || 'unknown'} · ${fmtShortTime(c.firstSeen)} – ${fmtShortTime(c.lastSeen)}`),
                ),
              ),
            )
          : h('p', null, 'No repeated text in this period.'),
      ),
    ),
  );
}

// ---------------------------------------------------------------- start

document.getElementById('signout').addEventListener('click', () => {
  clearSession();
  pager = null;
  if (location.hash !== '#/signin') location.hash = '#/signin';
  else render();
});
window.addEventListener('hashchange', () => render());
render();

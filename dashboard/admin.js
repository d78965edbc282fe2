// Model management (admin role): versions with their metrics, retrain with progress, activate,
// roll back, delete, and the audit log. A server without the admin API answers 404: the page says
// so instead of failing.
import { api, ApiError, qs } from './api.js';
import { announce, CATEGORY_NAMES, fmtTime, h, pct, replace } from './dom.js';

const POLL_MS = 1000;
let polling = null;
/** The retrain started from this tab: shown again (progress or outcome) whenever the page is drawn. */
let currentJob = null;

/** Draws the admin page into `main`. `ctx`: {role, isCurrent(), onError(err)}. */
export async function adminView(main, ctx) {
  document.title = 'Models · ballotwatch';
  if (polling) clearTimeout(polling);
  polling = null;
  if (ctx.role !== 'admin') {
    replace(main, h('section', { class: 'state' }, h('h1', null, 'Models'), h('p', null, 'Model management needs an admin key. You are signed in with an analyst key.')));
    return;
  }
  replace(main, h('h1', null, 'Models'), h('p', { class: 'loading' }, 'Loading…'));
  let models;
  try {
    models = await api('/v1/admin/models');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      if (!ctx.isCurrent()) return;
      replace(
        main,
        h('h1', null, 'Models'),
        h(
          'section',
          { class: 'state state-empty', id: 'admin-unavailable' },
          h('h2', null, 'Model management is not available on this server'),
          h('p', null, 'This ballotwatch service does not offer the model lifecycle API (model versions, retraining, activation). The model it runs is named on every message’s page.'),
        ),
      );
      return;
    }
    throw err;
  }
  if (!ctx.isCurrent()) return;

  const status = h('p', { class: 'status', id: 'admin-status', role: 'status' });
  const reload = () => adminView(main, ctx).catch(ctx.onError);
  const act = async (what, fn) => {
    status.textContent = `${what}…`;
    try {
      await fn();
      status.textContent = `${what}: done.`;
      announce(status.textContent);
      await reload();
      const s = document.getElementById('admin-status');
      if (s) s.textContent = `${what}: done.`;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.serviceDown)) return ctx.onError(err);
      status.textContent = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  };

  const byVersion = new Map(models.items.map((m) => [m.version, m]));
  const active = byVersion.get(models.active);
  const rollbackTo = active?.parent && byVersion.has(active.parent) ? active.parent : null;

  const table = h(
    'table',
    { id: 'models', class: 'models' },
    h('caption', { class: 'sr-only' }, 'Model versions'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Version', 'Status', 'Trained', 'Learned', 'Intimidation caught', 'Disinformation caught', 'Ham false positives', 'AUC', 'Gate', 'Actions'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      null,
      models.items.map((m) => {
        const met = m.metrics;
        const caught = (c) => (met && met.detection ? pct(met.detection[c]) : '—');
        return h(
          'tr',
          { 'data-version': m.version, class: m.active ? 'active' : null },
          h('th', { scope: 'row' }, h('code', null, m.version)),
          h('td', null, m.active ? h('span', { class: 'badge v-clean' }, 'active') : m.status),
          h('td', null, fmtTime(m.createdAt), h('br'), h('span', { class: 'help' }, `${m.source}${m.trainedBy ? ` by ${m.trainedBy}` : ''}${m.parent ? ` from ${m.parent}` : ''}`)),
          h('td', { class: 'num', title: m.counts ? Object.entries(m.counts).map(([k, n]) => `${k} ${n}`).join(', ') : null }, m.counts ? String(Object.values(m.counts).reduce((a, b) => a + b, 0)) : '—'),
          h('td', { class: 'num' }, caught('intimidation')),
          h('td', { class: 'num' }, caught('disinformation')),
          h('td', { class: 'num' }, met ? pct(met.hamFpr) : '—'),
          h('td', { class: 'num' }, met && met.auc !== null ? met.auc.toFixed(4) : '—'),
          h('td', null, m.gate ? (m.gate.passed ? (m.gate.forced ? 'forced' : 'passed') : h('span', { title: m.gate.reasons.join('; ') }, `refused: ${m.gate.reasons.join('; ')}`)) : '—'),
          h(
            'td',
            { class: 'actions' },
            m.active
              ? rollbackTo
                ? h('button', { type: 'button', class: 'rollback', onclick: () => act(`Rolling back to ${rollbackTo}`, () => api(`/v1/admin/models/${encodeURIComponent(rollbackTo)}/activate`, { method: 'POST', body: {} })) }, `Roll back to ${rollbackTo}`)
                : null
              : [
                  h('button', { type: 'button', class: 'activate', onclick: () => act(`Activating ${m.version}`, () => api(`/v1/admin/models/${encodeURIComponent(m.version)}/activate`, { method: 'POST', body: {} })) }, `Activate ${m.version}`),
                  ' ',
                  deleteButton(m.version, act),
                ],
          ),
        );
      }),
    ),
  );

  const job = h('div', { id: 'job', class: 'job', hidden: true });
  const retrain = retrainForm(job, ctx, reload);
  const audit = h('section', { class: 'card', 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'Audit log'), h('div', { id: 'audit' }, h('p', { class: 'loading' }, 'Loading…')));

  replace(
    main,
    h('h1', null, 'Models'),
    h('p', null, 'Active model: ', h('code', { id: 'active-version' }, models.active)),
    status,
    h('section', { class: 'card wide', 'aria-labelledby': 'models-h' }, h('h2', { id: 'models-h' }, 'Versions'), h('div', { class: 'scroll' }, table)),
    h('div', { class: 'grid-2' }, h('section', { class: 'card', 'aria-labelledby': 'retrain-h' }, h('h2', { id: 'retrain-h' }, 'Retrain'), retrain, job), audit),
  );
  loadAudit(document.getElementById('audit'), null, ctx);
  if (currentJob) watchJob(currentJob, job, ctx, reload);
}

function deleteButton(version, act) {
  // Two steps, both real buttons: "Delete" turns into "Confirm delete".
  const b = h('button', { type: 'button', class: 'danger' }, `Delete ${version}`);
  let armed = false;
  b.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      b.textContent = `Confirm delete ${version}`;
      return;
    }
    act(`Deleting ${version}`, () => api(`/v1/admin/models/${encodeURIComponent(version)}`, { method: 'DELETE' }));
  });
  b.addEventListener('blur', () => {
    armed = false;
    b.textContent = `Delete ${version}`;
  });
  return b;
}

function retrainForm(job, ctx, reload) {
  const since = h('input', { type: 'date', id: 'rt-since', name: 'since' });
  const base = h(
    'select',
    { id: 'rt-base', name: 'base' },
    h('option', { value: 'active', selected: true }, 'The active model plus the new labels (seconds)'),
    h('option', { value: 'corpus' }, 'A full retrain from the active model’s corpus (minutes)'),
    h('option', { value: 'none' }, 'Only the new labels'),
  );
  const force = h('input', { type: 'checkbox', id: 'rt-force', name: 'force' });
  const note = h('input', { type: 'text', id: 'rt-note', name: 'note', maxlength: '1000' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'rt-start' }, 'Start retraining');
  return h(
    'form',
    {
      id: 'retrain-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const body = { base: base.value, force: force.checked };
        if (since.value) body.feedbackSince = new Date(`${since.value}T00:00:00`).toISOString();
        if (note.value.trim()) body.note = note.value.trim();
        submit.disabled = true;
        try {
          const started = await api('/v1/admin/retrain', { method: 'POST', body });
          currentJob = started.jobId;
          watchJob(started.jobId, job, ctx, reload);
        } catch (err) {
          submit.disabled = false;
          if (err instanceof ApiError && (err.status === 401 || err.serviceDown)) return ctx.onError(err);
          job.hidden = false;
          replace(job, h('p', { class: 'error', role: 'alert', id: 'job-error' }, `Retraining was not started: ${err instanceof Error ? err.message : String(err)}`));
        }
      },
    },
    h('p', { class: 'help' }, 'Learns analysts’ corrections. The new version becomes active only if it is not worse than the active one on the evaluation set (or if forced).'),
    h('div', { class: 'field' }, h('label', { for: 'rt-since' }, 'Learn feedback given since'), since),
    h('div', { class: 'field' }, h('label', { for: 'rt-base' }, 'Start from'), base),
    h('div', { class: 'field check' }, force, h('label', { for: 'rt-force' }, 'Activate even if the gate refuses it')),
    h('div', { class: 'field' }, h('label', { for: 'rt-note' }, 'Note (optional)'), note),
    submit,
  );
}

/** Polls a retrain job into `job`; when it ends after being seen queued or running, `changed()` redraws the versions. */
function watchJob(id, job, ctx, changed) {
  job.hidden = false;
  let sawActive = false;
  const submit = document.getElementById('rt-start');
  const done = () => {
    if (submit) submit.disabled = false;
    if (sawActive) changed();
  };
  const bar = h('progress', { id: 'job-progress', max: '100', value: '0', 'aria-label': 'Retraining progress' });
  const line = h('p', { id: 'job-phase', role: 'status' }, 'Queued…');
  const result = h('div', { id: 'job-result' });
  replace(job, h('h3', null, 'Retraining ', h('code', null, id)), bar, line, result);
  const tick = async () => {
    let j;
    try {
      j = await api(`/v1/admin/jobs/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.serviceDown)) return ctx.onError(err);
      line.textContent = `Could not read the job: ${err instanceof Error ? err.message : String(err)}`;
      return done();
    }
    if (!document.body.contains(job)) return;
    if (j.state === 'queued' || j.state === 'running') {
      sawActive = true;
      if (submit) submit.disabled = true;
    }
    bar.value = j.percent;
    line.textContent = `${j.state} · ${j.percent} % · ${j.phase}`;
    if (j.state === 'completed' || j.state === 'failed') {
      job.dataset.state = j.state;
      if (j.state === 'failed') replace(result, h('p', { class: 'error' }, `Failed: ${j.errors.join('; ') || 'no reason given'}`));
      else if (j.result) replace(result, jobResult(j.result));
      announce(`Retraining ${j.state}.`);
      polling = null;
      return done();
    }
    polling = setTimeout(tick, POLL_MS);
  };
  tick();
}

function jobResult(r) {
  const rows = ['intimidation', 'disinformation', 'spam', 'ham'].map((c) => {
    const n = r.metrics?.categories[c];
    const o = r.activeMetrics?.categories[c];
    const f1 = (x) => (x && x.f1 !== null && x.f1 !== undefined ? x.f1.toFixed(3) : '—');
    return h('tr', null, h('th', { scope: 'row' }, `${CATEGORY_NAMES[c]} F1`), h('td', { class: 'num' }, f1(n)), h('td', { class: 'num' }, f1(o)));
  });
  return h(
    'div',
    null,
    h('p', { id: 'job-outcome' }, h('code', null, r.version), r.promoted ? ' is now active' : ' was kept as a candidate', `: ${r.reason}`),
    h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'On the evaluation set'), h('th', { scope: 'col', class: 'num' }, 'New'), h('th', { scope: 'col', class: 'num' }, 'Active before'))),
      h(
        'tbody',
        null,
        rows,
        ['intimidation', 'disinformation'].map((c) => h('tr', null, h('th', { scope: 'row' }, `${CATEGORY_NAMES[c]} caught`), h('td', { class: 'num' }, pct(r.metrics?.detection?.[c])), h('td', { class: 'num' }, pct(r.activeMetrics?.detection?.[c])))),
        h('tr', null, h('th', { scope: 'row' }, 'Ham false positives'), h('td', { class: 'num' }, pct(r.metrics?.hamFpr)), h('td', { class: 'num' }, pct(r.activeMetrics?.hamFpr))),
      ),
    ),
  );
}

async function loadAudit(box, cursor, ctx) {
  let page;
  try {
    page = await api(`/v1/admin/audit${qs({ limit: 20, cursor: cursor ?? undefined })}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.serviceDown)) return ctx.onError(err);
    replace(box, h('p', { class: 'error' }, `The audit log could not be read: ${err instanceof Error ? err.message : String(err)}`));
    return;
  }
  if (!box.isConnected) return;
  replace(
    box,
    page.items.length
      ? h(
          'table',
          { id: 'audit-table' },
          h('thead', null, h('tr', null, ['When', 'Action', 'Version', 'By'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, page.items.map((a) => h('tr', null, h('td', null, fmtTime(a.at)), h('td', null, a.action), h('td', null, a.version ? h('code', null, a.version) : '—'), h('td', null, a.by)))),
        )
      : h('p', null, 'No model changes yet.'),
    page.nextCursor ? h('button', { type: 'button', onclick: () => loadAudit(box, page.nextCursor, ctx) }, 'Older entries') : null,
  );
}

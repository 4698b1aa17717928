// The admin console: one page, no build step. It drives the admin JSON API (/admin/api) with the
// session cookie and sends the session's CSRF token on every change. Every value from the server is
// put in the page as text (never as HTML).
'use strict';

const csrf = document.querySelector('meta[name=csrf-token]').content;
// The console's words in the administrator's language: the page loads, before this script, the table of
// the language the server chose (the one picked in the header and remembered in a cookie, else
// Accept-Language), /admin/assets/words/<tag>.js, written from src/i18n/strings.tsv by
// scripts/console-assets.mjs. Every text this file passes to t() has a line there (a native test checks it).
const T = self.CONSOLE_WORDS || {};
const lang = document.documentElement.lang || 'en';
const t = (s, ...args) => (T[s] || s).replace(/\{(\d)\}/g, (m, i) => (i < args.length ? String(args[i]) : m));
const app = document.getElementById('app');
const state = { conn: null };

async function api(method, path, body) {
  const r = await fetch('/admin/api' + path, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 401) {
    location.assign('/admin');
    throw new Error(t('Signed out'));
  }
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = new Error((data.error && data.error.message) || r.statusText);
    e.code = data.error && data.error.code;
    throw e;
  }
  return data;
}

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) if (c !== null && c !== undefined && c !== '') el.append(c instanceof Node ? c : String(c));
  return el;
}

const OPS = { read: t('read'), create: t('create'), update: t('update'), delete: t('delete'), action: t('action') };
const opWords = (op) => OPS[op] || op;
const button = (label, onclick, attrs) => h('button', { type: 'button', onclick, ...attrs }, label);
const field = (label, input) => h('label', {}, label, input);
const utc = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
// A time in the administrator's own time zone, its exact UTC on hover.
const time = (ms) => (ms ? h('time', { datetime: new Date(ms).toISOString(), title: utc(ms) }, new Date(ms).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' })) : '—');
const sameYear = (ms) => new Date(ms).getFullYear() === new Date().getFullYear();
const day = (ms) => new Date(ms).toLocaleDateString(lang, { day: 'numeric', month: 'long', year: sameYear(ms) ? undefined : 'numeric' });
// `one` and `many` are translated texts with {0} for the number.
const plural = (n, one, many) => (n === 1 ? one : many).replace('{0}', String(n));

// "3 hours ago", exact time on hover.
function ago(ms) {
  if (!ms) return t('never');
  const s = (Date.now() - ms) / 1000;
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const [n, unit] = s < 45 ? [0, 'second'] : s < 3600 ? [Math.round(s / 60), 'minute'] : s < 86400 ? [Math.round(s / 3600), 'hour']
    : s < 86400 * 45 ? [Math.round(s / 86400), 'day'] : [Math.round(s / 86400 / 30), 'month'];
  return h('time', { datetime: new Date(ms).toISOString(), title: utc(ms) }, n === 0 ? t('just now') : rtf.format(-n, unit));
}

function toast(message, error) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = error ? 'show error' : 'show';
  toast.shown = (toast.shown || 0) + 1;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.className = ''), error ? 12000 : 6000);
}

// Runs an action, reporting its error instead of losing it; an error still shown from an earlier
// attempt goes once this one succeeds.
async function attempt(fn) {
  const before = toast.shown;
  try {
    const r = await fn();
    const el = document.getElementById('toast');
    if (toast.shown === before && el.classList.contains('error')) el.className = '';
    return r;
  } catch (e) {
    toast(e.message, true);
  }
}

// Each cell carries its column's name, which narrow screens show beside it (a row becomes a card).
function table(headers, rows, attrs) {
  const tbl = h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.length ? rows.map((r) => (r instanceof Node ? r : h('tr', {}, r.map((c) => h('td', {}, c))))) :
      h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, t('Nothing yet.')))));
  for (const tr of tbl.tBodies[0].rows) [...tr.cells].forEach((td, i) => headers[i] && !td.dataset.label && td.setAttribute('data-label', headers[i]));
  return tbl;
}

function render(...nodes) {
  app.replaceChildren(...nodes);
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('{0} copied to the clipboard.', what));
  } catch (e) {
    toast(t('Copy failed ({0}): select the text and copy it by hand.', e.message), true);
  }
}

async function connections() {
  const list = (await api('GET', '/connections')).connections;
  const result = h('div', { id: 'test-result' });
  const rows = list.map((c) => [c.name, c.url, c.database, c.odoo_version, c.transport, c.browse_login || '—',
    h('span', { class: 'actions' },
      button(t('Test'), () => attempt(async () => {
        const r = await api('POST', '/connections/' + c.id + '/test');
        result.replaceChildren(h('p', { class: 'ok' }, t('Reached {0}: Odoo {1} over {2}.', r.url, r.odoo_version, r.transport) + ' ' +
          t('Browsing user: {0}.', r.credentials.status + (r.credentials.message ? ' (' + r.credentials.message + ')' : ''))));
      }), { 'data-test': 'test-' + c.name }),
      button(t('Edit'), () => app.append(connectionForm(c))),
      button(t('Models'), () => { state.conn = c.id; location.hash = '#models'; }))]);
  render(h('h1', {}, t('Connections')), table([t('Name'), t('Odoo URL'), t('Database'), t('Version'), t('Transport'), t('Browsing user'), ''], rows, { id: 'connections' }),
    result, connectionForm(null));
}

function connectionForm(c) {
  const name = h('input', { name: 'name', required: true, value: c ? c.name : '' });
  const url = h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://acme.odoo.com', value: c ? c.url : '' });
  const database = h('input', { name: 'database', required: true, value: c ? c.database : '' });
  const login = h('input', { name: 'odoo_login', autocomplete: 'off', value: c && c.browse_login ? c.browse_login : '' });
  const key = h('input', { name: 'odoo_api_key', type: 'password', autocomplete: 'off' });
  const form = h('form', { class: 'card', id: c ? 'edit-connection' : 'add-connection' },
    h('h2', {}, c ? t('Edit {0}', c.name) : t('Add a connection')),
    field(t('Name'), name), field(t('Odoo URL'), url), field(t('Database'), database),
    h('p', { class: 'hint' }, t('Optional: an Odoo user (login and API key) the console lists models and fields with. It is never used by assistants.')),
    c ? h('p', { class: 'hint' }, t('Moving to another Odoo address (scheme, host or port) forgets this user unless you give it again, and suspends the connection\'s keys until you confirm each one.')) : '',
    field(t('Odoo login'), login), field(t('Odoo API key'), key),
    h('button', { type: 'submit' }, c ? t('Save') : t('Add connection')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    attempt(async () => {
      const body = { name: name.value, url: url.value, database: database.value };
      if (key.value) Object.assign(body, { odoo_login: login.value, odoo_api_key: key.value });
      const saved = c ? await api('PUT', '/connections/' + c.id, body) : await api('POST', '/connections', body);
      state.conn = saved.id;
      toast(t('Saved {0}: Odoo {1} over {2}.', saved.name, saved.odoo_version, saved.transport) + (saved.moved ? ' ' + saved.moved.notice : ''));
      await connections();
    });
  });
  return form;
}

async function connectionPicker(onchange) {
  const list = (await api('GET', '/connections')).connections;
  if (!list.length) return null;
  if (!list.some((c) => c.id === state.conn)) state.conn = list[0].id;
  const select = h('select', { id: 'connection', onchange: () => { state.conn = Number(select.value); load(onchange); } },
    list.map((c) => h('option', { value: String(c.id), selected: c.id === state.conn }, c.name + ' (' + c.url + ')')));
  return field(t('Connection'), select);
}

// Models: search Odoo's models first; the enabled ones on top with what they allow. A model is listed
// once: in the search results only while it is not enabled.
async function models() {
  const picker = await connectionPicker(models);
  if (!picker) return render(h('h1', {}, t('Models')), h('p', {}, t('Add a connection first.')));
  const id = state.conn;
  const q = h('input', { id: 'model-search', type: 'search', placeholder: t('Technical name or label'), 'aria-label': t('Search models') });
  const found = h('div', { id: 'model-results' });
  const enabled = h('div', { id: 'enabled-models' });
  let shown = [];
  const matches = (m) => !q.value.trim() || (m.model + ' ' + (m.name || '')).toLowerCase().includes(q.value.trim().toLowerCase());
  const search = async () => {
    if (!q.value.trim()) return found.replaceChildren(h('p', { class: 'hint' }, t('Search Odoo\'s models by technical name (crm.lead) or label (Lead), then tick what assistants may do.')));
    try {
      const r = await api('GET', '/connections/' + id + '/odoo-models?q=' + encodeURIComponent(q.value.trim()));
      const on = new Set(shown.map((m) => m.model));
      const fresh = r.models.filter((m) => !on.has(m.model));
      const listed = r.models.length - fresh.length;
      found.replaceChildren(h('h2', {}, t('Found in Odoo')), modelTable(id, fresh, refresh, false),
        listed ? h('p', { class: 'hint' }, plural(listed, t('1 match is already enabled, above.'), t('{0} matches are already enabled, above.'))) : '',
        r.truncated ? h('p', { class: 'hint' }, t('More models match: refine the search.')) : '');
    } catch (e) {
      found.replaceChildren(h('p', { class: 'hint' }, e.message));
    }
  };
  const drawEnabled = () => {
    const list = shown.filter(matches);
    enabled.replaceChildren(h('h2', {}, t('Enabled models')), shown.length ? modelTable(id, list, refresh, true)
      : h('p', { class: 'hint' }, t('None yet: nothing is allowed until you enable it.')));
  };
  async function refresh() {
    shown = (await api('GET', '/connections/' + id + '/models')).models;
    drawEnabled();
    await search();
  }
  const form = h('form', { class: 'inline search', role: 'search' }, q, h('button', { type: 'submit' }, t('Search')));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); drawEnabled(); attempt(search); });
  render(h('h1', {}, t('Models')), picker, form,
    h('p', { class: 'hint' }, t('Nothing is allowed until you enable it. Sensitive models stay locked unless you unlock them.')), enabled, found);
  await refresh();
}

function modelTable(id, list, refresh, isEnabled) {
  const cols = isEnabled ? 9 : 6;
  const rows = list.map((m) => {
    const locked = m.sensitive && !m.unlock_sensitive;
    const put = (changes) => attempt(async () => {
      const body = { read: m.read, create: m.create, update: m.update, delete: m.delete, unlock_sensitive: m.unlock_sensitive, actions: m.actions || [], ...changes };
      Object.assign(m, await api('PUT', '/connections/' + id + '/models/' + m.model, body));
      toast(t('Saved {0}.', m.model));
      await refresh();
    });
    const box = (op) => h('label', { class: 'op' }, h('input', { type: 'checkbox', checked: m[op], 'aria-label': op + ' ' + m.model, 'data-model': m.model, 'data-op': op,
      onchange: (ev) => put({ [op]: ev.target.checked }) }), h('span', { class: 'narrow-only' }, ' ' + opWords(op)));
    const lock = m.sensitive
      ? (locked
        ? button(t('Unlock…'), () => { if (confirm(t('Unlock {0}? It is sensitive: {1}. The unlock is audited.', m.model, m.sensitive))) put({ unlock_sensitive: true }); }, { class: 'danger' })
        : button(t('Lock'), () => put({ unlock_sensitive: false })))
      : '';
    const n = m.fields ? m.fields.fields.length : 0;
    const policy = !m.fields ? t('all fields') : (m.fields.mode === 'allow' ? plural(n, t('only 1 field'), t('only {0} fields')) : plural(n, t('hides 1 field'), t('hides {0} fields')))
      + ' (' + m.fields.mode + ' ' + n + ')';
    const row = h('tr', { class: locked ? 'locked' : '', 'data-row': m.model },
      h('td', {}, h('code', {}, m.model), m.name ? h('div', { class: 'hint' }, m.name) : ''),
      ['read', 'create', 'update', 'delete'].map((op) => h('td', { class: 'op' }, box(op))),
      isEnabled ? h('td', {}, button(policy, () => fieldEditor(id, m, row, cols, refresh), { 'data-fields': m.model })) : null,
      isEnabled ? h('td', {}, button((m.actions || []).length ? m.actions.join(', ') : t('none'), () => actionEditor(m, row, cols, put), { 'data-actions': m.model })) : null,
      h('td', {}, locked ? h('span', { class: 'badge', title: m.sensitive }, t('locked')) : m.sensitive ? h('span', { class: 'badge warn' }, t('unlocked')) : '', lock),
      isEnabled ? h('td', {}, button(t('Remove'), () => attempt(async () => {
        await api('DELETE', '/connections/' + id + '/models/' + m.model);
        toast(t('Removed {0}: it is refused again.', m.model));
        await refresh();
      }), { 'data-remove': m.model })) : null);
    return row;
  });
  return table([t('Model'), t('Read'), t('Create'), t('Update'), t('Delete')].concat(isEnabled ? [t('Fields'), t('Actions'), t('Sensitive'), ''] : [t('Sensitive')]), rows, { class: 'models' });
}

// An editor opens in a row of its own under the model's row (one at a time).
function openEditor(row, cols, ...kids) {
  document.getElementById('field-editor')?.closest('tr').remove();
  const panel = h('div', { class: 'card inline-editor', id: 'field-editor' }, ...kids);
  row.after(h('tr', { class: 'editor' }, h('td', { colspan: String(cols) }, panel)));
  return panel;
}

async function fieldEditor(id, m, row, cols, refresh) {
  await attempt(async () => {
    const r = await api('GET', '/connections/' + id + '/odoo-models/' + m.model + '/fields');
    const current = new Set(m.fields ? m.fields.fields : []);
    const mode = h('select', { id: 'field-mode' },
      h('option', { value: '', selected: !m.fields }, t('No field policy: every field')),
      h('option', { value: 'allow', selected: m.fields && m.fields.mode === 'allow' }, t('Allow only the checked fields (recommended)')),
      h('option', { value: 'deny', selected: m.fields && m.fields.mode === 'deny' }, t('Hide the checked fields')));
    const advice = h('details', { class: 'hint', id: 'field-policy-advice' }, h('summary', {}, t('Allow-list or deny-list?')),
      t('Prefer an allow-list: it shows exactly the fields you check, and fields added to Odoo later stay hidden.'), ' ',
      t('A deny-list hides the checked fields and the fields Odoo reports as computed from them (email_normalized with email), but not fields added later, copies kept on other models (a lead\'s own email), nor values Odoo computes without reporting it.'), ' ',
      t('With an allow-list, a checked field computed from an unchecked one shows its value: see "computed from".'));
    const boxes = r.fields.map((f) => h('label', { class: 'field', 'data-text': (f.name + ' ' + f.label).toLowerCase() },
      h('input', { type: 'checkbox', value: f.name, checked: current.has(f.name), 'data-field': f.name }), ' ', h('code', {}, f.name), ' ' + f.label + ' (' + f.type + ')',
      (f.computed_from || []).length ? h('span', { class: 'hint' }, ' ' + t('computed from {0}', f.computed_from.join(', '))) : ''));
    const count = h('span', { class: 'hint', id: 'field-count' });
    const visible = () => boxes.filter((b) => !b.hidden);
    const counted = () => count.replaceChildren(t('{0} checked of {1}', boxes.filter((b) => b.querySelector('input').checked).length, boxes.length));
    const filter = h('input', { type: 'search', id: 'field-filter', placeholder: t('Filter fields'), 'aria-label': t('Filter fields'),
      oninput: () => { const q = filter.value.trim().toLowerCase(); for (const b of boxes) b.hidden = !!q && !b.dataset.text.includes(q); } });
    const all = (on) => () => { for (const b of visible()) b.querySelector('input').checked = on; counted(); };
    const list = h('div', { class: 'fields', onchange: counted }, boxes);
    counted();
    const save = button(t('Save field policy'), () => attempt(async () => {
      const fields = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      const body = { read: m.read, create: m.create, update: m.update, delete: m.delete, unlock_sensitive: m.unlock_sensitive,
        actions: m.actions || [], fields: mode.value ? { mode: mode.value, fields } : null };
      Object.assign(m, await api('PUT', '/connections/' + id + '/models/' + m.model, body));
      toast(t('Saved the field policy of {0}.', m.model));
      await refresh();
    }), { id: 'save-fields' });
    const panel = openEditor(row, cols, h('h3', {}, t('Fields of {0}', m.model)), field(t('Policy'), mode), advice,
      h('div', { class: 'inline' }, filter, button(t('Select all shown'), all(true), { id: 'select-shown' }), button(t('Clear shown'), all(false)), count), list,
      h('p', { class: 'actions' }, save, button(t('Close'), () => panel.closest('tr').remove())));
    filter.focus();
  });
}

// The button methods (odoo_action) a model allows: its usual ones offered with what they do, others by name.
function actionEditor(m, row, cols, put) {
  const known = m.known_actions || [];
  const current = new Set(m.actions || []);
  const boxes = known.map((a) => h('label', { class: 'field' },
    h('input', { type: 'checkbox', value: a.name, checked: current.has(a.name), 'data-action': a.name }), ' ', h('code', {}, a.name), ' ' + a.description));
  const others = h('input', { id: 'other-actions', placeholder: t('e.g. {0}', 'action_done, button_approve') });
  others.value = [...current].filter((a) => !known.some((k) => k.name === a)).join(', ');
  const save = button(t('Save actions'), () => put({ actions: boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value)
    .concat(others.value.split(/[\s,]+/).filter(Boolean)) }), { id: 'save-actions' });
  const panel = openEditor(row, cols, h('h3', {}, t('Actions of {0}', m.model)),
    h('p', { class: 'hint' }, t('Button methods assistants may call with odoo_action, as the key\'s Odoo user and with Odoo\'s own checks. None until you allow them.'), ' ',
      t('Private methods (starting with _) and the ORM\'s own (write, unlink, sudo…) are always refused. An action may change fields a field policy hides.')),
    known.length ? h('div', { class: 'fields' }, boxes) : '', field(t('Other methods, by name'), others),
    h('p', { class: 'actions' }, save, button(t('Close'), () => panel.closest('tr').remove())));
}

async function keys() {
  const [conns, list, config] = await Promise.all([api('GET', '/connections'), api('GET', '/keys'), api('GET', '/settings')]);
  const byId = Object.fromEntries(conns.connections.map((c) => [c.id, c]));
  const issued = h('div', { id: 'issued' });
  const conn = h('select', { name: 'connection_id' }, conns.connections.map((c) => h('option', { value: String(c.id), selected: c.id === state.conn }, c.name)));
  const label = h('input', { name: 'label', required: true, placeholder: 'Alice, Claude Code' });
  const login = h('input', { name: 'odoo_login', required: true, autocomplete: 'off' });
  const okey = h('input', { name: 'odoo_api_key', type: 'password', required: true, autocomplete: 'off' });
  // Least privilege: a new key reads, and may do more only when ticked.
  const ops = ['read', 'create', 'update', 'delete', 'action'].map((op) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: op, checked: op === 'read', 'data-scope-op': op }), ' ' + opWords(op)));
  const scopeActions = h('input', { name: 'scope_actions', placeholder: t('every allowed action, or e.g. {0}', 'action_confirm') });
  const scopeModels = h('input', { name: 'scope_models', placeholder: t('all enabled models, or e.g. {0}', 'res.partner, crm.lead') });
  const expires = h('input', { name: 'expires', type: 'date' });
  const rate = h('input', { name: 'rate_limit', type: 'number', min: '1', max: '100000', placeholder: t('default: {0}', config.default_rate_limit) });
  const approval = approvalChecks(['delete', 'action']);
  const companies = h('input', { name: 'companies', placeholder: t('the Odoo user\'s own') });
  const lang = h('input', { name: 'lang', placeholder: t('the Odoo user\'s own, or e.g. {0}', 'fr_BE') });
  const tz = h('input', { name: 'tz', placeholder: t('the Odoo user\'s own, or e.g. {0}', 'Europe/Brussels') });
  const form = h('form', { class: 'card', id: 'issue-key' }, h('h2', {}, t('Issue a key')),
    h('p', { class: 'hint' }, t('The assistant acts as this Odoo user: Odoo checks their login and API key before the key is issued.')),
    field(t('Connection'), conn), field(t('Label'), label), field(t('Odoo login'), login), field(t('Odoo API key'), okey),
    h('fieldset', {}, h('legend', {}, t('Scope: operations (read only unless you tick more)')), ops), field(t('Scope: models'), scopeModels), field(t('Scope: actions'), scopeActions),
    h('fieldset', {}, h('legend', {}, t('Ask the person first (their client shows them what will happen)')), approval),
    field(t('Companies (ids, the default first)'), companies), field(t('Language'), lang), field(t('Time zone'), tz),
    field(t('Expires'), expires), field(t('Rate limit (requests per minute)'), rate), h('button', { type: 'submit' }, t('Issue key')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    attempt(async () => {
      const operations = ops.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      if (!operations.length) throw new Error(t('Tick at least one operation: a key that can do nothing is refused.'));
      const models = scopeModels.value.split(/[\s,]+/).filter(Boolean);
      const scope = {};
      if (operations.length < ops.length) scope.operations = operations;
      if (models.length) scope.models = models;
      const actions = scopeActions.value.split(/[\s,]+/).filter(Boolean);
      if (actions.length) scope.actions = actions;
      const body = { connection_id: Number(conn.value), label: label.value, odoo_login: login.value, odoo_api_key: okey.value };
      if (Object.keys(scope).length) body.scope = scope;
      if (expires.value) body.expires_at = Date.parse(expires.value + 'T23:59:59Z');
      if (rate.value) body.rate_limit = Number(rate.value);
      body.approval = checked(approval);
      const ids = companies.value.split(/[\s,]+/).filter(Boolean).map(Number);
      if (ids.length) body.companies = ids;
      if (lang.value.trim()) body.lang = lang.value.trim();
      if (tz.value.trim()) body.tz = tz.value.trim();
      const k = await api('POST', '/keys', body);
      okey.value = '';
      await keys();
      document.getElementById('issued').replaceChildren(issuedKey(k));
    });
  });
  const rows = list.keys.slice().reverse().map((k) => [h('code', {}, k.prefix + '…'), k.label, k.odoo_login, (byId[k.connection_id] || {}).name || k.connection_id,
    h('span', { class: 'may', title: k.scope && k.scope.models ? k.scope.models.join(', ') : '' }, keyWords(k, config.default_rate_limit)), ago(k.last_used_at),
    k.revoked_at ? h('span', { class: 'badge' }, t('revoked'))
      : k.suspended ? h('span', { class: 'badge warn', title: t('Its connection moved from {0} to {1}', k.suspended.from, k.suspended.to) }, t('suspended'))
        : h('span', { class: 'badge ok' }, t('active')),
    k.revoked_at ? '' : h('span', { class: 'actions' },
      k.suspended ? button(t('Confirm…'), () => {
        if (confirm(t('Confirm {0} for {1}? Its Odoo login and API key, given for {2}, will be sent there.', k.label, k.suspended.to, k.suspended.from))) {
          attempt(async () => { await api('POST', '/keys/' + k.id + '/confirm'); toast(t('Confirmed {0} for {1}.', k.label, k.suspended.to)); await keys(); });
        }
      }, { 'data-confirm': k.label }) : null,
      button(k.approval && k.approval.length ? t('Stop asking') : t('Ask first'), () => attempt(async () => {
        const asking = !(k.approval && k.approval.length);
        await api('PUT', '/keys/' + k.id + '/approval', { approval: asking ? ['delete', 'action'] : [] });
        toast(asking ? t('{0} now asks its person first.', k.label) : t('{0} no longer asks its person first.', k.label));
        await keys();
      }), { 'data-approval': k.label }),
      button(t('Where it acts…'), () => document.getElementById('issued').replaceChildren(contextForm(k.id, k.label, k, keys)), { 'data-context': k.label }),
      button(t('Revoke'), () => { if (confirm(t('Revoke {0}? Assistants using it stop at once.', k.label))) attempt(async () => { await api('DELETE', '/keys/' + k.id); toast(t('Revoked {0}.', k.label)); await keys(); }); }, { class: 'danger', 'data-revoke': k.label }))]);
  render(h('h1', {}, t('Connect an AI assistant')), issued, conns.connections.length ? form : h('p', {}, t('Add a connection first.')),
    h('h2', {}, t('Keys')), table([t('Key'), t('Label'), t('Odoo user'), t('Connection'), t('May'), t('Last used'), t('Status'), ''], rows, { id: 'keys' }));
}

// What a key may do, in words: "read on 4 models, 60 per minute (default), expires 1 March".
function keyWords(k, defaultRate) {
  const s = k.scope || {};
  const ops = s.operations ? s.operations.map(opWords).join(', ') : t('everything enabled');
  let may = !s.models ? t('{0} on every enabled model', ops) : s.models.length === 1 ? t('{0} on 1 model', ops) : t('{0} on {1} models', ops, s.models.length);
  if (s.actions) may += ' (' + t('actions {0}', s.actions.join(', ')) + ')';
  const rate = k.rate_limit ? t('{0} per minute', k.rate_limit) : t('{0} per minute (default)', defaultRate);
  const ends = k.expires_at ? (k.expires_at < Date.now() ? t('expired {0}', day(k.expires_at)) : t('expires {0}', day(k.expires_at))) : t('never expires');
  return [may, rate, ends].concat(fitWords(k)).join(', ');
}

// What fits a key or a grant to its person, in words: approval, companies, language, time zone.
function fitWords(k) {
  const extra = [];
  if (k.approval && k.approval.length) extra.push(t('asks before {0}', k.approval.map(opWords).join(', ')));
  if (k.companies && k.companies.length) extra.push(t('companies {0}', k.companies.join(', ')));
  if (k.lang) extra.push(k.lang);
  if (k.tz) extra.push(k.tz);
  return extra;
}

// The companies, language and time zone of a key (a grant's too: its key id), changed in place (Odoo
// checks them as the key's user); `reload` shows the view again once saved.
function contextForm(id, label, k, reload) {
  const companies = h('input', { name: 'companies', value: (k.companies || []).join(', '), placeholder: t('the Odoo user\'s own') });
  const lang = h('input', { name: 'lang', value: k.lang || '', placeholder: t('the Odoo user\'s own, or e.g. {0}', 'fr_BE') });
  const tz = h('input', { name: 'tz', value: k.tz || '', placeholder: t('the Odoo user\'s own, or e.g. {0}', 'Europe/Brussels') });
  const form = h('form', { class: 'card', id: 'key-context' }, h('h2', {}, t('Where {0} acts', label)),
    field(t('Companies (ids, the default first)'), companies), field(t('Language'), lang), field(t('Time zone'), tz),
    h('button', { type: 'submit' }, t('Save')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    attempt(async () => {
      const body = {};
      const ids = companies.value.split(/[\s,]+/).filter(Boolean).map(Number);
      if (ids.length) body.companies = ids;
      if (lang.value.trim()) body.lang = lang.value.trim();
      if (tz.value.trim()) body.tz = tz.value.trim();
      await api('PUT', '/keys/' + id + '/context', body);
      toast(t('{0} acts in its new companies, language and time zone.', label));
      await reload();
    });
  });
  return form;
}

// The approval checkboxes: each operation that may wait for the person's approval, ticked if `on` has it.
function approvalChecks(on) {
  return ['delete', 'action'].map((op) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: op, checked: on.includes(op), 'data-approval-op': op }), ' ' + opWords(op)));
}

function checked(labels) {
  return labels.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
}

function issuedKey(k) {
  const snippets = Object.entries(k.snippets).map(([id, s]) => h('div', { class: 'snippet', 'data-snippet': id },
    h('h3', {}, s.title), h('p', { class: 'hint' }, s.where), h('pre', {}, s.text), button(t('Copy'), () => copy(s.text, t('{0} configuration', s.title))),
    s.then ? h('p', { class: 'then' }, s.then) : null));
  return h('div', { class: 'card highlight' }, h('h2', {}, t('Key for {0}', k.label)),
    h('p', {}, k.notice), h('p', {}, h('code', { id: 'new-key' }, k.key), ' ', button(t('Copy key'), () => copy(k.key, t('The key')), { id: 'copy-key' })),
    h('p', {}, t('MCP endpoint:') + ' ', h('code', {}, k.endpoint)), snippets);
}

// The audit's codes in words (old rows' codes too: bad_admin_token is what unknown_key was called).
const EVENT_WORDS = {
  tool_call: t('Tool call'), action: t('Button method'), resource_read: t('Resource read'), prompt_get: t('Prompt'), completion: t('Completion'),
  permission_denied: t('Refused by a permission'), auth_failure: t('Failed authentication'), rate_limited: t('Rate limited'),
  key_first_use: t('Key used for the first time'), request_cancelled: t('Request cancelled'), admin_action: t('Administrator'),
  oauth_requested: t('OAuth access requested'), oauth_granted: t('OAuth access granted'), oauth_denied: t('OAuth access declined'),
  oauth_refused: t('OAuth sign-in refused'), oauth_sign_in_failed: t('OAuth sign-in failed'), oauth_client_registered: t('OAuth client registered'),
  oauth_token: t('OAuth tokens issued'), oauth_refresh: t('OAuth tokens refreshed'), oauth_refresh_failed: t('OAuth refresh refused'),
  oauth_code_reused: t('OAuth code used twice'), oauth_refresh_reused: t('OAuth refresh token used twice'), oauth_revoked: t('OAuth token revoked'),
};
const OUTCOME_WORDS = {
  ok: t('done'), denied: t('refused'), invalid: t('invalid request'), odoo_error: t('Odoo error'), error: t('error'), cancelled: t('cancelled'),
  incomplete: t('partly done'), pending: t('waiting for approval'), missing_key: t('no key or token given'), unknown_key: t('wrong key or token'),
  bad_admin_token: t('wrong key or token'), revoked: t('revoked'), expired: t('expired'), throttled: t('too many failures'), suspended: t('suspended'),
  rate_limited: t('over the rate limit'), store_error: t('database error'),
};
const ACTION_WORDS = {
  'console.login': t('signed in'), 'console.logout': t('signed out'), 'connection.create': t('added a connection'),
  'connection.update': t('changed a connection'), 'connection.test': t('tested a connection'), 'connection.move': t('moved a connection'),
  'connection.schema_cache_clear': t('cleared the cached schemas'), 'key.issue': t('issued a key'), 'key.revoke': t('revoked a key'),
  'key.confirm': t('confirmed a key'), 'model.permissions': t('changed a model\'s permissions'), 'model.fields': t('changed a field policy'),
  'model.unlock_sensitive': t('unlocked a sensitive model'), 'model.lock_sensitive': t('locked a sensitive model'), 'model.remove': t('removed a model'),
  'oauth.settings': t('changed OAuth sign-in'), 'oauth.approve': t('approved an OAuth grant'), 'oauth.refuse': t('refused an OAuth grant'),
  'oauth.revoke': t('revoked an OAuth grant'), 'oauth.client_create': t('registered an OAuth client'), 'oauth.client_block': t('blocked an OAuth client'),
  'oauth.client_unblock': t('unblocked an OAuth client'), 'settings.update': t('changed the settings'),
};
const TOOL_WORDS = { admin_api: t('admin API'), admin_console: t('console sign-in'), oauth: t('OAuth') };
const words = (map, code) => (code ? map[code] || code.replace(/[._]/g, ' ') : '');

// One event (or a group of identical ones) in a line of words.
function eventWords(e) {
  if (e.event === 'admin_action') return t('Administrator {0}', words(ACTION_WORDS, e.operation));
  // OAuth's own events say OAuth already.
  const via = !e.tool || e.event.startsWith('oauth_') ? '' : TOOL_WORDS[e.tool] ? ' (' + TOOL_WORDS[e.tool] + ')' : ': ' + e.tool;
  return words(EVENT_WORDS, e.event) + via;
}

// Consecutive identical events (same words, outcome, key, model and detail) become one line "×N".
function grouped(events) {
  const out = [];
  for (const e of events) {
    const last = out[out.length - 1];
    const same = last && ['event', 'tool', 'operation', 'outcome', 'key_prefix', 'model', 'detail'].every((k) => last.rows[0][k] === e[k]);
    if (same) last.rows.push(e);
    else out.push({ rows: [e] });
  }
  return out;
}

const clock = (ms) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
const when = (ms) => new Date(ms).toDateString() === new Date().toDateString()
  ? new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  : new Date(ms).toLocaleString(lang, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

// The audit's filters live in the URL (#audit?event=…&key_id=…&since=…&until=…).
const auditQuery = () => new URLSearchParams(location.hash.split('?')[1] || '');

async function audit(cursor) {
  const f = auditQuery();
  const params = new URLSearchParams(f);
  if (cursor) params.set('cursor', cursor);
  const [r, list, hours] = await Promise.all([api('GET', '/audit?' + params), api('GET', '/keys'), api('GET', '/audit/hourly')]);
  const key = h('select', { name: 'key_id', 'aria-label': t('Key') }, h('option', { value: '' }, t('any key')),
    list.keys.map((k) => h('option', { value: String(k.id), selected: String(k.id) === f.get('key_id') }, k.prefix + '… ' + k.label)));
  const event = h('select', { name: 'event', 'aria-label': t('Event') }, h('option', { value: '' }, t('any event')),
    r.event_types.map((e) => h('option', { value: e, selected: e === f.get('event') }, words(EVENT_WORDS, e))));
  const local = (ms) => (ms ? new Date(Number(ms) - new Date(Number(ms)).getTimezoneOffset() * 60000).toISOString().slice(0, 16) : '');
  const since = h('input', { type: 'datetime-local', name: 'since', value: local(f.get('since')) });
  const until = h('input', { type: 'datetime-local', name: 'until', value: local(f.get('until')) });
  const form = h('form', { class: 'inline', id: 'audit-filter' }, key, event, field(t('from'), since), field(t('to'), until), h('button', { type: 'submit' }, t('Filter')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    if (key.value) next.set('key_id', key.value);
    if (event.value) next.set('event', event.value);
    if (since.value) next.set('since', String(new Date(since.value).getTime()));
    if (until.value) next.set('until', String(new Date(until.value).getTime()));
    location.hash = 'audit' + (String(next) ? '?' + next : '');
  });
  const drawer = h('aside', { id: 'drawer', hidden: true, 'aria-label': t('Event detail') });
  const rows = grouped(r.events).map((g) => {
    const e = g.rows[0];
    const oldest = g.rows[g.rows.length - 1].at;
    const bad = e.outcome && e.outcome !== 'ok';
    const at = g.rows.length > 1 && clock(oldest) !== clock(e.at) ? clock(oldest) + '–' + clock(e.at) : g.rows.length > 1 ? clock(e.at) : when(e.at);
    const open = () => showEvent(drawer, g, tr);
    const tr = h('tr', { tabindex: '0', 'data-event': e.event, onclick: open, onkeydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } } },
      h('td', { class: 'when' }, h('time', { datetime: new Date(e.at).toISOString(), title: utc(oldest) + (g.rows.length > 1 ? ' – ' + utc(e.at) : '') }, at)),
      h('td', { class: 'what' }, eventWords(e), e.event === 'admin_action' && e.detail ? h('span', { class: 'hint' }, ' ' + e.detail) : '', g.rows.length > 1 ? h('span', { class: 'badge count' }, '×' + g.rows.length) : ''),
      h('td', { class: 'wide' }, e.model || ''),
      h('td', { class: 'wide' }, e.key_prefix ? e.key_prefix + '…' : ''),
      h('td', { class: 'outcome' + (bad ? ' error' : '') }, words(OUTCOME_WORDS, e.outcome)));
    return tr;
  });
  const exportParams = new URLSearchParams(f);
  render(h('h1', {}, t('Audit')), chart(hours), form,
    h('p', {}, h('a', { href: '/admin/api/audit/export?' + exportParams, download: 'odoo-mcp-audit.jsonl', id: 'export' }, t('Export as JSON Lines'))),
    table([t('Time'), t('Event'), t('Model'), t('Key'), t('Outcome')], rows, { id: 'audit', class: 'lines' }), drawer,
    h('p', {}, cursor ? button(t('Newest'), () => attempt(() => audit())) : '', ' ', r.next_cursor ? button(t('Older'), () => attempt(() => audit(r.next_cursor)), { id: 'older' }) : ''));
}

// The drawer: every field of the event, its exact UTC time, the detail in full.
function showEvent(drawer, g, tr) {
  const e = g.rows[0];
  let detail = e.detail || '';
  try { detail = JSON.stringify(JSON.parse(detail), null, 2); } catch { /* plain text */ }
  const item = (term, value) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, term), h('dd', {}, value)]);
  const close = button(t('Close'), () => { drawer.hidden = true; tr.focus(); }, { id: 'drawer-close' });
  drawer.replaceChildren(h('h2', {}, eventWords(e)), h('dl', {},
    item(t('When'), g.rows.length > 1 ? utc(g.rows[g.rows.length - 1].at) + ' – ' + utc(e.at) : utc(e.at)),
    item(t('Times'), g.rows.length > 1 ? String(g.rows.length) : null),
    item(t('Outcome'), words(OUTCOME_WORDS, e.outcome)), item(t('Key'), e.key_prefix ? e.key_prefix + '…' : null), item(t('Tool'), e.tool),
    item(t('Model'), e.model), item(t('Operation'), e.event === 'admin_action' ? words(ACTION_WORDS, e.operation) : e.operation && opWords(e.operation)),
    item(t('Records'), e.record_count), item(t('Duration'), e.duration_ms === null ? null : e.duration_ms + ' ms'),
    item(t('Codes'), [e.event, e.operation, e.outcome].filter(Boolean).join(' · '))),
  detail ? h('pre', { id: 'drawer-detail' }, detail) : '', close);
  drawer.onkeydown = (ev) => { if (ev.key === 'Escape') close.click(); };
  drawer.hidden = false;
  close.focus();
}

// Tool calls and refusals per hour over the last 24 hours, as bars drawn in the page.
function chart(r) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs, ...kids) => { const el = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v); el.append(...kids); return el; };
  const byHour = Object.fromEntries(r.hours.map((x) => [x.hour, x]));
  const slots = Array.from({ length: 24 }, (_, i) => byHour[r.since + i * 3600000] || { hour: r.since + i * 3600000, calls: 0, refusals: 0 });
  const top = Math.max(1, ...slots.map((x) => x.calls + x.refusals));
  const bars = slots.map((x, i) => {
    const c = (x.calls / top) * 56;
    const f = (x.refusals / top) * 56;
    return svg('g', {}, svg('title', {}, clock(x.hour) + ': ' + plural(x.calls, t('1 tool call'), t('{0} tool calls')) + ', ' + plural(x.refusals, t('1 refusal'), t('{0} refusals'))),
      svg('rect', { x: String(i * 10 + 1), y: String(58 - c - f), width: '8', height: String(c), class: 'calls' }),
      svg('rect', { x: String(i * 10 + 1), y: String(58 - f), width: '8', height: String(f), class: 'refusals' }));
  });
  const calls = slots.reduce((n, x) => n + x.calls, 0);
  const refusals = slots.reduce((n, x) => n + x.refusals, 0);
  return h('figure', { class: 'chart', id: 'audit-chart' },
    svg('svg', { viewBox: '0 0 240 60', preserveAspectRatio: 'none', role: 'img', 'aria-label': t('Tool calls and refusals per hour') },
      svg('line', { x1: '0', y1: '58.5', x2: '240', y2: '58.5', class: 'axis' }), ...bars),
    h('figcaption', {}, h('span', { class: 'key calls' }), ' ' + plural(calls, t('1 tool call'), t('{0} tool calls')) + '  ', h('span', { class: 'key refusals' }),
      ' ' + plural(refusals, t('1 refusal'), t('{0} refusals')) + ' ' + t('in the last 24 hours (since {0})', clock(r.since))));
}

async function settings() {
  const s = await api('GET', '/settings');
  const rate = h('input', { type: 'number', name: 'default_rate_limit', min: '1', max: '100000', value: s.overrides.default_rate_limit || '', placeholder: String(s.environment.default_rate_limit) });
  const days = h('input', { type: 'number', name: 'audit_retention_days', min: '1', max: '3650', value: s.overrides.audit_retention_days || '', placeholder: String(s.environment.audit_retention_days) });
  const origins = h('textarea', { name: 'allowed_origins', rows: '4', placeholder: 'https://claude.ai' });
  origins.value = (s.overrides.allowed_origins || []).join('\n');
  const form = h('form', { class: 'card', id: 'settings' },
    field(t('Default rate limit (requests per minute per key)'), rate),
    field(t('Audit retention (days)'), days),
    field(t('Allowed browser Origins, one per line (in addition to the environment\'s)'), origins),
    h('p', { class: 'hint' }, t('Empty fields use the environment: {0} per minute, {1} days, Origins {2}.', s.environment.default_rate_limit,
      s.environment.audit_retention_days, s.environment.allowed_origins.join(', ') || t('none'))),
    h('button', { type: 'submit' }, t('Save settings')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    attempt(async () => {
      const list = origins.value.split(/\s+/).filter(Boolean);
      await api('PUT', '/settings', {
        default_rate_limit: rate.value ? Number(rate.value) : null,
        audit_retention_days: days.value ? Number(days.value) : null,
        allowed_origins: list.length ? list : null,
      });
      toast(t('Settings saved.'));
      await settings();
    });
  });
  render(h('h1', {}, t('Settings')), form);
}

// OAuth: per connection whether people may connect by URL alone (and who), the grants they made, the
// clients that registered.
async function oauth() {
  const [conns, grants, clients] = await Promise.all([api('GET', '/connections'), api('GET', '/oauth/grants'), api('GET', '/oauth/clients')]);
  const byId = Object.fromEntries(conns.connections.map((c) => [c.id, c]));
  const settingsCards = await Promise.all(conns.connections.map(async (c) => {
    const s = await api('GET', '/connections/' + c.id + '/oauth');
    const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: s.enabled });
    const who = h('select', { name: 'who' }, [['ask', t('Ask me: I approve each person')], ['list', t('Only these Odoo logins')], ['any', t('Any user of this Odoo database')]]
      .map(([v, label]) => h('option', { value: v, selected: s.who === v }, label)));
    const logins = h('textarea', { name: 'logins', rows: '3', placeholder: 'alice@example.com' });
    logins.value = s.logins.join('\n');
    const ops = ['read', 'create', 'update', 'delete', 'action'].map((op) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: op, checked: (s.scope.operations || ['read', 'create', 'update', 'delete', 'action']).includes(op) }), ' ' + opWords(op)));
    const models = h('input', { name: 'models', value: (s.scope.models || []).join(', '), placeholder: t('all enabled models') });
    const rate = h('input', { name: 'rate_limit', type: 'number', min: '1', max: '100000', value: s.rate_limit || '', placeholder: t('deployment default') });
    const approval = approvalChecks(s.approval || []);
    const form = h('form', { class: 'card', 'data-oauth': c.name }, h('h2', {}, c.name),
      h('label', { class: 'check' }, enabled, ' ' + t('Offer OAuth sign-in for this Odoo')), field(t('Who may connect'), who), field(t('Odoo logins (for "only these")'), logins),
      h('fieldset', {}, h('legend', {}, t('What a grant may do')), ops), field(t('On which models'), models), field(t('Rate limit (requests per minute per grant)'), rate),
      h('fieldset', {}, h('legend', {}, t('Ask the person first (their client shows them what will happen)')), approval),
      h('button', { type: 'submit' }, t('Save')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      attempt(async () => {
        const operations = ops.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
        if (!operations.length) throw new Error(t('Tick at least one operation.'));
        const list = models.value.split(/[\s,]+/).filter(Boolean);
        const scope = { operations };
        if (list.length) scope.models = list;
        await api('PUT', '/connections/' + c.id + '/oauth', { enabled: enabled.checked, who: who.value, logins: logins.value.split(/\s+/).filter(Boolean),
          scope, rate_limit: rate.value ? Number(rate.value) : null, approval: checked(approval) });
        toast(t('OAuth settings of {0} saved.', c.name));
        await oauth();
      });
    });
    return form;
  }));
  const act = (g, verb, label, cls) => button(label, () => attempt(async () => {
    await api('POST', '/oauth/grants/' + g.key_id + '/' + verb);
    toast(t('{0}: {1} with {2}.', label, g.odoo_login, g.client_name || g.client_id));
    await oauth();
  }), { class: cls, ['data-' + verb]: g.odoo_login });
  const scopeWords = (s) => {
    const ops = s && s.operations ? s.operations.map(opWords).join(', ') : t('everything enabled');
    return !(s && s.models) ? ops : s.models.length === 1 ? t('{0} on 1 model', ops) : t('{0} on {1} models', ops, s.models.length);
  };
  const grantRows = grants.grants.map((g) => [g.client_name || '—', h('code', {}, g.client_id), g.odoo_login, (byId[g.connection_id] || {}).name || g.connection_id,
    [scopeWords(g.scope)].concat(fitWords(g)).join(', '), time(g.created_at), time(g.last_used_at), h('span', { class: 'badge' + (g.status === 'active' ? ' ok' : g.status === 'pending' ? ' warn' : '') }, words(STATUS_WORDS, g.status)),
    h('span', { class: 'actions' }, g.status === 'pending' ? [act(g, 'approve', t('Approve')), act(g, 'refuse', t('Refuse'), 'danger')] : null,
      g.status === 'active' ? button(g.approval && g.approval.length ? t('Stop asking') : t('Ask first'), () => attempt(async () => {
        const asking = !(g.approval && g.approval.length);
        await api('PUT', '/keys/' + g.key_id + '/approval', { approval: asking ? ['delete', 'action'] : [] });
        toast(asking ? t('{0} now asks its person first.', g.odoo_login) : t('{0} no longer asks its person first.', g.odoo_login));
        await oauth();
      }), { 'data-grant-approval': g.odoo_login }) : null,
      g.status === 'active' ? button(t('Where it acts…'), () => document.getElementById('grant-context').replaceChildren(contextForm(g.key_id, g.odoo_login, g, oauth)), { 'data-grant-context': g.odoo_login }) : null,
      g.status === 'active' ? act(g, 'revoke', t('Revoke'), 'danger') : null)]);
  const clientRows = clients.clients.map((c) => [c.name || '—', h('code', {}, c.client_id), c.source, c.redirect_uris.map((u) => { try { return new URL(u).host || u; } catch { return u; } }).join(', '),
    time(c.created_at), time(c.last_used_at), c.blocked_at ? h('span', { class: 'badge' }, t('blocked')) : h('span', { class: 'badge ok' }, t('allowed')),
    button(c.blocked_at ? t('Unblock') : t('Block'), () => attempt(async () => {
      await api('POST', '/oauth/clients/' + (c.blocked_at ? 'unblock' : 'block'), { client_id: c.client_id });
      toast(c.blocked_at ? t('Unblocked {0}.', c.name || c.client_id) : t('Blocked {0}.', c.name || c.client_id));
      await oauth();
    }), { class: c.blocked_at ? null : 'danger', 'data-block': c.client_id })]);
  render(h('h1', {}, 'OAuth'), h('p', { class: 'hint' }, t('Clients such as claude.ai, ChatGPT and Claude Desktop connect with only this URL:'), ' ',
    h('code', {}, location.origin + '/mcp'), ' ', t('Each person signs in with their Odoo login and an Odoo API key, and works as that Odoo user.')),
    ...settingsCards, h('h2', {}, t('Grants')), h('div', { id: 'grant-context' }), table([t('Client'), t('Client id'), t('Odoo user'), t('Connection'), t('May'), t('Created'), t('Last used'), t('Status'), ''], grantRows, { id: 'grants' }),
    h('h2', {}, t('Clients')), table([t('Name'), t('Client id'), t('Registered by'), t('Sends back to'), t('Registered'), t('Last used'), t('Status'), ''], clientRows, { id: 'oauth-clients' }));
}

const STATUS_WORDS = { active: t('active'), pending: t('pending'), revoked: t('revoked'), refused: t('refused'), expired: t('expired') };
const views = { connections, models, keys, oauth, audit, settings };

// Shows a view; `data-loaded` on #app names it once all its data is in (tests wait for it).
function load(view) {
  app.dataset.loaded = '';
  return attempt(async () => {
    await view();
    app.dataset.loaded = view.name + (state.conn ? ':' + state.conn : '');
  });
}

function route() {
  const name = location.hash.slice(1).split('?')[0] || 'connections';
  const view = views[name] || connections;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('href') === '#' + name);
  load(view);
}

document.getElementById('logout').addEventListener('click', () => attempt(async () => {
  await fetch('/admin/logout', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrf } });
  location.assign('/admin');
}));
// The language, picked in the header: remembered in a cookie the server reads on the next page.
document.getElementById('lang')?.addEventListener('change', (ev) => {
  document.cookie = 'omcp_lang=' + encodeURIComponent(ev.target.value) + '; path=/; max-age=31536000; samesite=strict';
  location.reload();
});
window.addEventListener('hashchange', route);
route();

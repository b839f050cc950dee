// The experiments page (/ui/index.html): projects with task counts, and the experiments table —
// server-side filters, sorting and paging (GET /tasks), user-chosen columns (parameters and last
// metric values too, remembered per project in localStorage), multi-select with bulk actions
// (POST /tasks/bulk), live row updates from the `task` events of the SSE stream.
import { el, statusBadge, duration } from './dom.js';
import { api, initShell, subscribe, showError, showInfo, store, fmtNum, fmtTime, throttle, every } from './app.js';

const STATUS_LABELS = ['created', 'queued', 'running', 'completed', 'failed', 'aborted'];
const MAX_COMPARE = 10;
const BULK_CHUNK = 500;

// ------------------------------------------------------------------ state (mirrored in the URL)

const state = {
  project: '', q: '', status: '', user: '', queue: '', tag: '', archived: false,
  sort: '-createdAt', offset: 0, limit: 50,
};

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.project = p.get('project') ?? '';
  state.q = p.get('q') ?? '';
  state.status = p.get('status') ?? '';
  state.user = p.get('user') ?? '';
  state.queue = p.get('queue') ?? '';
  state.tag = p.get('tag') ?? '';
  state.archived = p.get('archived') === 'true';
  state.sort = p.get('sort') || '-createdAt';
  state.offset = Math.max(0, parseInt(p.get('offset') ?? '0', 10) || 0);
  const limit = parseInt(p.get('limit') ?? '', 10);
  state.limit = [25, 50, 100, 200].includes(limit) ? limit : (store.get('drover.pageSize', 50));
}

function writeUrl(push = false) {
  const p = new URLSearchParams();
  for (const k of ['project', 'q', 'status', 'user', 'queue', 'tag']) if (state[k]) p.set(k, state[k]);
  if (state.archived) p.set('archived', 'true');
  if (state.sort !== '-createdAt') p.set('sort', state.sort);
  if (state.offset) p.set('offset', String(state.offset));
  if (state.limit !== 50) p.set('limit', String(state.limit));
  const url = `${location.pathname}${p.toString() ? `?${p}` : ''}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

// ------------------------------------------------------------------ columns

/** Base columns: key → {label, sort (GET /tasks sort key) or null, cell(task) → Node|string, num}. */
const BASE = {
  id: { label: 'id', sort: null, cell: (t) => el('code', { title: t.id }, t.id.slice(-8)) },
  status: { label: 'status', sort: 'status', cell: (t) => {
    const b = statusBadge(t.status);
    if (t.statusReason) b.setAttribute('title', t.statusReason);
    return b;
  } },
  project: { label: 'project', sort: null, cell: (t) => t.project ?? '' },
  user: { label: 'user', sort: 'user', cell: (t) => t.user ?? '' },
  queue: { label: 'queue', sort: 'queue', cell: (t) => t.queue ?? '' },
  worker: { label: 'worker', sort: null, cell: (t) => t.execution?.worker ?? '' },
  tags: { label: 'tags', sort: null, cell: (t) => tagList(t.tags) },
  createdAt: { label: 'created', sort: 'createdAt', cell: (t) => timeCell(t.createdAt) },
  startedAt: { label: 'started', sort: null, cell: (t) => timeCell(t.execution?.startedAt) },
  duration: { label: 'duration', sort: null, num: true, cell: (t) => duration(t.execution?.startedAt, t.execution?.finishedAt) },
  updatedAt: { label: 'updated', sort: 'updatedAt', cell: (t) => timeCell(t.updatedAt) },
  priority: { label: 'priority', sort: 'priority', num: true, cell: (t) => String(t.priority ?? '') },
  reason: { label: 'status reason', sort: null, cls: 'reason', cell: (t) => el('span', { title: t.statusReason ?? '' }, t.statusReason ?? '') },
};
const DEFAULT_COLUMNS = ['status', 'project', 'user', 'queue', 'tags', 'createdAt', 'duration'];

function columnsKey() {
  return `drover.columns.v1:${state.project || '*'}`;
}
let columns = [];
function loadColumns() {
  const saved = store.get(columnsKey(), null) ?? store.get('drover.columns.v1:*', null);
  columns = Array.isArray(saved) ? saved.filter((c) => typeof c === 'string' && (BASE[c] || isDynamic(c))) : [...DEFAULT_COLUMNS];
}
function saveColumns() {
  store.set(columnsKey(), columns);
}
function isDynamic(c) {
  return c.startsWith('param:') || c.startsWith('metric:');
}

/** The definition of a column key (base, param:KEY or metric:SERIES). */
function column(key) {
  if (BASE[key]) return BASE[key];
  if (key.startsWith('param:')) {
    const name = key.slice(6);
    return { label: name, group: 'param', sort: `params.${name}`, cell: (t) => paramCell(t.params?.[name]) };
  }
  const series = key.slice(7);
  return {
    label: series, group: 'metric', sort: `metrics.${series}`, num: true,
    cell: (t) => {
      const m = t.metrics?.[series];
      if (!m) return '';
      return el('span', { title: `last ${m.last} at iteration ${m.iter ?? '?'} · min ${m.min} · max ${m.max}` }, fmtNum(m.last));
    },
  };
}

function tagList(tags) {
  const span = el('span', {});
  for (const t of tags ?? []) span.append(el('span', { class: 'tag' }, t));
  return span;
}
function timeCell(iso) {
  return iso ? el('time', { datetime: iso, title: iso }, fmtTime(iso)) : '';
}
function paramCell(v) {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return s.length > 40 ? el('span', { title: s }, `${s.slice(0, 39)}…`) : s;
}

// ------------------------------------------------------------------ DOM handles

const $ = (id) => document.getElementById(id);
const table = $('experiments');
const thead = table.querySelector('thead');
const tbody = table.querySelector('tbody');
const ui = {
  search: $('search'), status: $('filter-status'), user: $('filter-user'), queue: $('filter-queue'), tags: $('filter-tags'),
  archived: $('filter-archived'), columns: $('columns'), columnsPanel: $('columns-panel'), compare: $('compare'),
  bulk: $('bulk'), bulkCount: $('bulk-count'), bulkQueue: $('bulk-queue'), bulkTags: $('bulk-tags'),
  range: $('range'), pageSize: $('page-size'), first: $('first-page'), prev: $('prev-page'), next: $('next-page'),
  title: $('page-title'), live: $('live'), projects: $('projects'),
};

// ------------------------------------------------------------------ data

/** id → {task, tr} for the rows on screen, in page order. */
const rows = new Map();
let total = 0;
let inflight = null;
const selected = new Set();
let lastClicked = null;
const seenUsers = new Set();
const seenTags = new Set();
const seenParams = new Set();
const seenMetrics = new Set();

function query() {
  const p = new URLSearchParams();
  if (state.project) p.set('project', state.project);
  if (state.q) p.set('q', state.q);
  if (state.status) p.set('status', state.status);
  if (state.user) p.set('user', state.user);
  if (state.queue) p.set('queue', state.queue);
  if (state.tag) p.set('tag', state.tag);
  if (state.archived) p.set('archived', 'true');
  p.set('sort', state.sort);
  p.set('offset', String(state.offset));
  p.set('limit', String(state.limit));
  return p;
}

/** Fetches the current page (one request; a newer load cancels an older one) and renders it. */
async function load() {
  inflight?.abort();
  const ctl = new AbortController();
  inflight = ctl;
  table.setAttribute('aria-busy', 'true');
  try {
    const page = await api(`/tasks?${query()}`, { signal: ctl.signal });
    if (ctl.signal.aborted) return;
    total = page.total ?? page.items.length;
    if (state.offset > 0 && page.items.length === 0 && total > 0) {
      // the page ran empty (tasks archived or filtered away): go to the last page that has rows
      state.offset = Math.max(0, Math.floor((total - 1) / state.limit) * state.limit);
      writeUrl();
      load();
      return;
    }
    render(page.items);
  } catch (e) {
    if (e.name === 'AbortError') return;
    if (rows.size === 0) emptyRow(`Could not load the experiments: ${e.message}`);
  } finally {
    if (inflight === ctl) {
      inflight = null;
      table.removeAttribute('aria-busy');
    }
  }
}

function remember(t) {
  if (t.user) seenUsers.add(t.user);
  for (const tag of t.tags ?? []) seenTags.add(tag);
  for (const k of Object.keys(t.params ?? {})) seenParams.add(k);
  for (const k of Object.keys(t.metrics ?? {})) seenMetrics.add(k);
}

function render(items) {
  // rows of tasks still listed are updated in place, not rebuilt: focus, selection and anyone
  // holding the element (a screen reader, a browser test) keep it across refreshes
  const previous = new Map([...rows].map(([id, entry]) => [id, entry.tr]));
  rows.clear();
  for (const t of items) remember(t);
  fillDatalist($('users-list'), seenUsers);
  fillDatalist($('tags-list'), seenTags);
  renderHead();
  const trs = items.map((t) => {
    const old = previous.get(t.id);
    if (old) {
      const entry = { task: t, tr: old };
      rows.set(t.id, entry);
      updateRow(entry, false);
      return old;
    }
    const tr = buildRow(t);
    rows.set(t.id, { task: t, tr });
    return tr;
  });
  if (trs.length === 0) {
    const filtered = state.q || state.status || state.user || state.queue || state.tag || state.archived;
    emptyRow(filtered ? 'No experiments match these filters.'
      : state.project ? `No experiments in ${state.project} yet.` : 'No experiments yet: submit one with drover submit, or drover.init() in a script.');
  } else if (trs.length !== tbody.children.length || trs.some((tr, i) => tbody.children[i] !== tr)) {
    tbody.replaceChildren(...trs);
  }
  renderPager();
  syncSelectionUi();
}

function fillDatalist(list, values) {
  list.replaceChildren(...[...values].sort().slice(0, 200).map((v) => el('option', { value: v })));
}

function emptyRow(text) {
  tbody.replaceChildren(el('tr', {}, el('td', { colspan: columns.length + 2, class: 'empty' }, text)));
}

function renderHead() {
  const selectAll = el('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'select all experiments on this page' });
  selectAll.addEventListener('change', () => {
    for (const id of rows.keys()) {
      if (selectAll.checked) selected.add(id);
      else selected.delete(id);
    }
    syncSelectionUi();
  });
  const ths = [el('th', { class: 'select', scope: 'col' }, selectAll), header('name', 'name', 'name')];
  for (const key of columns) {
    const c = column(key);
    const label = c.group === 'param' ? el('span', {}, el('span', { class: 'muted' }, 'param '), c.label)
      : c.group === 'metric' ? el('span', {}, c.label, el('span', { class: 'muted' }, ' (last)')) : c.label;
    ths.push(header(label, c.sort, key, c.num));
  }
  thead.replaceChildren(el('tr', {}, ...ths));
}

function header(label, sortKey, key, num) {
  const th = el('th', { scope: 'col', 'data-column': key, class: num ? 'num' : null });
  if (!sortKey) {
    th.append(label);
    return th;
  }
  const desc = state.sort === `-${sortKey}`;
  const asc = state.sort === sortKey;
  if (asc || desc) th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
  const text = typeof label === 'string' ? label : label.textContent;
  const b = el('button', { type: 'button', class: 'sort', title: `sort by ${text}` }, label);
  b.addEventListener('click', () => {
    // a second click flips the order; a new column starts with the natural order for its kind
    const natural = ['name', 'user', 'queue', 'status'].includes(sortKey) || sortKey.startsWith('params.') ? sortKey : `-${sortKey}`;
    state.sort = asc ? `-${sortKey}` : desc ? sortKey : natural;
    state.offset = 0;
    writeUrl();
    load();
  });
  th.append(b);
  return th;
}

function buildRow(t) {
  const tr = el('tr', { 'data-task-id': t.id });
  const box = el('input', { type: 'checkbox', class: 'select-row', 'aria-label': `select ${t.name ?? t.id}` });
  box.checked = selected.has(t.id);
  tr.append(el('td', { class: 'select' }, box), ...cells(t));
  tr.classList.toggle('selected', box.checked);
  return tr;
}

function cells(t) {
  const out = [el('td', { class: 'name' }, el('a', { href: `/ui/task.html?id=${encodeURIComponent(t.id)}`, title: t.name ?? t.id }, t.name || t.id))];
  for (const key of columns) {
    const c = column(key);
    out.push(el('td', { 'data-column': key, class: [c.num ? 'num' : '', c.cls ?? ''].join(' ').trim() || null }, c.cell(t)));
  }
  return out;
}

/** Updates a row in place: only cells whose content changed are replaced (focus and selection stay). */
function updateRow(entry, flash) {
  const fresh = cells(entry.task);
  const old = [...entry.tr.children].slice(1);
  fresh.forEach((td, i) => {
    if (!old[i]) entry.tr.append(td);
    else if (!old[i].isEqualNode(td)) old[i].replaceWith(td);
  });
  for (const extra of old.slice(fresh.length)) extra.remove(); // a column was hidden
  if (flash) {
    entry.tr.classList.remove('flash');
    void entry.tr.offsetWidth; // restart the animation
    entry.tr.classList.add('flash');
  }
}

function renderPager() {
  const from = total === 0 ? 0 : state.offset + 1;
  const to = Math.min(state.offset + rows.size, total);
  ui.range.textContent = `${from.toLocaleString()}–${to.toLocaleString()} of ${total.toLocaleString()}`;
  ui.first.disabled = state.offset === 0;
  ui.prev.disabled = state.offset === 0;
  ui.next.disabled = state.offset + state.limit >= total;
  ui.pageSize.value = String(state.limit);
}

// ------------------------------------------------------------------ selection + bulk actions

function syncSelectionUi() {
  for (const [id, { tr }] of rows) {
    const on = selected.has(id);
    const box = tr.querySelector('input.select-row');
    if (box && box.checked !== on) box.checked = on;
    tr.classList.toggle('selected', on);
  }
  const all = document.getElementById('select-all');
  if (all) {
    const onPage = [...rows.keys()].filter((id) => selected.has(id)).length;
    all.checked = onPage > 0 && onPage === rows.size;
    all.indeterminate = onPage > 0 && onPage < rows.size;
  }
  const n = selected.size;
  ui.bulk.hidden = n === 0;
  ui.bulkCount.textContent = `${n} selected`;
  ui.compare.disabled = n < 2 || n > MAX_COMPARE;
  ui.compare.title = n > MAX_COMPARE ? `compare takes at most ${MAX_COMPARE} experiments` : 'select 2 to 10 experiments to compare';
  ui.compare.textContent = n >= 2 ? `Compare (${n})` : 'Compare';
}

tbody.addEventListener('click', (e) => {
  const box = e.target.closest('input.select-row');
  if (!box) return;
  const id = box.closest('tr').dataset.taskId;
  const ids = [...rows.keys()];
  if (e.shiftKey && lastClicked && ids.includes(lastClicked)) {
    // shift-click selects the range from the previous click, like a file manager
    const [a, b] = [ids.indexOf(lastClicked), ids.indexOf(id)].sort((x, y) => x - y);
    for (const rid of ids.slice(a, b + 1)) {
      if (box.checked) selected.add(rid);
      else selected.delete(rid);
    }
  } else if (box.checked) selected.add(id);
  else selected.delete(id);
  lastClicked = id;
  syncSelectionUi();
});

// keyboard: ↑/↓ move between the row checkboxes, Space toggles (native), Enter opens the experiment
tbody.addEventListener('keydown', (e) => {
  const box = e.target.closest('input.select-row');
  if (!box) return;
  const tr = box.closest('tr');
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const next = e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
    const nb = next?.querySelector('input.select-row');
    if (nb) {
      e.preventDefault();
      if (e.shiftKey) {
        nb.checked = true;
        selected.add(next.dataset.taskId);
        syncSelectionUi();
      }
      nb.focus();
    }
  } else if (e.key === 'Enter') {
    e.preventDefault();
    tr.querySelector('td.name a')?.click();
  }
});

$('bulk-clear').addEventListener('click', () => {
  selected.clear();
  syncSelectionUi();
});

const ACTION_WORDS = {
  abort: 'aborted', enqueue: 'enqueued', dequeue: 'dequeued', archive: 'archived', unarchive: 'unarchived', tag: 'tagged', untag: 'untagged',
};

async function bulk(action, button) {
  const ids = [...selected];
  if (ids.length === 0) return;
  const body = { action };
  if (action === 'tag' || action === 'untag') {
    const tags = ui.bulkTags.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (tags.length === 0) {
      showError('Type the tags to add or remove (comma separated) next to the buttons first.');
      ui.bulkTags.focus();
      return;
    }
    body.tags = tags;
  }
  if (action === 'enqueue' && ui.bulkQueue.value) body.queue = ui.bulkQueue.value;
  if (action === 'abort') {
    // stopping running work cannot be undone: ask, like for any destructive action
    const running = ids.filter((id) => rows.get(id)?.task.status === 'running').length;
    if (running > 0 && !window.confirm(`Abort ${ids.length} experiment${ids.length === 1 ? '' : 's'}? ${running} running ${running === 1 ? 'is' : 'are'} stopped.`)) return;
  }
  const buttons = ui.bulk.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  let ok = 0;
  const failures = [];
  try {
    for (let i = 0; i < ids.length; i += BULK_CHUNK) {
      const r = await api('/tasks/bulk', { method: 'POST', body: { ...body, ids: ids.slice(i, i + BULK_CHUNK) } });
      ok += r.ok ?? 0;
      for (const res of r.results ?? []) if (!res.ok) failures.push(res);
    }
    const name = (id) => rows.get(id)?.task.name ?? id;
    if (failures.length) {
      const detail = failures.slice(0, 5).map((f) => `${name(f.id)}: ${f.error?.message ?? f.error?.code ?? 'failed'}`).join('\n');
      showError(`${ok} ${ACTION_WORDS[action]}, ${failures.length} not:\n${detail}${failures.length > 5 ? `\n… and ${failures.length - 5} more` : ''}`);
    } else {
      showInfo(`${ok} experiment${ok === 1 ? '' : 's'} ${ACTION_WORDS[action]}.`);
    }
    if (action === 'archive' || action === 'unarchive') {
      // they leave this view: drop the ones that moved from the selection
      const failed = new Set(failures.map((f) => f.id));
      for (const id of ids) if (!failed.has(id)) selected.delete(id);
    }
    if (action === 'tag' || action === 'untag') ui.bulkTags.value = '';
  } catch (e) {
    // api() showed the message
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    button?.focus();
    load();
    loadProjects();
  }
}

for (const b of ui.bulk.querySelectorAll('button[data-action]')) {
  b.addEventListener('click', () => bulk(b.dataset.action, b));
}
ui.bulkTags.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    bulk('tag', null);
  }
});

ui.compare.addEventListener('click', () => {
  const ids = [...selected];
  if (ids.length < 2 || ids.length > MAX_COMPARE) return;
  location.assign(`/ui/compare.html?ids=${ids.map(encodeURIComponent).join(',')}`);
});

// ------------------------------------------------------------------ filters, paging

function syncFilterUi() {
  ui.search.value = state.q;
  ui.status.value = state.status;
  if (ui.status.value !== state.status) {
    // a status list typed into the URL that is not one of the options: offer it as it is
    ui.status.append(el('option', { value: state.status }, state.status));
    ui.status.value = state.status;
  }
  ui.user.value = state.user;
  ensureOption(ui.queue, state.queue);
  ui.queue.value = state.queue;
  ui.tags.value = state.tag;
  ui.archived.checked = state.archived;
  ui.title.textContent = `${state.archived ? 'Archived' : 'All'} experiments${state.project ? ` in ${state.project}` : ''}`;
  document.title = `Drover — ${state.project || 'experiments'}`;
  for (const b of ui.bulk.querySelectorAll('[data-action=archive]')) b.hidden = state.archived;
  for (const b of ui.bulk.querySelectorAll('[data-action=unarchive]')) b.hidden = !state.archived;
}

function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(el('option', { value }, value));
}

function setFilter(key, value) {
  if (state[key] === value) return;
  state[key] = value;
  state.offset = 0;
  writeUrl();
  syncFilterUi();
  load();
}

let searchTimer = null;
ui.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => setFilter('q', ui.search.value.trim()), 300);
});
ui.status.addEventListener('change', () => setFilter('status', ui.status.value));
ui.queue.addEventListener('change', () => setFilter('queue', ui.queue.value));
ui.archived.addEventListener('change', () => {
  selected.clear();
  setFilter('archived', ui.archived.checked);
});
const tagsValue = () => ui.tags.value.split(',').map((s) => s.trim()).filter(Boolean).join(',');
let textTimer = null;
for (const [input, key, value] of [[ui.user, 'user', () => ui.user.value.trim()], [ui.tags, 'tag', tagsValue]]) {
  input.addEventListener('change', () => setFilter(key, value()));
  input.addEventListener('input', () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(() => setFilter(key, value()), 600);
  });
}
$('filters').addEventListener('submit', (e) => {
  e.preventDefault();
  setFilter('q', ui.search.value.trim());
});

function goTo(offset) {
  state.offset = Math.max(0, offset);
  writeUrl();
  load();
  table.scrollIntoView({ block: 'nearest' });
}
ui.first.addEventListener('click', () => goTo(0));
ui.prev.addEventListener('click', () => goTo(state.offset - state.limit));
ui.next.addEventListener('click', () => goTo(state.offset + state.limit));
ui.pageSize.addEventListener('change', () => {
  state.limit = parseInt(ui.pageSize.value, 10);
  store.set('drover.pageSize', state.limit);
  goTo(0);
});

// ------------------------------------------------------------------ columns chooser

function renderChooser() {
  const filter = el('input', { type: 'search', id: 'columns-filter', placeholder: 'find a column', 'aria-label': 'find a column' });
  const box = (key, label) => {
    const id = `col-${key.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
    const input = el('input', { type: 'checkbox', id, 'data-column': key });
    input.checked = columns.includes(key);
    input.addEventListener('change', () => {
      if (input.checked && !columns.includes(key)) columns.push(key);
      if (!input.checked) columns = columns.filter((c) => c !== key);
      saveColumns();
      rerenderAll();
    });
    return el('label', { for: id, 'data-filter': `${key} ${label}`.toLowerCase() }, input, label);
  };
  const base = el('fieldset', {}, el('legend', {}, 'Experiment'), ...Object.entries(BASE).map(([k, c]) => box(k, c.label)));
  const paramKeys = new Set([...seenParams, ...columns.filter((c) => c.startsWith('param:')).map((c) => c.slice(6))]);
  const metricKeys = new Set([...seenMetrics, ...columns.filter((c) => c.startsWith('metric:')).map((c) => c.slice(7))]);
  const params = el('fieldset', {}, el('legend', {}, 'Parameters'),
    ...(paramKeys.size ? [...paramKeys].sort().map((k) => box(`param:${k}`, k)) : [el('p', { class: 'muted' }, 'No parameters on this page.')]));
  const metrics = el('fieldset', {}, el('legend', {}, 'Metrics (last value)'),
    ...(metricKeys.size ? [...metricKeys].sort().map((k) => box(`metric:${k}`, k)) : [el('p', { class: 'muted' }, 'No metrics on this page.')]));
  const reset = el('button', { type: 'button', class: 'btn', id: 'columns-reset' }, 'Reset to default');
  reset.addEventListener('click', () => {
    columns = [...DEFAULT_COLUMNS];
    saveColumns();
    rerenderAll();
    renderChooser();
  });
  filter.addEventListener('input', () => {
    const f = filter.value.trim().toLowerCase();
    for (const l of ui.columnsPanel.querySelectorAll('label[data-filter]')) l.hidden = f !== '' && !l.dataset.filter.includes(f);
  });
  ui.columnsPanel.replaceChildren(filter, base, params, metrics, reset);
}

function rerenderAll() {
  const items = [...rows.values()].map((r) => r.task);
  render(items);
}

ui.columns.addEventListener('toggle', () => {
  if (ui.columns.open) renderChooser();
});
document.addEventListener('click', (e) => {
  if (ui.columns.open && !ui.columns.contains(e.target)) ui.columns.open = false;
});
ui.columns.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && ui.columns.open) {
    ui.columns.open = false;
    ui.columns.querySelector('summary').focus();
  }
});

// ------------------------------------------------------------------ projects + queues

let projectsLoaded = [];
async function loadProjects() {
  try {
    const r = await api('/projects', { quiet: true });
    projectsLoaded = r.items ?? [];
  } catch (e) {
    // the table still works without the list
  }
  renderProjects();
}
const loadProjectsSoon = throttle(loadProjects, 10000);

function renderProjects() {
  const totalCount = projectsLoaded.reduce((s, p) => s + (p.taskCount ?? 0), 0);
  const link = (name, label, count) => {
    const attrs = { href: name ? `/ui/index.html?project=${encodeURIComponent(name)}` : '/ui/index.html' };
    if (name) attrs['data-project'] = name;
    else attrs['data-project-all'] = '';
    const a = el('a', attrs, el('span', { class: 'project-name' }, label), el('span', { class: 'count', 'aria-label': `${count} experiments` }, String(count ?? '')));
    if (name === state.project) a.setAttribute('aria-current', 'page');
    a.addEventListener('click', (e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      switchProject(name);
    });
    return el('li', {}, a);
  };
  ui.projects.replaceChildren(link('', 'All experiments', totalCount),
    ...[...projectsLoaded].sort((a, b) => a.name.localeCompare(b.name)).map((p) => link(p.name, p.name, p.taskCount)));
}

function switchProject(name) {
  if (state.project === name) return;
  state.project = name;
  state.offset = 0;
  selected.clear();
  writeUrl(true);
  loadColumns();
  syncFilterUi();
  renderProjects();
  load();
  connectLive();
}

window.addEventListener('popstate', () => {
  const before = state.project;
  readUrl();
  loadColumns();
  syncFilterUi();
  renderProjects();
  load();
  if (before !== state.project) connectLive();
});

async function loadQueues() {
  try {
    const r = await api('/queues', { quiet: true });
    const names = (r.items ?? []).map((q) => q.name).sort();
    for (const n of names) {
      ensureOption(ui.queue, n);
      ensureOption(ui.bulkQueue, n);
    }
    ui.queue.value = state.queue;
  } catch (e) {
    // queue filter still takes the URL's value
  }
}

// ------------------------------------------------------------------ live updates

let live = null;
let fallback = null;
const refreshSoon = throttle(() => load(), 3000);

function onTaskEvent(ev) {
  const entry = rows.get(ev.id);
  if (!entry) {
    // a task that is not on screen: a new one (or one that now matches) shows on the first page
    if (state.offset === 0 && (!state.project || ev.project === state.project)) refreshSoon();
    if (!state.project || ev.project === state.project) loadProjectsSoon();
    return;
  }
  const t = entry.task;
  const statusChanged = ev.status && ev.status !== t.status;
  for (const k of ['name', 'status', 'statusReason', 'updatedAt', 'metrics']) if (k in ev) t[k] = ev[k];
  if (t.metrics) for (const k of Object.keys(t.metrics)) seenMetrics.add(k);
  updateRow(entry, statusChanged);
  if (statusChanged) {
    // worker, start and finish times live in the task: fetch this one task, not the page
    api(`/tasks/${encodeURIComponent(ev.id)}`, { quiet: true }).then((full) => {
      const cur = rows.get(ev.id);
      if (cur) {
        cur.task = full;
        updateRow(cur, false);
      }
    }).catch(() => {});
  }
}

function setLive(on) {
  ui.live.classList.toggle('on', on);
  ui.live.textContent = on ? 'live' : 'offline — refreshing every 30 s';
  // without the stream, a slow poll keeps the page roughly current
  if (on) {
    fallback?.stop();
    fallback = null;
  } else if (!fallback) {
    fallback = every(30000, load);
  }
}

function connectLive() {
  live?.close();
  live = subscribe(state.project ? { project: state.project } : {}, {
    task: onTaskEvent,
    open: ({ reconnect }) => { if (reconnect) load(); },
    state: setLive,
  });
}

// running tasks' durations advance without any request
setInterval(() => {
  if (!columns.includes('duration')) return;
  for (const entry of rows.values()) if (entry.task.status === 'running') updateRow(entry, false);
}, 15000);

// ------------------------------------------------------------------ start

readUrl();
loadColumns();
syncFilterUi();
initShell('experiments');
renderProjects();
loadProjects();
loadQueues();
load();
connectLive();

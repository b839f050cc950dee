// The experiment page (/ui/task.html?id=ID[&tab=console]): header with status and actions, tabs whose
// modules (experiment/*.js) are loaded on first use, and one live-update stream shared by all tabs.
// Tab modules export mount(panel, ctx) → {show?(), hide?()}; they listen on ctx for:
//   'task' (the task JSON changed), 'log' {next}, 'scalars' {series}, 'report' {kind}, 'live' (bool).
import { statusBadge, isFinal } from './dom.js';
import { api, initShell, subscribe, showError, showInfo, throttle, every } from './app.js';

const params = new URLSearchParams(location.search);
const id = params.get('id') ?? '';
const TABS = ['overview', 'params', 'console', 'scalars', 'plots', 'images', 'artifacts', 'notes'];

/** What every tab module gets: the task, its API base path and a small event bus. */
const ctx = {
  id,
  base: `/tasks/${encodeURIComponent(id)}`,
  task: null,
  live: false,
  canWrite: true,
  bus: new EventTarget(),
  on(type, fn) { this.bus.addEventListener(type, (e) => fn(e.detail)); },
  emit(type, detail) { this.bus.dispatchEvent(new CustomEvent(type, { detail })); },
  /** Re-reads the task (at most twice a second) and tells the tabs. */
  refresh: null,
  setTask(t) {
    if (!t) return;
    this.task = t;
    header(t);
    this.emit('task', t);
  },
  /** Shows a tab by name ('console', …). */
  select: null,
};

ctx.refresh = throttle(async () => {
  try {
    ctx.setTask(await api(ctx.base, { quiet: true }));
  } catch (e) {
    // a transient failure: the next event or poll tries again
  }
}, 500);

// ------------------------------------------------------------------ header and actions

const actions = {
  enqueue: document.getElementById('enqueue'),
  abort: document.getElementById('abort'),
  archive: document.getElementById('archive'),
  clone: document.getElementById('clone'),
};

function header(t) {
  document.title = `Drover — ${t.name}`;
  document.getElementById('name').textContent = t.name;
  const crumb = document.getElementById('crumb-project');
  crumb.textContent = t.project;
  crumb.href = `/ui/index.html?project=${encodeURIComponent(t.project)}`;
  const status = document.getElementById('status');
  const badge = statusBadge(t.status);
  status.className = badge.className;
  status.textContent = t.archived ? `${t.status} · archived` : t.status;
  status.dataset.status = t.status;
  actions.enqueue.hidden = !(t.status === 'created' || isFinal(t.status)) || t.archived;
  actions.enqueue.textContent = t.status === 'created' ? 'Enqueue' : 'Re-run';
  actions.abort.hidden = !(t.status === 'queued' || t.status === 'running');
  actions.archive.hidden = false;
  actions.archive.textContent = t.archived ? 'Unarchive' : 'Archive';
  actions.clone.disabled = false; // disabled in the HTML until the task it copies has loaded
  liveText();
}

async function act(button, path, body, done) {
  button.disabled = true;
  try {
    const t = await api(`${ctx.base}/${path}`, { method: 'POST', body });
    ctx.setTask(t);
    if (done) showInfo(done);
  } catch (e) {
    // api() showed the message in the banner
  } finally {
    button.disabled = false;
  }
}

actions.enqueue.addEventListener('click', () => act(actions.enqueue, 'enqueue', { queue: ctx.task?.queue }, 'enqueued'));
actions.abort.addEventListener('click', () => {
  if (!confirm(`Abort "${ctx.task?.name ?? id}"?`)) return;
  act(actions.abort, 'abort', { reason: 'aborted from the dashboard' }, 'abort requested');
});
actions.archive.addEventListener('click', () => act(actions.archive, ctx.task?.archived ? 'unarchive' : 'archive', {},
  ctx.task?.archived ? 'unarchived' : 'archived'));
actions.clone.addEventListener('click', async () => {
  const mod = await import('./experiment/clone.js');
  mod.openClone(ctx);
});

// ------------------------------------------------------------------ tabs

const mounted = new Map();
let current = null;

async function select(name, { focus = false, push = true } = {}) {
  if (!TABS.includes(name)) name = 'overview';
  if (current === name) return;
  const prev = current;
  current = name;
  for (const t of TABS) {
    const tab = document.getElementById(`tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    document.getElementById(`panel-${t}`).hidden = !on;
  }
  if (focus) document.getElementById(`tab-${name}`).focus();
  if (push) {
    const q = new URLSearchParams(location.search);
    if (name === 'overview') q.delete('tab'); else q.set('tab', name);
    history.replaceState(null, '', `${location.pathname}?${q}`);
  }
  if (prev) mounted.get(prev)?.then((m) => m?.hide?.());
  if (!mounted.has(name)) {
    mounted.set(name, import(`./experiment/${name}.js`)
      .then((mod) => mod.mount(document.getElementById(`panel-${name}`), ctx))
      .catch((e) => {
        showError(`the ${name} tab failed to load: ${e.message}`);
        return null;
      }));
  }
  const m = await mounted.get(name);
  if (current === name) m?.show?.();
}
ctx.select = (name) => select(name, { focus: true });

const tablist = document.getElementById('tabs');
tablist.addEventListener('click', (e) => {
  const tab = e.target.closest('[role=tab]');
  if (tab) select(tab.dataset.tab);
});
// WAI-ARIA tabs: arrows move (and select), Home/End jump to the ends
tablist.addEventListener('keydown', (e) => {
  const i = TABS.indexOf(current);
  let next = null;
  if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
  else if (e.key === 'ArrowLeft') next = TABS[(i - 1 + TABS.length) % TABS.length];
  else if (e.key === 'Home') next = TABS[0];
  else if (e.key === 'End') next = TABS[TABS.length - 1];
  if (next) {
    e.preventDefault();
    select(next, { focus: true });
  }
});

// ------------------------------------------------------------------ live updates

const liveBadge = document.getElementById('live');
function liveText() {
  liveBadge.classList.toggle('on', ctx.live);
  const t = ctx.task;
  const active = !t || t.status === 'queued' || t.status === 'running';
  liveBadge.textContent = ctx.live ? 'live' : 'polling';
  liveBadge.hidden = !ctx.live && !active; // nothing to follow on a finished or draft task
  liveBadge.title = ctx.live ? 'live updates: connected' : 'live updates unavailable: following by polling while the task is active';
}

function setLive(on) {
  ctx.live = on;
  liveText();
  ctx.emit('live', on);
}

function startLive() {
  subscribe({ task: id }, {
    task: (d) => { if (d.id === id) ctx.refresh(); },
    log: (d) => { if (d.id === id) ctx.emit('log', d); },
    scalars: (d) => { if (d.id === id) ctx.emit('scalars', d); },
    report: (d) => { if (d.id === id) ctx.emit('report', d); },
    open: ({ reconnect }) => { if (reconnect) ctx.refresh(); },
    state: setLive,
  });
  // without the stream (not deployed, proxy in the way) the status still follows, slowly
  every(5000, async () => {
    if (!ctx.live && ctx.task && !isFinal(ctx.task.status)) ctx.refresh();
  });
}

// ------------------------------------------------------------------ start

/** Viewers (and anyone without WRITE on the project) get the page without its editing controls. */
function applyRole(me, t) {
  const role = me?.roles?.[t.project];
  ctx.canWrite = !me || me.admin === true || me.kind === 'local' || role === 'owner' || role === 'member';
  document.body.classList.toggle('read-only', !ctx.canWrite);
}

async function main() {
  const mePromise = initShell('experiments');
  if (!/^[0-9a-f]{24}$/.test(id)) {
    document.getElementById('name').textContent = 'no experiment';
    showError('This page needs ?id= with a task id (24 hex characters); open an experiment from the experiments list.');
    return;
  }
  document.getElementById('json').href = `/api/v1${ctx.base}`;
  try {
    ctx.setTask(await api(ctx.base));
  } catch (e) {
    document.getElementById('name').textContent = 'not found';
    return;
  }
  applyRole(await mePromise, ctx.task);
  setLive(false);
  startLive();
  await select(params.get('tab') ?? 'overview', { push: false });
}

main();

// for the browser tests and the console: which tab is shown, and the shared context
window.droverExperiment = ctx;

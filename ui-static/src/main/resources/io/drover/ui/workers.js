// Workers (/ui/workers.html): online/offline, queues, running tasks, and CPU, memory and per-GPU
// utilisation and memory over the last hour (GET /workers/{name}/stats?minutes=60) as small
// charts. Refreshed every 10 s while the tab is visible (the agents report every 5 s).
import { el } from './dom.js';
import { api, initShell, ago, fmtTime, every, store } from './app.js';

const REFRESH_MS = 10000;
const $ = (id) => document.getElementById(id);
const tbody = $('workers').querySelector('tbody');
const taskNames = new Map(); // id → name (or null while unknown)
const history = new Map();   // worker → stats items
let workers = [];

// ------------------------------------------------------------------ sparkline (canvas, no library)

const WINDOW_MS = 60 * 60 * 1000;
const tsOf = (s) => (typeof s.ts === 'number' ? s.ts : Date.parse(s.ts));

/**
 * A small line chart of `points` ([{t: epoch ms, v}], v null = gap) over the last hour (x is time,
 * so a worker seen for ten minutes fills the right sixth), 0..max on y, on a canvas sized for the
 * screen's pixel ratio. A pause of more than a minute between samples is drawn as a gap.
 * data-points says how many points were drawn (the browser tests read it).
 */
function sparkline(points, { max = 100, color = '#1a5fd0', label = '', width = 160, height = 34, now = Date.now() } = {}) {
  const canvas = el('canvas', { class: 'spark chart', role: 'img', 'aria-label': label });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const pts = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v) && p.t >= now - WINDOW_MS);
  canvas.dataset.points = String(pts.length);
  const g = canvas.getContext('2d');
  if (!g) return canvas;
  g.scale(ratio, ratio);
  g.fillStyle = '#f3f5f8';
  g.fillRect(0, 0, width, height);
  if (pts.length === 0) return canvas;
  const top = Math.max(max, ...pts.map((p) => p.v)) || 1;
  const x = (t) => 1 + ((t - (now - WINDOW_MS)) / WINDOW_MS) * (width - 2);
  const y = (v) => height - 2 - (Math.max(0, v) / top) * (height - 4);
  // runs of samples without a pause longer than a minute
  const runs = [];
  let run = [];
  for (const p of pts) {
    if (run.length && p.t - run[run.length - 1].t > 60000) {
      runs.push(run);
      run = [];
    }
    run.push(p);
  }
  runs.push(run);
  for (const r of runs) {
    g.beginPath();
    g.moveTo(x(r[0].t), height);
    for (const p of r) g.lineTo(x(p.t), y(p.v));
    g.lineTo(x(r[r.length - 1].t), height);
    g.closePath();
    g.fillStyle = `${color}26`;
    g.fill();
    g.beginPath();
    r.forEach((p, i) => (i ? g.lineTo(x(p.t), y(p.v)) : g.moveTo(x(p.t), y(p.v))));
    if (r.length === 1) g.lineTo(x(r[0].t) + 1.5, y(r[0].v));
    g.strokeStyle = color;
    g.lineWidth = 1.4;
    g.stroke();
  }
  return canvas;
}

function sparkCell(label, text, values, opts) {
  return el('div', { class: 'spark-cell' },
    el('span', { class: 'spark-label' }, text),
    sparkline(values, { ...opts, label: `${label}: ${text}, last hour` }));
}

const pct = (v) => (Number.isFinite(v) ? `${Math.round(v)}%` : '–');
const gb = (mb) => (Number.isFinite(mb) ? `${(mb / 1024).toFixed(mb >= 10240 ? 0 : 1)} GiB` : '–');

// ------------------------------------------------------------------ data

async function load() {
  const r = await api('/workers');
  workers = (r.items ?? []).sort((a, b) => (b.online - a.online) || a.name.localeCompare(b.name));
  // history of online workers every refresh; an offline one's once (it does not change)
  await Promise.all(workers.map(async (w) => {
    if (!w.online && history.has(w.name)) return;
    try {
      const s = await api(`/workers/${encodeURIComponent(w.name)}/stats?minutes=60`, { quiet: true });
      history.set(w.name, s.items ?? []);
    } catch (e) {
      // no history (older controller, or the worker is gone): the latest stats still show
      if (!history.has(w.name)) history.set(w.name, []);
    }
  }));
  await resolveTaskNames();
  render();
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function runningIds(w) {
  const ids = new Set(w.runningTasks ?? []);
  if (w.currentTask) ids.add(typeof w.currentTask === 'string' ? w.currentTask : w.currentTask.id);
  return [...ids].filter(Boolean);
}

async function resolveTaskNames() {
  const unknown = [...new Set(workers.flatMap(runningIds))].filter((id) => !taskNames.has(id));
  await Promise.all(unknown.slice(0, 50).map(async (id) => {
    try {
      const t = await api(`/tasks/${encodeURIComponent(id)}`, { quiet: true });
      taskNames.set(id, t.name || id);
    } catch (e) {
      taskNames.set(id, id); // not readable for this user: show the id
    }
  }));
}

function render() {
  const showOffline = $('show-offline').checked;
  const online = workers.filter((w) => w.online).length;
  $('summary').textContent = `${online} online, ${workers.length - online} offline`;
  const shown = workers.filter((w) => showOffline || w.online);
  if (shown.length === 0) {
    tbody.replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'empty' },
      workers.length ? 'No worker is online.' : 'No workers yet: start one with drover agent --queue default.')));
    return;
  }
  // a worker's row element stays across refreshes (its cells are replaced): focus and references survive
  const existing = new Map([...tbody.querySelectorAll('tr[data-worker]')].map((tr) => [tr.dataset.worker, tr]));
  const trs = shown.map((w) => {
    const fresh = row(w);
    const old = existing.get(w.name);
    if (!old) return fresh;
    old.className = fresh.className;
    old.replaceChildren(...fresh.childNodes);
    return old;
  });
  if (trs.length !== tbody.children.length || trs.some((tr, i) => tbody.children[i] !== tr)) tbody.replaceChildren(...trs);
}

function row(w) {
  const items = history.get(w.name) ?? [];
  const latest = items.length ? items[items.length - 1] : (w.stats ?? {});
  const series = (f) => items.map((s) => ({ t: tsOf(s), v: f(s) }));
  const cpu = series((s) => s.cpuPercent);
  const mem = series((s) => s.memUsedMb);
  const memTotal = latest.memTotalMb ?? w.stats?.memTotalMb;
  const running = runningIds(w);
  return el('tr', { 'data-worker': w.name, class: w.online ? 'is-online' : 'is-offline' },
    el('th', { scope: 'row' }, w.name, w.hostname && w.hostname !== w.name ? el('div', { class: 'muted' }, w.hostname) : ''),
    el('td', { 'data-label': 'state' },
      el('span', { class: w.online ? 'online' : 'offline' }, w.online ? 'online' : 'offline'),
      el('div', { class: 'muted' }, el('time', { datetime: w.lastSeen ?? '', title: fmtTime(w.lastSeen) }, w.lastSeen ? `seen ${ago(w.lastSeen)}` : ''))),
    el('td', { 'data-label': 'queues' }, (w.queues ?? []).join(', ')),
    el('td', { 'data-label': 'running' }, running.length
      ? el('ul', { class: 'plain' }, ...running.map((id) => el('li', {}, el('a', { href: `/ui/task.html?id=${encodeURIComponent(id)}`, 'data-task-id': id }, taskNames.get(id) ?? id))))
      : el('span', { class: 'muted' }, 'idle')),
    el('td', { 'data-label': 'CPU' }, sparkCell('CPU', pct(latest.cpuPercent), cpu, { max: 100 })),
    el('td', { 'data-label': 'memory' }, sparkCell('memory', `${gb(latest.memUsedMb)} of ${gb(memTotal)}`, mem,
      { max: Number.isFinite(memTotal) ? memTotal : 0, color: '#009e73' })),
    el('td', { 'data-label': 'GPUs', class: 'gpus' }, gpuCells(w, items)));
}

function gpuCells(w, items) {
  const latest = (items.length ? items[items.length - 1].gpus : null) ?? w.gpus ?? w.stats?.gpus ?? [];
  if (!latest.length) return el('span', { class: 'muted' }, 'none');
  const box = el('div', {});
  for (const gpu of latest) {
    const pick = (f) => items.map((s) => ({ t: tsOf(s), v: (s.gpus ?? []).find((x) => x.index === gpu.index)?.[f] ?? null }));
    const util = pick('util');
    const mem = pick('memUsedMb');
    const owner = gpu.taskId ? ` · ${taskNames.get(gpu.taskId) ?? gpu.taskId}` : '';
    box.append(el('div', { class: 'gpu', 'data-gpu': String(gpu.index) },
      el('span', { class: 'gpu-name' }, `GPU ${gpu.index}${gpu.name ? ` ${gpu.name}` : ''}${owner}`),
      sparkCell(`GPU ${gpu.index} utilisation`, `util ${pct(gpu.util)}`, util, { max: 100, color: '#d55e00' }),
      sparkCell(`GPU ${gpu.index} memory`, `mem ${gb(gpu.memUsedMb)} of ${gb(gpu.memTotalMb)}`, mem,
        { max: gpu.memTotalMb ?? 0, color: '#cc79a7' })));
  }
  return box;
}

$('show-offline').checked = store.get('drover.workers.showOffline', true);
$('show-offline').addEventListener('change', () => {
  store.set('drover.workers.showOffline', $('show-offline').checked);
  render();
});

initShell('workers');
load().catch(() => {});
every(REFRESH_MS, load);

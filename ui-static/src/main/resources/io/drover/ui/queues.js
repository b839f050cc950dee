// Queues (/ui/queues.html): depth, oldest waiting time and workers per queue; the waiting entries
// in claim order with "to front", "to back" and "remove". Refreshed on task events from the SSE
// stream (throttled), or every 15 s while the stream is down.
import { el } from './dom.js';
import { api, initShell, subscribe, showInfo, ago, fmtTime, throttle, every } from './app.js';

const SHOWN_ENTRIES = 100;
const $ = (id) => document.getElementById(id);
const tbody = $('queues').querySelector('tbody');
/** Queues whose entries the user collapsed (all expanded by default). */
const collapsed = new Set();
let queues = [];
const entries = new Map(); // queue → items

async function load() {
  const r = await api('/queues');
  queues = (r.items ?? []).sort((a, b) => a.name.localeCompare(b.name));
  await Promise.all(queues.map(async (q) => {
    if (!q.depth) {
      entries.set(q.name, []);
      return;
    }
    try {
      const e = await api(`/queues/${encodeURIComponent(q.name)}/entries`, { quiet: true });
      entries.set(q.name, e.items ?? []);
    } catch (e) {
      entries.set(q.name, null);
    }
  }));
  render();
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function render() {
  if (queues.length === 0) {
    tbody.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No queues yet: enqueuing a task creates its queue.')));
    return;
  }
  const focusedKey = document.activeElement?.dataset?.focusKey;
  const rows = [];
  for (const q of queues) {
    const open = !collapsed.has(q.name);
    const toggle = el('button', { type: 'button', class: 'btn', 'aria-expanded': String(open), 'aria-controls': `entries-${q.name}`,
      'data-focus-key': `toggle:${q.name}` }, open ? 'hide entries' : 'show entries');
    toggle.disabled = !q.depth;
    toggle.addEventListener('click', () => {
      if (collapsed.has(q.name)) collapsed.delete(q.name);
      else collapsed.add(q.name);
      render();
    });
    rows.push(el('tr', { class: 'queue-row', 'data-queue': q.name },
      el('th', { scope: 'row' }, q.name),
      el('td', { class: 'num', 'data-label': 'waiting' }, String(q.depth ?? 0)),
      el('td', { 'data-label': 'oldest waiting' }, q.oldestQueuedAt ? el('time', { datetime: q.oldestQueuedAt, title: fmtTime(q.oldestQueuedAt) }, ago(q.oldestQueuedAt).replace(' ago', '')) : '–'),
      el('td', { 'data-label': 'workers' }, (q.workers ?? []).length ? q.workers.join(', ') : el('span', { class: 'muted' }, 'none')),
      el('td', {}, toggle)));
    if (open && q.depth) rows.push(el('tr', { class: 'entries-row', id: `entries-${q.name}` }, el('td', { colspan: 5 }, entryTable(q))));
  }
  // queue rows keep their elements across refreshes (cells replaced), like the workers page
  const existing = new Map([...tbody.querySelectorAll('tr[data-queue]')].map((tr) => [tr.dataset.queue, tr]));
  const trs = rows.map((fresh) => {
    const old = fresh.dataset.queue ? existing.get(fresh.dataset.queue) : null;
    if (!old) return fresh;
    old.replaceChildren(...fresh.childNodes);
    return old;
  });
  tbody.replaceChildren(...trs);
  // a refresh must not throw the keyboard user's focus away
  if (focusedKey) tbody.querySelector(`[data-focus-key="${CSS.escape(focusedKey)}"]`)?.focus();
}

function entryTable(q) {
  const items = entries.get(q.name);
  if (items === null) return el('p', { class: 'error' }, 'Could not load the entries of this queue.');
  const shown = items.slice(0, SHOWN_ENTRIES);
  const now = Date.now();
  const table = el('table', { class: 'entries compact cards', 'aria-label': `entries of ${q.name} in claim order` },
    el('thead', {}, el('tr', {}, ...[['#', 'num'], ['experiment'], ['priority', 'num'], ['queued'], ['waiting'], ['actions']]
      .map(([h, cls]) => el('th', { scope: 'col', class: cls ?? null }, h)))),
    el('tbody', {}, ...shown.map((e, i) => {
      const name = e.name || e.id;
      const btn = (label, aria, key, fn) => {
        const b = el('button', { type: 'button', 'aria-label': `${aria} ${name}`, 'data-focus-key': `${key}:${q.name}:${e.id}`, 'data-entry-action': key }, label);
        b.addEventListener('click', () => fn(b));
        return b;
      };
      return el('tr', { 'data-task-id': e.id },
        el('td', { class: 'num', 'data-label': 'position' }, String(i + 1)),
        el('td', { 'data-label': 'experiment' }, el('a', { href: `/ui/task.html?id=${encodeURIComponent(e.id)}` }, name)),
        el('td', { class: 'num', 'data-label': 'priority' }, String(e.priority ?? 0)),
        el('td', { 'data-label': 'queued' }, fmtTime(e.queuedAt)),
        el('td', { 'data-label': 'waiting' }, e.queuedAt ? ago(e.queuedAt, now).replace(' ago', '') : ''),
        el('td', {}, el('span', { class: 'row-actions' },
          btn('to front', 'move to the front of its priority:', 'front', (b) => move(q.name, e, 'front', b)),
          btn('to back', 'move to the back of its priority:', 'back', (b) => move(q.name, e, 'back', b)),
          btn('remove', 'remove from the queue:', 'remove', (b) => remove(q.name, e, b)))));
    })));
  if (items.length > shown.length) {
    return el('div', {}, table, el('p', { class: 'muted' }, `… and ${items.length - shown.length} more waiting.`));
  }
  return table;
}

/** Puts the keyboard focus back on the element with `key` after a refresh (or on `fallback`). */
function refocus(key, fallback) {
  const target = tbody.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) ?? (fallback ? tbody.querySelector(`[data-focus-key="${CSS.escape(fallback)}"]`) : null);
  target?.focus();
}

async function move(queue, entry, position, button) {
  const key = button.dataset.focusKey;
  button.disabled = true;
  try {
    await api(`/queues/${encodeURIComponent(queue)}/entries/${encodeURIComponent(entry.id)}/move`, { method: 'POST', body: { position } });
    showInfo(`${entry.name || entry.id} moved to the ${position} of priority ${entry.priority ?? 0} in ${queue}.`);
  } catch (e) {
    // the banner says why
  } finally {
    await load().catch(() => {});
    refocus(key, `toggle:${queue}`);
  }
}

async function remove(queue, entry, button) {
  // the next entry's remove button takes the focus (the removed row is gone)
  const next = button.closest('tr')?.nextElementSibling?.dataset.taskId;
  const key = next ? `remove:${queue}:${next}` : `toggle:${queue}`;
  button.disabled = true;
  try {
    await api(`/queues/${encodeURIComponent(queue)}/entries/${encodeURIComponent(entry.id)}`, { method: 'DELETE' });
    showInfo(`${entry.name || entry.id} removed from ${queue} (it is back to created; enqueue it again from its page).`);
  } catch (e) {
    // the banner says why
  } finally {
    await load().catch(() => {});
    refocus(key, `toggle:${queue}`);
  }
}

// ------------------------------------------------------------------ live

let fallback = null;
const refreshSoon = throttle(() => load().catch(() => {}), 2000);
function setLive(on) {
  const live = $('live');
  live.classList.toggle('on', on);
  live.textContent = on ? 'live' : 'offline — refreshing every 15 s';
  if (on) {
    fallback?.stop();
    fallback = null;
  } else if (!fallback) {
    fallback = every(15000, load);
  }
}

initShell('queues');
load().catch(() => {});
// any task change may move a queue (enqueue, claim, abort): refresh at most every 2 s
subscribe({}, { task: refreshSoon, open: ({ reconnect }) => { if (reconnect) refreshSoon(); }, state: setLive });
// waiting times grow without events: a slow tick keeps them honest
every(30000, load);

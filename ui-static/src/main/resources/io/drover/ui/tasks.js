// Keeps the server-rendered task table of / current.
import { el, statusBadge, duration, getJson, sessionHeader } from './dom.js';

const REFRESH_MS = 5000;

function row(t) {
  const id = encodeURIComponent(t.id);
  const ex = t.execution ?? {};
  return el('tr', {},
    el('td', {}, el('a', { href: `/ui/task.html?id=${id}` }, t.name ?? t.id)),
    el('td', {}, t.project ?? ''),
    el('td', {}, statusBadge(t.status)),
    el('td', {}, t.queue ?? ''),
    el('td', {}, ex.worker ?? ''),
    el('td', {}, t.createdAt ? t.createdAt.replace(/\.\d+Z$/, 'Z') : ''),
    el('td', {}, duration(ex.startedAt, ex.finishedAt)),
    el('td', { class: 'links' },
      el('a', { href: `/api/v1/tasks/${id}` }, 'json'), ' ',
      el('a', { href: `/ui/task.html?id=${id}` }, 'logs')));
}

async function refresh() {
  const note = document.getElementById('refresh');
  try {
    const page = await getJson('/api/v1/tasks?sort=-createdAt&limit=200');
    const body = document.querySelector('#tasks tbody');
    const rows = page.items.map(row);
    if (rows.length === 0) {
      rows.push(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'No tasks yet: submit one with drover submit.')));
    }
    body.replaceChildren(...rows);
    note.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    note.textContent = `could not refresh: ${e.message}`;
  }
}

sessionHeader();
setInterval(refresh, REFRESH_MS);

// One task: summary, artifacts, and its console tailed through the logs long-poll.
import { el, statusBadge, isFinal, duration, getJson, postJson, sessionHeader } from './dom.js';

const id = new URLSearchParams(location.search).get('id') ?? '';
const api = `/api/v1/tasks/${encodeURIComponent(id)}`;
const log = document.getElementById('log');
const follow = document.getElementById('follow');

function showError(message) {
  const p = document.getElementById('error');
  p.textContent = message;
  p.hidden = false;
}

const abort = document.getElementById('abort');

/** The abort button: shown while the task can still be stopped; a state change, so it carries the CSRF token. */
function abortButton(t) {
  abort.hidden = isFinal(t.status) || t.status === 'created';
}

abort.addEventListener('click', async () => {
  abort.disabled = true;
  try {
    summary(await postJson(`${api}/abort`, { reason: 'aborted from the dashboard' }));
  } catch (e) {
    showError(e.message);
  } finally {
    abort.disabled = false;
  }
});

function summary(t) {
  abortButton(t);
  document.title = `Drover — ${t.name}`;
  document.getElementById('name').textContent = t.name;
  document.getElementById('status').replaceWith(Object.assign(statusBadge(t.status), { id: 'status' }));
  const ex = t.execution ?? {};
  const items = [['id', t.id], ['project', t.project], ['queue', t.queue], ['worker', ex.worker],
    ['attempt', ex.attempt], ['exit code', ex.exitCode], ['created', t.createdAt], ['started', ex.startedAt],
    ['finished', ex.finishedAt], ['duration', duration(ex.startedAt, ex.finishedAt)],
    ['entry point', t.script?.entryPoint], ['commit', t.script?.commit], ['reason', t.statusReason],
    ['params', Object.entries(t.params ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')]];
  document.getElementById('summary').replaceChildren(...items
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
  const arts = (t.artifacts ?? []).map((a) => el('li', {},
    el('a', { href: `${api}/artifacts/${encodeURIComponent(a.name)}` }, a.name),
    ` ${a.size} bytes, ${a.contentType ?? ''}`));
  if (arts.length) document.getElementById('artifacts').replaceChildren(...arts);
}

function append(lines) {
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  const frag = document.createDocumentFragment();
  for (const l of lines) {
    frag.append(l.stream === 'stderr' ? el('span', { class: 'stderr' }, `${l.text}\n`) : document.createTextNode(`${l.text}\n`));
  }
  log.append(frag);
  if (follow.checked && atBottom) log.scrollTop = log.scrollHeight;
}

async function tail() {
  let after = 0;
  for (;;) {
    const page = await getJson(`${api}/logs?after=${after}&limit=1000&wait=25`);
    append(page.lines);
    after = page.next;
    if (isFinal(page.status) && page.lines.length === 0) return page.status;
  }
}

async function main() {
  sessionHeader();
  document.getElementById('json').href = api;
  document.getElementById('download').href = `${api}/logs/download`;
  try {
    summary(await getJson(api));
    await tail();
    summary(await getJson(api)); // final status, exit code and artifacts
  } catch (e) {
    showError(e.message);
  }
}

main();

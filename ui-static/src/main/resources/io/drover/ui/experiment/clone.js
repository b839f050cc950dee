// "Clone, edit parameters, enqueue": a dialog with the task's parameters as inputs, a queue and a
// priority; POST /tasks/{id}/clone {name, params, queue, priority, enqueue} and go to the new task.
import { api } from '../app.js';
import { el } from './util.js';

let wired = false;

export function openClone(ctx) {
  const t = ctx.task;
  if (!t) return;
  const dialog = document.getElementById('clone-dialog');
  const form = document.getElementById('clone-form');
  const list = document.getElementById('clone-params');
  const name = document.getElementById('clone-name');
  const queue = document.getElementById('clone-queue');
  const priority = document.getElementById('clone-priority');
  const error = document.getElementById('clone-error');

  document.getElementById('clone-hint').textContent =
    `A new task from "${t.name}" with the same code and commit; change the parameters, then enqueue it or keep it as a draft.`;
  name.value = t.name;
  queue.value = t.queue ?? 'default';
  priority.value = String(t.priority ?? 0);
  error.hidden = true;
  list.replaceChildren();
  const entries = Object.entries(t.params ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [k, v] of entries) list.append(paramRow(k, v));
  if (!entries.length) list.append(el('p', { class: 'muted', id: 'clone-no-params' }, 'This task has no parameters; add one below.'));
  loadQueues();

  if (!wired) {
    wired = true;
    document.getElementById('clone-add-param').addEventListener('click', () => {
      document.getElementById('clone-no-params')?.remove();
      const r = paramRow('', '', true);
      list.append(r);
      r.querySelector('input').focus();
    });
    document.getElementById('clone-cancel').addEventListener('click', () => dialog.close());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit(ctx, e.submitter?.value === 'create' ? false : true);
    });
  }
  if (typeof dialog.showModal === 'function') dialog.showModal(); else dialog.setAttribute('open', '');
  const first = list.querySelector('input[data-param]');
  (first ?? name).focus();
}

function paramRow(k, v, isNew = false) {
  const id = `clone-param-${Math.random().toString(36).slice(2, 9)}`;
  const value = el('input', { type: 'text', id, 'data-param': k, class: 'param-value', autocomplete: 'off' });
  value.value = String(v);
  const remove = el('button', { type: 'button', class: 'btn btn-small', 'aria-label': `drop ${k || 'this parameter'} from the clone` }, '×');
  let label;
  if (isNew) {
    label = el('input', { type: 'text', class: 'param-key', placeholder: 'name', 'aria-label': 'new parameter name', maxlength: '256' });
    label.addEventListener('input', () => { value.dataset.param = label.value.trim(); });
    value.setAttribute('aria-label', 'new parameter value');
  } else {
    label = el('label', { for: id, class: 'mono' }, k);
  }
  const row = el('div', { class: 'clone-param' }, label, value, remove);
  remove.addEventListener('click', () => row.remove());
  return row;
}

async function loadQueues() {
  try {
    const r = await api('/queues', { quiet: true });
    document.getElementById('clone-queues').replaceChildren(...(r?.items ?? []).map((q) => el('option', { value: q.name })));
  } catch (e) {
    // the queue can still be typed
  }
}

async function submit(ctx, enqueue) {
  const error = document.getElementById('clone-error');
  const fail = (msg) => {
    error.textContent = msg;
    error.hidden = false;
  };
  error.hidden = true;
  const params = {};
  for (const input of document.querySelectorAll('#clone-params input.param-value')) {
    const k = (input.dataset.param ?? '').trim();
    if (!k) {
      if (input.value !== '') return fail('A new parameter needs a name (or remove its row).');
      continue;
    }
    params[k] = input.value;
  }
  // the API merges clone params into the source's: dropping an inherited one takes a draft whose
  // params are then replaced (PATCH, allowed while created) before it is enqueued
  const dropped = Object.keys(ctx.task.params ?? {}).some((k) => !(k in params));
  const body = { params, enqueue: enqueue && !dropped };
  const name = document.getElementById('clone-name').value.trim();
  if (name) body.name = name;
  const queue = document.getElementById('clone-queue').value.trim();
  if (queue) body.queue = queue;
  const p = document.getElementById('clone-priority').value.trim();
  if (p !== '') {
    const n = Number(p);
    if (!Number.isInteger(n) || n < -100 || n > 100) return fail('Priority must be a whole number from -100 to 100.');
    body.priority = n;
  }
  const buttons = document.querySelectorAll('#clone-form button[type=submit]');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const t = await api(`${ctx.base}/clone`, { method: 'POST', body, quiet: true });
    if (dropped) {
      const base = `/tasks/${encodeURIComponent(t.id)}`;
      await api(base, { method: 'PATCH', body: { params }, quiet: true });
      if (enqueue) await api(`${base}/enqueue`, { method: 'POST', body: { queue: body.queue, priority: body.priority }, quiet: true });
    }
    location.assign(`/ui/task.html?id=${encodeURIComponent(t.id)}${enqueue ? '' : '&tab=params'}`);
  } catch (e) {
    fail(`Could not clone: ${e.message}`);
    buttons.forEach((b) => { b.disabled = false; });
  }
}

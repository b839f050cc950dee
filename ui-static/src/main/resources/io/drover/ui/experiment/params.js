// Parameters tab: hyperparameters (editable while the task is `created`: PATCH /tasks/{id} params),
// user properties (always editable: PATCH properties) and configuration objects (read-only).
import { api, showInfo } from '../app.js';
import { el, empty } from './util.js';

export function mount(root, ctx) {
  const table = root.querySelector('#params');
  const tbody = table.tBodies[0];
  const form = root.querySelector('#params-form');
  const mode = root.querySelector('#params-mode');
  const editBar = root.querySelector('#params-edit');
  const propsBox = root.querySelector('#properties-box');
  const configsBox = root.querySelector('#configs-box');
  let dirty = false;
  let shownFor = '';

  function render(t) {
    const editable = t.status === 'created' && ctx.canWrite;
    // a live refresh must not wipe what the user is typing
    const key = JSON.stringify([t.params, editable]);
    if (dirty || key === shownFor) return;
    shownFor = key;
    mode.textContent = editable ? '(editable: the task has not been enqueued yet)' : '';
    tbody.replaceChildren();
    const entries = Object.entries(t.params ?? {}).sort(([a], [b]) => a.localeCompare(b));
    for (const [k, v] of entries) tbody.append(row(k, v, editable));
    if (!entries.length && !editable) {
      tbody.append(el('tr', { class: 'empty' }, el('td', { colspan: '3', class: 'empty' }, 'no parameters')));
    }
    editBar.hidden = !editable;
    if (editable) {
      const add = el('button', { type: 'button', class: 'btn', id: 'params-add' }, 'Add parameter');
      add.addEventListener('click', () => {
        const r = row('', '', true, true);
        tbody.append(r);
        dirty = true;
        r.querySelector('input').focus();
      });
      const save = el('button', { type: 'submit', class: 'btn btn-primary', id: 'params-save' }, 'Save parameters');
      const revert = el('button', { type: 'button', class: 'btn', id: 'params-revert' }, 'Revert');
      revert.addEventListener('click', () => { dirty = false; shownFor = ''; render(ctx.task); });
      editBar.replaceChildren(add, revert, save);
    } else {
      const clone = el('button', { type: 'button', class: 'btn', id: 'params-clone' }, 'Clone to change parameters…');
      clone.addEventListener('click', () => document.getElementById('clone').click());
      editBar.replaceChildren(el('span', { class: 'muted' }, `Parameters are fixed once a task is enqueued (${t.status}). `), clone);
      editBar.hidden = false;
    }
  }

  function row(k, v, editable, isNew = false) {
    if (!editable) {
      return el('tr', { 'data-param': k }, el('th', { scope: 'row', class: 'mono' }, k), el('td', { class: 'value mono' }, String(v)), el('td'));
    }
    const keyCell = isNew
      ? el('input', { type: 'text', class: 'param-key', 'aria-label': 'parameter name', placeholder: 'name', maxlength: '256' })
      : el('span', { class: 'mono' }, k);
    const value = el('input', { type: 'text', class: 'param-value', 'data-param': k, 'aria-label': `value of ${k || 'the new parameter'}` });
    value.value = String(v);
    const remove = el('button', { type: 'button', class: 'btn btn-small', 'aria-label': `remove ${k || 'this parameter'}` }, 'remove');
    const tr = el('tr', { 'data-param': k }, el('th', { scope: 'row' }, keyCell), el('td', {}, value), el('td', {}, remove));
    if (isNew) keyCell.addEventListener('input', () => { tr.dataset.param = keyCell.value.trim(); value.dataset.param = keyCell.value.trim(); });
    value.addEventListener('input', () => { dirty = true; });
    remove.addEventListener('click', () => { tr.remove(); dirty = true; });
    return tr;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const params = {};
    for (const tr of tbody.rows) {
      const keyInput = tr.querySelector('.param-key');
      const k = keyInput ? keyInput.value.trim() : tr.dataset.param;
      const v = tr.querySelector('.param-value');
      if (!v) continue;
      if (!k) {
        if (v.value === '') continue;
        showInfo('A new parameter needs a name (or remove the row).');
        keyInput?.focus();
        return;
      }
      if (k in params) {
        showInfo(`Parameter "${k}" is listed twice: keep one.`);
        return;
      }
      params[k] = v.value;
    }
    const save = form.querySelector('#params-save');
    if (save) save.disabled = true;
    try {
      const t = await api(ctx.base, { method: 'PATCH', body: { params } });
      dirty = false;
      shownFor = '';
      ctx.setTask(t);
      showInfo('parameters saved');
    } catch (err) {
      // the banner says what the API refused (e.g. 409 once the task was enqueued)
    } finally {
      if (save) save.disabled = false;
    }
  });

  // ---------------------------------------------------------------- user properties
  let propsDirty = false;
  let propsShown = '';
  function renderProps(t) {
    const key = JSON.stringify(t.properties ?? {});
    if (propsDirty || key === propsShown) return;
    propsShown = key;
    const list = el('div', { id: 'properties', class: 'prop-rows' });
    const add = (k, v) => {
      const kIn = el('input', { type: 'text', class: 'prop-key', 'aria-label': 'property name', placeholder: 'name', maxlength: '256' });
      const vIn = el('input', { type: 'text', class: 'prop-value', 'aria-label': 'property value', placeholder: 'value', maxlength: '4096' });
      kIn.value = k; vIn.value = v;
      kIn.readOnly = !ctx.canWrite; vIn.readOnly = !ctx.canWrite;
      const rm = el('button', { type: 'button', class: 'btn btn-small', 'aria-label': 'remove property' }, 'remove');
      const r = el('div', { class: 'prop-row', 'data-property': k }, kIn, vIn, rm);
      rm.addEventListener('click', () => { r.remove(); propsDirty = true; });
      for (const i of [kIn, vIn]) i.addEventListener('input', () => { propsDirty = true; });
      list.append(r);
      return kIn;
    };
    for (const [k, v] of Object.entries(t.properties ?? {})) add(k, v);
    const addBtn = el('button', { type: 'button', class: 'btn' }, 'Add property');
    addBtn.addEventListener('click', () => add('', '').focus());
    const save = el('button', { type: 'submit', class: 'btn btn-primary', id: 'properties-save' }, 'Save properties');
    const f = el('form', { 'aria-labelledby': 'properties-title' }, list, el('div', { class: 'form-row' }, addBtn, save));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const properties = {};
      for (const r of list.children) {
        const k = r.querySelector('.prop-key').value.trim();
        const v = r.querySelector('.prop-value').value;
        if (k) properties[k] = v;
      }
      save.disabled = true;
      try {
        const t2 = await api(ctx.base, { method: 'PATCH', body: { properties } });
        propsDirty = false;
        propsShown = '';
        ctx.setTask(t2);
        showInfo('properties saved');
      } catch (err) {
        // shown in the banner
      } finally {
        save.disabled = false;
      }
    });
    propsBox.replaceChildren(el('h3', { class: 'panel-title', id: 'properties-title' }, 'User properties'),
      Object.keys(t.properties ?? {}).length ? '' : el('p', { class: 'muted' }, 'Free-form key/value notes (dataset version, …); editable in any state.'), f);
  }

  // ---------------------------------------------------------------- configuration objects
  async function loadConfigs() {
    configsBox.replaceChildren(el('h3', { class: 'panel-title' }, 'Configuration objects'));
    let items = [];
    try {
      items = (await api(`${ctx.base}/configs`, { quiet: true }))?.items ?? [];
    } catch (e) {
      configsBox.append(el('p', { class: 'error' }, `could not list configurations: ${e.message}`));
      return;
    }
    if (!items.length) {
      configsBox.append(empty('none (drover.log_config(name, dict) records one)'));
      return;
    }
    for (const c of items) {
      const pre = el('pre', { class: 'config-content' }, 'loading…');
      const d = el('details', { class: 'config', 'data-config': c.name },
        el('summary', {}, el('span', { class: 'mono' }, c.name), ' ', el('span', { class: 'muted' }, `${c.format} · ${c.size} bytes`)), pre);
      d.addEventListener('toggle', async () => {
        if (!d.open || d.dataset.loaded) return;
        d.dataset.loaded = '1';
        try {
          const full = await api(`${ctx.base}/configs/${encodeURIComponent(c.name)}`, { quiet: true });
          let text = full.content ?? '';
          if (full.format === 'json') {
            try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* show as stored */ }
          }
          pre.textContent = text;
        } catch (e) {
          pre.textContent = `could not load: ${e.message}`;
        }
      }, { once: false });
      configsBox.append(d);
    }
  }

  render(ctx.task);
  renderProps(ctx.task);
  loadConfigs();
  ctx.on('task', (t) => { render(t); renderProps(t); });
  return {};
}

// Artifacts tab: the task's files with size, type and hash; download links; previews of text (first
// 64 KiB), images and CSV/TSV (first rows as a table). Only the head of a big file is read.
import { api, fmtTime } from '../app.js';
import { el, empty, fmtBytes, copyButton, readHead, parseCsv } from './util.js';

const TEXT_EXT = /\.(txt|log|md|py|json|ya?ml|cfg|ini|toml|sh|js|java|xml|html?|conf|out|err|jsonl|ndjson)$/i;

/** 'image' | 'csv' | 'text' | null from the content type and the name. */
export function previewKind(a) {
  const type = (a.contentType ?? '').toLowerCase();
  if (type.startsWith('image/') || /\.(png|jpe?g|gif|webp|svg|bmp)$/i.test(a.name)) return 'image';
  if (type.includes('csv') || type.includes('tab-separated') || /\.(csv|tsv)$/i.test(a.name)) return 'csv';
  if (type.startsWith('text/') || type.includes('json') || type.includes('yaml') || type.includes('xml') || TEXT_EXT.test(a.name)) return 'text';
  return null;
}

export function mount(root, ctx) {
  const tbody = root.querySelector('#artifacts tbody');
  const preview = root.querySelector('#artifact-preview');
  let sig = '';
  const url = (name) => `/api/v1${ctx.base}/artifacts/${encodeURIComponent(name)}`;

  function render(items) {
    const s = JSON.stringify(items.map((a) => [a.name, a.sha256]));
    if (s === sig) return;
    sig = s;
    if (!items.length) {
      tbody.replaceChildren(el('tr', {}, el('td', { colspan: '6' }, empty('No artifacts (drover.upload_artifact(path) stores one).'))));
      return;
    }
    tbody.replaceChildren(...items.slice().sort((a, b) => a.name.localeCompare(b.name)).map((a) => {
      const kind = previewKind(a);
      const actions = el('td', { 'data-label': 'actions' });
      if (kind) {
        const b = el('button', { type: 'button', class: 'btn btn-small preview', 'aria-label': `preview ${a.name}` }, 'Preview');
        b.addEventListener('click', () => show(a, kind));
        actions.append(b);
      }
      actions.append(el('a', { class: 'btn btn-small download', href: url(a.name), download: a.name.split('/').pop(), 'aria-label': `download ${a.name}` }, 'Download'));
      return el('tr', { 'data-artifact': a.name },
        el('td', { class: 'name mono', 'data-label': 'name' }, a.name),
        el('td', { class: 'num', 'data-label': 'size' }, fmtBytes(a.size)),
        el('td', { 'data-label': 'type' }, a.contentType ?? ''),
        el('td', { 'data-label': 'sha-256' }, el('span', { class: 'mono', title: a.sha256 ?? '' }, (a.sha256 ?? '').slice(0, 12)), ' ', a.sha256 ? copyButton(a.sha256, `copy the SHA-256 of ${a.name}`) : ''),
        el('td', { 'data-label': 'created' }, fmtTime(a.createdAt)),
        actions);
    }));
  }

  async function show(a, kind) {
    const close = el('button', { type: 'button', class: 'btn btn-small', id: 'artifact-preview-close' }, 'Close');
    close.addEventListener('click', () => { preview.hidden = true; preview.replaceChildren(); });
    const body = el('div', { class: 'preview-body' }, el('p', { class: 'muted' }, 'loading…'));
    preview.replaceChildren(el('h3', { class: 'panel-title' }, 'Preview: ', el('span', { class: 'mono' }, a.name), el('span', { class: 'spacer' }),
      el('a', { class: 'btn btn-small', href: url(a.name), download: a.name.split('/').pop() }, 'Download'), close), body);
    preview.hidden = false;
    preview.dataset.artifact = a.name;
    if (kind === 'image') {
      body.replaceChildren(el('img', { src: url(a.name), alt: `artifact ${a.name}` }));
      preview.scrollIntoView({ block: 'nearest' });
      return;
    }
    try {
      const res = await fetch(url(a.name), { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      const { text, cut } = await readHead(res, kind === 'csv' ? 256 * 1024 : 64 * 1024);
      if (kind === 'csv') {
        const sep = /\.tsv$/i.test(a.name) || (a.contentType ?? '').includes('tab-separated') ? '\t' : ',';
        const rows = parseCsv(text, 51, sep);
        const [head, ...rest] = rows;
        body.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'compact csv-preview' },
          el('thead', {}, el('tr', {}, ...(head ?? []).map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, ...rest.map((r) => el('tr', {}, ...r.map((c) => el('td', { class: /^-?[\d.]+(e[-+]?\d+)?$/i.test(c) ? 'num' : null }, c))))))),
        el('p', { class: 'muted' }, `first ${rest.length} rows${cut || rows.length > 50 ? ' (download for the rest)' : ''}`));
      } else {
        let shown = text;
        if (!cut && (/json$/i.test(a.contentType ?? '') || /\.json$/i.test(a.name))) {
          try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* as stored */ }
        }
        body.replaceChildren(el('pre', {}, shown), cut ? el('p', { class: 'muted' }, `first ${fmtBytes(text.length)} of ${fmtBytes(a.size)} (download for the rest)`) : '');
      }
    } catch (e) {
      body.replaceChildren(el('p', { class: 'error' }, `could not preview: ${e.message}`));
    }
    preview.scrollIntoView({ block: 'nearest' });
  }

  async function load() {
    try {
      render((await api(`${ctx.base}/artifacts`, { quiet: true }))?.items ?? []);
    } catch (e) {
      render(ctx.task?.artifacts ?? []); // the task JSON has the same list, without dates
    }
  }

  let first = true;
  let lastCount = (ctx.task?.artifacts ?? []).length;
  ctx.on('task', (t) => {
    const n = (t.artifacts ?? []).map((a) => a.sha256).join();
    if (!first && n !== lastCount) { lastCount = n; load(); }
  });
  return {
    show() {
      if (!first) return;
      first = false;
      lastCount = (ctx.task?.artifacts ?? []).map((a) => a.sha256).join();
      load();
    },
  };
}

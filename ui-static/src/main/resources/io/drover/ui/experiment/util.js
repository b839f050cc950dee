// Small pieces the experiment tabs share. API data only ever goes in as text or attributes.
import { el } from '../dom.js';

export { el };

/** "1.2 MiB" from a byte count. */
export function fmtBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '';
  let v = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A panel with a heading: returns {box, body}; `tools` go to the heading's right. */
export function panel(title, ...tools) {
  const body = el('div', { class: 'panel-body' });
  const box = el('section', { class: 'panel' },
    el('h3', { class: 'panel-title' }, title, ...(tools.length ? [el('span', { class: 'spacer' }), ...tools] : [])), body);
  return { box, body };
}

/**
 * A two-column definition list from [label, value] pairs; values may be nodes; null/empty values
 * are left out unless `keepEmpty`.
 */
export function kvList(pairs, { keepEmpty = false, cls = 'kv-list' } = {}) {
  const dl = el('dl', { class: cls });
  for (const [k, v] of pairs) {
    if (!keepEmpty && (v === null || v === undefined || v === '')) continue;
    dl.append(el('dt', {}, k), el('dd', {}, v instanceof Node ? v : String(v)));
  }
  return dl;
}

/** A button that copies `text` and says so. */
export function copyButton(text, label = 'copy') {
  const b = el('button', { type: 'button', class: 'btn btn-small copy', 'aria-label': `${label}` }, 'copy');
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = 'copied';
    } catch (e) {
      b.textContent = 'select + Ctrl-C';
    }
    setTimeout(() => { b.textContent = 'copy'; }, 1500);
  });
  return b;
}

/** Marks each case-insensitive occurrence of `needle` in `text` with <mark> (as text nodes). */
export function highlight(text, needle) {
  if (!needle) return [document.createTextNode(text)];
  const out = [];
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  let i = 0;
  for (;;) {
    const j = lower.indexOf(n, i);
    if (j < 0) break;
    if (j > i) out.push(document.createTextNode(text.slice(i, j)));
    out.push(el('mark', {}, text.slice(j, j + n.length)));
    i = j + n.length;
  }
  if (i < text.length) out.push(document.createTextNode(text.slice(i)));
  return out;
}

/** An "empty" line for panels. */
export function empty(text) {
  return el('p', { class: 'empty-state' }, text);
}

/** A number for display, short but exact enough. */
export function fmtNumber(v) {
  if (v === null || v === undefined || v === '') return '';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e7)) return n.toExponential(4);
  return String(Number(n.toPrecision(6)));
}

/** Reads at most `max` bytes of a response body as text (a big artifact is not loaded whole). */
export async function readHead(res, max = 64 * 1024) {
  if (!res.body) return { text: (await res.text()).slice(0, max), cut: false };
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= max) { cut = true; reader.cancel().catch(() => {}); break; }
  }
  const all = new Uint8Array(Math.min(size, max));
  let off = 0;
  for (const c of chunks) {
    const take = Math.min(c.length, all.length - off);
    all.set(c.subarray(0, take), off);
    off += take;
    if (off >= all.length) break;
  }
  return { text: new TextDecoder('utf-8', { fatal: false }).decode(all), cut };
}

/** Minimal RFC 4180 CSV parser (quoted fields, doubled quotes, CRLF); stops after `maxRows` rows. */
export function parseCsv(text, maxRows = 50, sep = ',') {
  const rows = [];
  let row = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else q = false;
      } else field += c;
    } else if (c === '"' && field === '') q = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
      if (rows.length >= maxRows) return rows;
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// Tiny DOM helpers. Everything from the API goes in as text (textContent / attributes), never as HTML.

/** Creates an element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return e;
}

const STATUSES = new Set(['created', 'queued', 'running', 'completed', 'failed', 'aborted']);

/** A status badge whose CSS class comes only from the known statuses. */
export function statusBadge(status) {
  const cls = STATUSES.has(status) ? status : 'unknown';
  return el('span', { class: `status status-${cls}` }, status ?? '');
}

export function isFinal(status) {
  return status === 'completed' || status === 'failed' || status === 'aborted';
}

/** "1h 2m", "3m 4s", "5s" from two ISO instants (end defaults to now). */
export function duration(startIso, endIso) {
  if (!startIso) return '';
  const end = endIso ? Date.parse(endIso) : Date.now();
  const s = Math.max(0, Math.floor((end - Date.parse(startIso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** fetch + JSON with the API's error message on failure. */
export async function getJson(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body;
}

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

export const LOGIN_PAGE = '/ui/login.html';
const CSRF_KEY = 'drover.csrf';

/** The session's CSRF token, kept in sessionStorage by the login page (never in a cookie the server reads). */
export function csrfToken() {
  return sessionStorage.getItem(CSRF_KEY);
}

export function rememberCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

/** Sends the browser to the login page, coming back here afterwards. */
export function toLogin() {
  const back = location.pathname + location.search;
  location.assign(`${LOGIN_PAGE}?next=${encodeURIComponent(back)}`);
}

/**
 * fetch with the session cookie; state-changing methods carry X-CSRF-Token. A 401 (no or expired
 * session) goes to the login page; other errors throw with the API's message.
 */
export async function api(url, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    toLogin();
    throw new Error('not logged in');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message ?? `${res.status} ${res.statusText}`);
  return data;
}

/** GET + JSON with the API's error message on failure. */
export function getJson(url) {
  return api(url);
}

/** POST a JSON body (with the CSRF token). */
export function postJson(url, body = {}) {
  return api(url, { method: 'POST', body });
}

/** Fills the header's user slot (#who) and wires the logout button (#logout). */
export async function sessionHeader() {
  const who = document.getElementById('who');
  const button = document.getElementById('logout');
  try {
    const me = await getJson('/api/v1/auth/me');
    if (who) who.textContent = me.displayName || me.username || '';
    if (me.csrfToken && !csrfToken()) rememberCsrf(me.csrfToken);
  } catch (e) {
    if (who) who.textContent = '';
  }
  if (button) {
    button.addEventListener('click', async () => {
      try {
        await postJson('/api/v1/auth/logout');
      } catch (e) {
        // the session may be gone already; the login page is where we go either way
      }
      rememberCsrf(null);
      location.assign(LOGIN_PAGE);
    });
  }
}

// The dashboard shell every page shares: header + navigation + user menu, the API fetch helper
// (JSON, CSRF on writes, 401 → login, an error banner with the API's message) and live updates
// over Server-Sent Events with reconnect. Everything from the API goes into the DOM as text.
import { el, csrfToken, rememberCsrf, toLogin, LOGIN_PAGE } from './dom.js';

export { el } from './dom.js';

const API_PREFIX = '/api/v1';
const HIDDEN_GRACE_MS = 15000;

/** An API error: `code` is the API's error code (bad_request, conflict, …), `status` the HTTP status. */
export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** '/tasks?x' → '/api/v1/tasks?x'; paths already under /api/ (or absolute URLs) are kept. */
export function apiUrl(path) {
  if (/^https?:/.test(path) || path.startsWith('/api/')) return path;
  return API_PREFIX + (path.startsWith('/') ? path : `/${path}`);
}

/**
 * fetch + JSON against the API with the session cookie. Writes (POST/PUT/PATCH/DELETE) carry
 * X-CSRF-Token. A 401 sends the browser to the login page. Any other failure shows the API's
 * message in the page's error banner (unless `quiet`) and throws an ApiError.
 * opts: {method='GET', body (JSON-encoded unless a Blob/string with contentType), quiet, signal}.
 */
export async function api(path, opts = {}) {
  const { method = 'GET', body, quiet = false, signal, contentType } = opts;
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let payload;
  if (body !== undefined) {
    if (contentType) {
      headers['Content-Type'] = contentType;
      payload = body;
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  let res;
  try {
    res = await fetch(apiUrl(path), { method, headers, credentials: 'same-origin', body: payload, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    const err = new ApiError(`cannot reach the controller (${e.message}); check that it is running and reload`, 0, 'network');
    if (!quiet) showError(err.message);
    throw err;
  }
  if (res.status === 401) {
    toLogin();
    throw new ApiError('not logged in', 401, 'unauthorized');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const message = data?.error?.message ?? `${res.status} ${res.statusText}`;
    const err = new ApiError(message, res.status, data?.error?.code ?? 'http');
    if (!quiet) showError(`${method} ${path}: ${message}`);
    throw err;
  }
  return data;
}

// ---------------------------------------------------------------- error / info banner

function banner() {
  let b = document.getElementById('banner');
  if (!b) {
    b = el('div', { id: 'banner', class: 'banner', role: 'alert', hidden: '' });
    const main = document.querySelector('main');
    (main ?? document.body).prepend(b);
  }
  return b;
}

/** Shows `message` in the page's error banner (with a close button); replaces the previous one. */
export function showError(message) {
  showBanner(message, 'error');
}

/** An informational banner (e.g. "3 tasks aborted"), closed by the user or after a while. */
export function showInfo(message, ms = 6000) {
  showBanner(message, 'info');
  const b = banner();
  const stamp = String(Date.now());
  b.dataset.stamp = stamp;
  if (ms) setTimeout(() => { if (b.dataset.stamp === stamp) b.hidden = true; }, ms);
}

function showBanner(message, kind) {
  const b = banner();
  b.className = `banner banner-${kind}`;
  b.dataset.stamp = '';
  const close = el('button', { type: 'button', class: 'banner-close', 'aria-label': 'dismiss message' }, '×');
  close.addEventListener('click', () => { b.hidden = true; });
  b.replaceChildren(el('span', { class: 'banner-text' }, message), close);
  b.hidden = false;
}

export function clearBanner() {
  const b = document.getElementById('banner');
  if (b) b.hidden = true;
}

// ---------------------------------------------------------------- header, navigation, user menu

const NAV = [
  { key: 'experiments', href: '/ui/index.html', label: 'Experiments' },
  { key: 'queues', href: '/ui/queues.html', label: 'Queues' },
  { key: 'workers', href: '/ui/workers.html', label: 'Workers' },
];

let mePromise = null;

/** GET /auth/me once per page: {username, displayName, admin, kind, roles}. */
export function me() {
  mePromise ??= api('/auth/me', { quiet: true }).then((m) => {
    if (m?.csrfToken && !csrfToken()) rememberCsrf(m.csrfToken);
    return m;
  });
  return mePromise;
}

/**
 * Builds the shared header into the page's <header> (created when missing): brand, navigation
 * with `active` marked (aria-current), and a user menu with "log out". Keeps the ids #who and
 * #logout of the first dashboard. Returns the promise of the signed-in user.
 */
export function initShell(active) {
  let header = document.querySelector('body > header');
  if (!header) {
    header = el('header');
    document.body.prepend(header);
  }
  header.classList.add('app-header');
  const skip = el('a', { class: 'skip-link', href: '#main' }, 'Skip to content');
  const brand = el('a', { class: 'brand', href: '/ui/index.html' }, 'Drover');
  const nav = el('nav', { 'aria-label': 'main' });
  for (const item of NAV) {
    const a = el('a', { href: item.href, 'data-nav': item.key }, item.label);
    if (item.key === active) a.setAttribute('aria-current', 'page');
    nav.append(a);
  }
  const who = el('span', { id: 'who' });
  const logout = el('button', { type: 'button', id: 'logout' }, 'Log out');
  const menuButton = el('button', { type: 'button', id: 'user-menu-button', 'aria-haspopup': 'true', 'aria-expanded': 'false',
    'aria-controls': 'user-menu', class: 'user-button' }, who, el('span', { 'aria-hidden': 'true' }, ' ▾'));
  const menu = el('div', { id: 'user-menu', class: 'user-menu', hidden: '' },
    el('div', { id: 'who-detail', class: 'muted' }), logout);
  const session = el('div', { class: 'session' }, menuButton, menu);
  header.replaceChildren(skip, el('h1', {}, brand), nav, session);
  const main = document.querySelector('main');
  if (main && !main.id) main.id = 'main';

  const setOpen = (open) => {
    menu.hidden = !open;
    menuButton.setAttribute('aria-expanded', String(open));
    if (open) logout.focus();
  };
  menuButton.addEventListener('click', () => setOpen(menu.hidden));
  session.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !menu.hidden) { setOpen(false); menuButton.focus(); }
  });
  document.addEventListener('click', (e) => { if (!session.contains(e.target)) setOpen(false); });
  logout.addEventListener('click', logOut);

  return me().then((m) => {
    who.textContent = m?.displayName || m?.username || 'signed in';
    const detail = document.getElementById('who-detail');
    if (detail && m) detail.textContent = `Signed in as ${m.username ?? '?'}${m.admin ? ' (administrator)' : ''}`;
    if (m?.kind === 'local') {
      // auth is off on this controller: nobody to log out
      logout.hidden = true;
      if (detail) detail.textContent = 'Authentication is off on this controller.';
    }
    return m;
  }).catch(() => {
    who.textContent = 'signed in';
    return null;
  });
}

export async function logOut() {
  try {
    await api('/auth/logout', { method: 'POST', quiet: true });
  } catch (e) {
    // the session may be gone already; the login page is where we go either way
  }
  rememberCsrf(null);
  location.assign(LOGIN_PAGE);
}

// ---------------------------------------------------------------- live updates (SSE)

/**
 * Subscribes to GET /api/v1/stream with `params` ({project, task}) and calls `handlers[event](data)`
 * for each named event (task, log, scalars, report) with the parsed JSON. EventSource reconnects
 * by itself after a dropped connection; when the server refuses the stream (closed state) this
 * reconnects with backoff (1 s doubling to 30 s) and checks the session (401 → login).
 * handlers.open() runs on every (re)connect: refetch what may have been missed while away.
 * handlers.state(live: boolean) reports whether the stream is up (pages may poll slowly while not).
 * A tab hidden for more than 15 s closes its stream (a browser allows only ~6 connections per host
 * over HTTP/1.1, so idle tabs must not hold them) and reconnects when shown again — open() then
 * gets {reconnect: true}, so the page refetches what it missed. The same on leaving the page
 * (pagehide: closed at once) and coming back to it from the back/forward cache (pageshow).
 * Returns {close()}.
 */
export function subscribe(params, handlers = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== null && v !== undefined && v !== '') query.set(k, v);
  const url = `${API_PREFIX}/stream?${query}`;
  const events = Object.keys(handlers).filter((k) => !['open', 'error', 'state'].includes(k));
  let source = null;
  let closed = false;
  let delay = 1000;
  let timer = null;
  let everOpened = false;
  let live = null; // null until the first open or error, so the first state is always reported

  const setLive = (v) => {
    if (v === live) return;
    live = v;
    handlers.state?.(v);
  };

  let paused = false;
  let hiddenTimer = null;

  const connect = () => {
    if (closed || paused) return;
    source = new EventSource(url, { withCredentials: true });
    source.addEventListener('open', () => {
      delay = 1000;
      setLive(true);
      const reconnect = everOpened;
      everOpened = true;
      handlers.open?.({ reconnect });
    });
    for (const name of events) {
      source.addEventListener(name, (ev) => {
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch (e) {
          return; // not JSON: not an event of ours
        }
        try {
          handlers[name](data);
        } catch (e) {
          console.error(`handler for ${name} failed`, e);
        }
      });
    }
    source.addEventListener('error', () => {
      setLive(false);
      handlers.error?.();
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        // refused (401/403/404/5xx): is the session gone? api() goes to login on 401
        api('/auth/me', { quiet: true }).catch(() => {});
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      }
    });
  };
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      clearTimeout(hiddenTimer);
      hiddenTimer = setTimeout(() => {
        paused = true;
        clearTimeout(timer);
        source?.close();
        source = null;
      }, HIDDEN_GRACE_MS);
    } else {
      clearTimeout(hiddenTimer);
      if (paused) {
        paused = false;
        delay = 1000;
        connect();
      }
    }
  };
  // Leaving the page (link, back button) may keep it alive in the back/forward cache: its stream
  // must not stay open there, or a few pages later the browser's per-host connection limit
  // leaves the page being opened waiting. Close at once on pagehide; reconnect if it is shown again.
  const onPageHide = () => {
    paused = true;
    clearTimeout(timer);
    clearTimeout(hiddenTimer);
    source?.close();
    source = null;
  };
  const onPageShow = (ev) => {
    if (!ev.persisted || closed || !paused) return;
    paused = false;
    delay = 1000;
    connect();
  };
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('pagehide', onPageHide);
  window.addEventListener('pageshow', onPageShow);
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(hiddenTimer);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('pageshow', onPageShow);
      source?.close();
    },
    get live() { return live === true; },
  };
}

// ---------------------------------------------------------------- small shared helpers

/** Reads/writes a JSON value in localStorage (broken or missing → fallback). */
export const store = {
  get(key, fallback) {
    try {
      const v = localStorage.getItem(key);
      return v === null ? fallback : JSON.parse(v);
    } catch (e) {
      return fallback;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      // storage full or disabled: the choice just is not remembered
    }
  },
};

/** "5s ago", "3m ago", "2h ago", "4d ago" from an ISO instant. */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** A compact number for tables: 0.123457, 1.23e-7, 12345.7. */
export function fmtNum(v) {
  if (v === null || v === undefined || v === '') return '';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e7)) return n.toExponential(3);
  return String(Number(n.toPrecision(6)));
}

/** "2026-11-26 10:20:31" in the browser's time zone, from an ISO instant. */
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Calls fn at most every `ms` (trailing call kept). */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return (...args) => {
    const wait = last + ms - Date.now();
    if (wait <= 0) {
      last = Date.now();
      fn(...args);
    } else if (!timer) {
      timer = setTimeout(() => { timer = null; last = Date.now(); fn(...args); }, wait);
    }
  };
}

/** Re-runs `fn` every `ms` while the tab is visible (and once when it becomes visible again). */
export function every(ms, fn) {
  let timer = null;
  const tick = async () => {
    timer = null;
    if (document.visibilityState === 'visible') {
      try {
        await fn();
      } catch (e) {
        // fn shows its own errors
      }
    }
    timer = setTimeout(tick, ms);
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && timer) {
      clearTimeout(timer);
      tick();
    }
  });
  timer = setTimeout(tick, ms);
  return { stop() { clearTimeout(timer); timer = null; } };
}

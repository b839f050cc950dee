// Console tab: the task's log, tailed live. With the live stream up, each `log` event fetches the new
// lines (`/logs?after=`); without it, the logs long-poll (`wait=25`) does. A long console opens at its
// end (earlier lines on demand). Search asks the server (`/logs?search=`), matches are highlighted.
import { isFinal } from '../dom.js';
import { api, throttle } from '../app.js';
import { el, highlight } from './util.js';

const PAGE = 5000;          // lines per request when catching up
const MAX_DOM = 50000;      // lines kept in the page; older ones are dropped (download has them all)

/** "10:31:05.123" in the browser's time zone (the line's full ISO time is its tooltip). */
function clock(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (x, n = 2) => String(x).padStart(n, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function mount(root, ctx) {
  const box = root.querySelector('#console');
  const search = root.querySelector('#console-search');
  const info = root.querySelector('#console-info');
  const follow = root.querySelector('#console-follow');
  const wrap = root.querySelector('#console-wrap');
  root.querySelector('#console-download').href = `/api/v1${ctx.base}/logs/download`;
  root.querySelector('#console-download').setAttribute('download', `${ctx.id}.log`);

  // the tail lives here; while a search is shown it is kept off-page and keeps growing
  let tail = box;
  const stash = document.createElement('div');
  let cursor = 0;          // highest seq shown in the tail
  let first = 1;           // lowest seq shown in the tail
  let polling = null;      // AbortController of the long-poll loop
  let started = false;
  let searchState = null;  // {text, next, count, local}

  wrap.addEventListener('change', () => box.classList.toggle('wrap', wrap.checked));
  const time = root.querySelector('#console-time');
  time.addEventListener('change', () => box.classList.toggle('show-time', time.checked));
  follow.addEventListener('change', () => { if (follow.checked) box.scrollTop = box.scrollHeight; });

  const lineEl = (l, needle) => el('div', { class: l.stream === 'stderr' ? 'log-line stderr' : 'log-line', 'data-seq': l.seq, title: l.ts ?? '' },
    el('span', { class: 'ln', 'aria-hidden': 'true' }, String(l.seq)),
    el('span', { class: 'ts' }, clock(l.ts)),
    el('span', { class: 'text' }, ...highlight(l.text ?? '', needle)));

  function append(lines) {
    if (!lines.length) return;
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 24;
    const frag = document.createDocumentFragment();
    for (const l of lines) {
      if (l.seq <= cursor) continue; // a line fetched twice (event + poll racing) is shown once
      frag.append(lineEl(l));
      cursor = l.seq;
    }
    tail.querySelector('.log-empty')?.remove();
    tail.append(frag);
    let extra = tail.querySelectorAll('.log-line').length - MAX_DOM;
    while (extra-- > 0) {
      const oldest = tail.querySelector('.log-line');
      first = Number(oldest.dataset.seq) + 1;
      oldest.remove();
    }
    earlierButton();
    if (tail === box && follow.checked && atBottom) box.scrollTop = box.scrollHeight;
  }

  function earlierButton() {
    let b = tail.querySelector('.log-earlier');
    if (first <= 1) { b?.remove(); return; }
    if (!b) {
      b = el('button', { type: 'button', class: 'btn log-earlier' }, '');
      b.addEventListener('click', loadEarlier);
      tail.prepend(b);
    }
    b.textContent = `${first - 1} earlier lines — load ${Math.min(PAGE, first - 1)} more`;
  }

  async function loadEarlier() {
    const from = Math.max(0, first - 1 - PAGE);
    const page = await api(`${ctx.base}/logs?after=${from}&limit=${first - 1 - from}`, { quiet: true });
    const frag = document.createDocumentFragment();
    for (const l of page.lines) if (l.seq < first) frag.append(lineEl(l));
    const b = tail.querySelector('.log-earlier');
    const anchor = b ? b.nextSibling : tail.firstChild;
    const before = box.scrollHeight;
    tail.insertBefore(frag, anchor);
    first = from + 1;
    earlierButton();
    box.scrollTop += box.scrollHeight - before; // keep the line the user was reading in place
  }

  /** Does the log have a line with seq ≥ s? (seqs are 1.. without gaps) */
  async function exists(s) {
    const p = await api(`${ctx.base}/logs?after=${s - 1}&limit=1`, { quiet: true });
    return p.lines.length > 0;
  }

  /** Opens at the end: the first page, or, for a longer log, its last PAGE lines. */
  async function initial() {
    const p = await api(`${ctx.base}/logs?after=0&limit=${PAGE}`, { quiet: true });
    if (p.lines.length < PAGE) {
      append(p.lines);
      return p.status;
    }
    // find the last seq: double the step past the end, then bisect (≈ 2·log2(n / PAGE) tiny requests)
    let lo = p.lines[p.lines.length - 1].seq;
    let step = PAGE;
    let hi = lo + step;
    while (await exists(hi)) { lo = hi; step *= 2; hi = lo + step; }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await exists(mid)) lo = mid; else hi = mid;
    }
    const from = Math.max(0, lo - PAGE);
    first = from + 1;
    cursor = from;
    const last = await api(`${ctx.base}/logs?after=${from}&limit=${PAGE}`, { quiet: true });
    append(last.lines);
    return last.status;
  }

  /** New lines after the cursor (all pages). */
  async function catchUp() {
    for (;;) {
      const p = await api(`${ctx.base}/logs?after=${cursor}&limit=${PAGE}`, { quiet: true });
      append(p.lines);
      if (p.status && ctx.task && p.status !== ctx.task.status) ctx.refresh();
      if (p.lines.length < PAGE) return;
    }
  }
  const onLog = throttle(() => { catchUp().catch(() => {}); }, 250);

  /** The long-poll loop, used while the live stream is down; ends when it comes up or the task is final. */
  async function longPoll() {
    if (polling) return;
    const ctl = new AbortController();
    polling = ctl;
    let failures = 0;
    try {
      while (!ctl.signal.aborted && !ctx.live) {
        let p;
        try {
          p = await api(`${ctx.base}/logs?after=${cursor}&limit=${PAGE}&wait=25`, { quiet: true, signal: ctl.signal });
          failures = 0;
        } catch (e) {
          if (ctl.signal.aborted) return;
          failures++;
          await new Promise((r) => setTimeout(r, Math.min(30000, 1000 * 2 ** failures)));
          continue;
        }
        append(p.lines);
        if (p.status && ctx.task && p.status !== ctx.task.status) ctx.refresh();
        if (isFinal(p.status) && p.lines.length === 0) return;
      }
    } finally {
      if (polling === ctl) polling = null;
    }
  }

  function follower() {
    if (ctx.live) {
      polling?.abort();
      polling = null;
      onLog(); // lines stored while switching over
    } else if (ctx.task && !isFinal(ctx.task.status)) {
      longPoll();
    }
  }

  // ---------------------------------------------------------------- search

  function showTail() {
    if (tail === box) return;
    box.replaceChildren(...stash.childNodes);
    tail = box;
    searchState = null;
    info.textContent = '';
    box.scrollTop = box.scrollHeight;
  }

  async function runSearch(text, more = false) {
    if (!text) { showTail(); return; }
    if (tail === box) {
      stash.replaceChildren(...box.childNodes);
      tail = stash;
    }
    if (!more) {
      box.replaceChildren();
      searchState = { text, next: 0, count: 0, local: false };
    }
    const st = searchState;
    box.querySelector('.log-more')?.remove();
    info.textContent = 'searching…';
    let page;
    try {
      page = await api(`${ctx.base}/logs?search=${encodeURIComponent(text)}&after=${st.next}&limit=1000`, { quiet: true });
    } catch (e) {
      if (e.status !== 400) { info.textContent = `search failed: ${e.message}`; return; }
      // a controller without console search: filter the lines loaded here
      st.local = true;
      const needle = text.toLowerCase();
      const hits = [...stash.querySelectorAll('.log-line')].filter((n) => n.querySelector('.text').textContent.toLowerCase().includes(needle));
      box.replaceChildren(...hits.map((n) => lineEl({ seq: Number(n.dataset.seq), text: n.querySelector('.text').textContent,
        stream: n.classList.contains('stderr') ? 'stderr' : 'stdout', ts: n.title }, text)));
      info.textContent = `${hits.length} matching lines (searched the ${stash.querySelectorAll('.log-line').length} lines loaded here)`;
      return;
    }
    if (searchState !== st) return; // a newer search started meanwhile
    const frag = document.createDocumentFragment();
    for (const l of page.lines) frag.append(lineEl(l, text));
    box.append(frag);
    st.count += page.lines.length;
    st.next = page.next;
    const full = page.lines.length === 1000;
    info.textContent = `${st.count}${full ? '+' : ''} matching line${st.count === 1 ? '' : 's'}`;
    if (!st.count) box.append(el('p', { class: 'log-empty' }, `no line contains "${text}"`));
    if (full) {
      const more = el('button', { type: 'button', class: 'btn log-more' }, 'more matches');
      more.addEventListener('click', () => runSearch(text, true));
      box.append(more);
    }
  }

  let debounce = null;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => runSearch(search.value.trim()), 400);
  });
  root.querySelector('#console-tools').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(debounce);
    runSearch(search.value.trim());
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { search.value = ''; showTail(); }
  });

  // ---------------------------------------------------------------- start

  async function start() {
    if (started) return;
    started = true;
    box.replaceChildren(el('p', { class: 'log-empty muted' }, 'loading…'));
    try {
      await initial();
      if (!box.querySelector('.log-line')) box.replaceChildren(el('p', { class: 'log-empty muted' }, 'no output yet'));
      box.scrollTop = box.scrollHeight;
    } catch (e) {
      box.replaceChildren(el('p', { class: 'log-empty error' }, `could not read the console: ${e.message}`));
    }
    follower();
  }

  ctx.on('live', follower);
  ctx.on('log', () => { if (ctx.live) onLog(); });
  ctx.on('task', (t) => {
    if (isFinal(t.status) && started) onLog(); // the last lines of a run that just ended
    else if (started) follower();
  });
  return {
    show() {
      start();
      if (follow.checked && tail === box) box.scrollTop = box.scrollHeight;
    },
  };
}

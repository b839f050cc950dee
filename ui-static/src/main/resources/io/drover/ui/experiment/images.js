// Debug images tab: GET /tasks/{id}/images (newest first, paged), grouped by metric, one card per
// variant showing one iteration at a time with a slider; a shared slider moves every card to the
// nearest iteration at or before it. New images (live `report` events of kind image) are picked up.
import { api, throttle, fmtTime } from '../app.js';
import { el, empty, fmtBytes } from './util.js';

const MAX_ITEMS = 3000;

export function mount(root, ctx) {
  const box = root.querySelector('#images');
  let groups = new Map(); // "metric\0variant" → {metric, variant, items (ascending iter), index, card parts}
  let allIters = [];
  let sig = '';
  const url = (seq) => `/api/v1${ctx.base}/images/${encodeURIComponent(seq)}`;

  const tools = el('div', { class: 'image-tools' });
  const filter = el('input', { type: 'search', id: 'images-filter', placeholder: 'filter metric / variant', autocomplete: 'off' });
  const global = el('input', { type: 'range', id: 'images-iter', min: '0', max: '0', step: '1', value: '0' });
  const globalOut = el('output', { for: 'images-iter', id: 'images-iter-value' }, '');
  tools.append(
    el('label', { for: 'images-filter' }, 'Filter'), filter,
    el('label', { for: 'images-iter' }, 'Iteration (all)'), global, globalOut,
    el('span', { id: 'images-count', class: 'muted', role: 'status' }, ''));
  const grid = el('div', { id: 'image-groups' });

  async function fetchAll() {
    const items = [];
    let before = null;
    while (items.length < MAX_ITEMS) {
      const q = new URLSearchParams({ limit: '100' });
      if (before !== null) q.set('before', String(before));
      const page = await api(`${ctx.base}/images?${q}`, { quiet: true });
      items.push(...(page?.items ?? []));
      if (page?.next === null || page?.next === undefined || !(page?.items ?? []).length) break;
      before = page.next;
    }
    return items;
  }

  function setIndex(g, i) {
    g.index = Math.max(0, Math.min(g.items.length - 1, i));
    const it = g.items[g.index];
    g.slider.value = String(g.index);
    g.img.src = url(it.seq);
    g.img.alt = `${g.metric} ${g.variant} at iteration ${it.iter}`;
    g.link.href = url(it.seq);
    g.caption.textContent = `iteration ${it.iter} · ${g.index + 1} of ${g.items.length} · ${fmtBytes(it.size)} · ${fmtTime(it.ts)}`;
    g.slider.setAttribute('aria-valuetext', `iteration ${it.iter}`);
    g.card.dataset.iter = String(it.iter);
  }

  function card(g) {
    const sid = `img-${Math.random().toString(36).slice(2, 9)}`;
    g.img = el('img', { loading: 'lazy', decoding: 'async', alt: '' });
    // small debug samples (MNIST-sized) are scaled up with crisp pixels
    g.img.addEventListener('load', () => g.img.classList.toggle('upscaled', g.img.naturalWidth > 0 && g.img.naturalWidth < 200));
    g.link = el('a', { href: '#', target: '_blank', rel: 'noopener', class: 'frame', title: 'open full size' }, g.img);
    g.slider = el('input', { type: 'range', id: sid, min: '0', max: String(g.items.length - 1), step: '1' });
    g.caption = el('span', { class: 'muted' }, '');
    g.card = el('section', { class: 'image-card', 'data-metric': g.metric, 'data-variant': g.variant },
      el('h3', {}, g.variant || g.metric),
      g.link,
      el('div', { class: 'slider' }, el('label', { for: sid }, 'iteration'), g.slider),
      g.caption);
    g.slider.disabled = g.items.length < 2;
    g.slider.addEventListener('input', () => setIndex(g, Number(g.slider.value)));
    setIndex(g, g.index ?? g.items.length - 1);
    return g.card;
  }

  function render(items) {
    const next = new Map();
    for (const it of items) {
      const key = `${it.metric}\u0000${it.variant ?? ''}`;
      if (!next.has(key)) next.set(key, { metric: it.metric, variant: it.variant ?? '', items: [] });
      next.get(key).items.push(it);
    }
    for (const [key, g] of next) {
      g.items.sort((a, b) => a.iter - b.iter || a.seq - b.seq);
      const old = groups.get(key);
      // a card left at its newest image follows new ones; one the user moved stays where it was
      const wasLast = !old || old.index === old.items.length - 1;
      const keepIter = old && !wasLast ? old.items[old.index].iter : null;
      g.index = keepIter === null ? g.items.length - 1 : Math.max(0, g.items.findIndex((x) => x.iter >= keepIter));
    }
    groups = next;
    allIters = [...new Set(items.map((i) => i.iter))].sort((a, b) => a - b);
    global.max = String(Math.max(0, allIters.length - 1));
    global.value = global.max;
    global.disabled = allIters.length < 2;
    globalOut.textContent = allIters.length ? String(allIters[allIters.length - 1]) : '';
    document.getElementById('images-count').textContent = `${items.length} image${items.length === 1 ? '' : 's'}${items.length >= MAX_ITEMS ? ' (newest shown)' : ''}`;

    const byMetric = new Map();
    for (const g of groups.values()) {
      if (!byMetric.has(g.metric)) byMetric.set(g.metric, []);
      byMetric.get(g.metric).push(g);
    }
    const sections = [...byMetric.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([metric, gs]) =>
      el('section', { class: 'image-metric', 'data-metric': metric },
        el('h3', { class: 'section-title' }, metric),
        el('div', { class: 'image-grid' }, ...gs.sort((a, b) => a.variant.localeCompare(b.variant)).map(card))));
    grid.replaceChildren(...sections);
    applyFilter();
  }

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    for (const g of groups.values()) g.card.hidden = Boolean(q) && !`${g.metric} ${g.variant}`.toLowerCase().includes(q);
    for (const s of grid.querySelectorAll('.image-metric')) s.hidden = ![...s.querySelectorAll('.image-card')].some((c) => !c.hidden);
  }
  filter.addEventListener('input', applyFilter);

  global.addEventListener('input', () => {
    const target = allIters[Number(global.value)];
    globalOut.textContent = String(target);
    for (const g of groups.values()) {
      // the last image at or before the chosen iteration (or the first one after it)
      let i = -1;
      for (let k = 0; k < g.items.length && g.items[k].iter <= target; k++) i = k;
      setIndex(g, i < 0 ? 0 : i);
    }
  });

  async function load() {
    let items;
    try {
      items = await fetchAll();
    } catch (e) {
      box.replaceChildren(el('p', { class: 'error' }, `could not list debug images: ${e.message}`));
      return;
    }
    const s = JSON.stringify(items.map((i) => i.seq));
    if (s === sig) return;
    sig = s;
    if (!items.length) {
      box.replaceChildren(empty('No debug images yet (drover.log_image(title, series, iteration, image) or matplotlib figures).'));
      groups = new Map();
      return;
    }
    if (!box.contains(grid)) box.replaceChildren(tools, grid);
    render(items);
  }

  const reload = throttle(load, 3000);
  ctx.on('report', (d) => { if (d?.kind === 'image') reload(); });

  let first = true;
  return {
    show() {
      if (!first) return;
      first = false;
      box.replaceChildren(el('p', { class: 'muted' }, 'loading…'));
      load();
    },
  };
}

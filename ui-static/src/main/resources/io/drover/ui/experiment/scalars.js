// Scalars tab: one chart per metric with its variants overlaid (chart.js on uPlot), shared controls
// (smoothing, x = iteration / wall time, log scale), a metric filter. A chart loads when it scrolls
// into view; live `scalars` events redraw the charts they name, at most every 2 s each.
import { isFinal } from '../dom.js';
import { api, store, throttle, every } from '../app.js';
import { createChart, chartControls, fetchScalar, scalarSeries } from '../chart.js';
import { el, empty } from './util.js';

const OPTS_KEY = 'drover.experiment.chartOptions';

export function mount(root, ctx) {
  const grid = root.querySelector('#scalars');
  const filter = root.querySelector('#scalar-filter');
  let options = { smoothing: 0, xMode: 'iter', log: false, ...store.get(OPTS_KEY, {}) };
  const cards = new Map(); // metric → {card, chart, variants:[…], visible, loaded, refresh}
  let list = [];           // GET /scalars items
  let listSig = '';

  root.querySelector('#scalar-controls').replaceChildren(chartControls(options, (o) => {
    options = o;
    store.set(OPTS_KEY, o);
    for (const c of cards.values()) {
      c.chart.setOptions(o);
      if (c.loaded) c.refresh(true); // x mode changes what the server sends
    }
  }, 'scalars'));

  const io = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        const c = cards.get(e.target.dataset.metric);
        if (!c) continue;
        c.visible = e.isIntersecting;
        if (c.visible && (!c.loaded || c.stale)) c.refresh(true);
      }
    }, { rootMargin: '300px' })
    : null;

  function card(metric) {
    const chartBox = el('div', { class: 'chart', 'data-series': metric, 'data-points': '0' });
    const sub = el('span', { class: 'muted' }, '');
    const box = el('section', { class: 'chart-card', 'data-metric': metric, 'aria-label': `chart ${metric}` },
      el('h3', {}, metric, sub), chartBox);
    const chart = createChart(chartBox, { title: metric, ...options });
    const c = { card: box, chart, sub, variants: [], visible: !io, loaded: false, stale: false, loading: false };
    let lastX = null;
    const load = async () => {
      if (c.loading) { c.stale = true; return; }
      c.loading = true;
      c.stale = false;
      try {
        const x = options.xMode;
        const resps = await Promise.all(c.variants.map((v) => fetchScalar(ctx.id, metric, v.variant, { x })));
        const series = resps.map((r, i) => ({
          key: `${metric}/${c.variants[i].variant}`,
          label: c.variants[i].variant || metric,
          data: scalarSeries(r, x),
        }));
        lastX = x;
        await chart.setSeries(series);
        c.loaded = true;
        const n = c.variants.reduce((a, v) => a + (v.count ?? 0), 0);
        const ds = resps.some((r) => r.downsampled);
        sub.textContent = `${n.toLocaleString()} point${n === 1 ? '' : 's'}${ds ? ' · downsampled, band = min…max' : ''}`;
      } catch (e) {
        sub.textContent = `could not load: ${e.message}`;
      } finally {
        c.loading = false;
        if (c.stale && c.visible) setTimeout(() => c.refresh(true), 0);
      }
    };
    const throttled = throttle(load, 2000);
    c.refresh = (now = false) => {
      if (!c.visible) { c.stale = true; return; }
      if (now || lastX !== options.xMode) load(); else throttled();
    };
    io?.observe(box);
    return c;
  }

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    for (const [m, c] of cards) c.card.hidden = Boolean(q) && !m.toLowerCase().includes(q);
  }
  filter.addEventListener('input', applyFilter);

  /** Reads the series list; adds charts for new metrics; returns the metrics whose series changed. */
  async function loadList() {
    let items;
    try {
      items = (await api(`${ctx.base}/scalars`, { quiet: true }))?.items ?? [];
    } catch (e) {
      grid.replaceChildren(el('p', { class: 'error' }, `could not list the scalars: ${e.message}`));
      return [];
    }
    const sig = JSON.stringify(items.map((i) => [i.metric, i.variant, i.count, i.last]));
    if (sig === listSig) return [];
    const before = new Map(list.map((i) => [`${i.metric}\u0000${i.variant}`, i]));
    listSig = sig;
    list = items;
    const byMetric = new Map();
    for (const i of items) {
      if (!byMetric.has(i.metric)) byMetric.set(i.metric, []);
      byMetric.get(i.metric).push(i);
    }
    if (!items.length) {
      grid.replaceChildren(empty('No scalars yet. Report them with drover.log_scalar(...) or print "::drover metric name=loss series=train iter=N value=X".'));
      return [];
    }
    grid.querySelector('.empty-state')?.remove();
    const changed = [];
    for (const [metric, variants] of byMetric) {
      let c = cards.get(metric);
      if (!c) {
        c = card(metric);
        cards.set(metric, c);
        grid.append(c.card);
      }
      const moved = variants.some((v) => {
        const b = before.get(`${v.metric}\u0000${v.variant}`);
        return !b || b.count !== v.count || b.last !== v.last;
      }) || variants.length !== c.variants.length;
      c.variants = variants;
      if (moved) changed.push(metric);
    }
    applyFilter();
    return changed;
  }

  const reloadList = throttle(async () => {
    for (const m of await loadList()) cards.get(m)?.refresh();
  }, 2000);

  ctx.on('scalars', (d) => {
    // series are "metric/variant" (or "metric"); a new one needs the list first
    const names = d?.series ?? [];
    let unknown = false;
    for (const s of names) {
      const hit = list.find((i) => (i.variant ? `${i.metric}/${i.variant}` : i.metric) === s);
      if (hit) cards.get(hit.metric)?.refresh(); else unknown = true;
    }
    if (unknown || !names.length) reloadList();
  });
  // without the stream, a running task's charts follow by polling the (cheap) series list
  const poll = every(10000, async () => {
    if (!ctx.live && ctx.task && !isFinal(ctx.task.status) && !root.hidden) reloadList();
  });
  ctx.on('task', (t) => { if (isFinal(t.status)) reloadList(); });

  let first = true;
  return {
    async show() {
      if (first) {
        first = false;
        grid.replaceChildren(el('p', { class: 'muted' }, 'loading…'));
        await loadList();
        grid.querySelector(':scope > p.muted')?.remove();
        for (const c of cards.values()) if (!io) c.refresh(true);
      } else {
        for (const c of cards.values()) { c.chart.resize(); if (c.stale && c.visible) c.refresh(true); }
      }
    },
    hide() {},
    poll,
  };
}

// Plots tab: the task's debug plots (JSON specs), one card per title (+series) with an iteration
// picker, and its text reports. line/scatter/bar/histogram are drawn with uPlot, confusion matrices
// and tables as DOM tables. Spec shapes accepted (the viewer's side of `log_plot`):
//   line|scatter: {x:[…], y:[…]} | {y:[…]} | {series:[{name, x, y}]} | {points:[[x, y], …]}; xLabel, yLabel
//   bar:          {labels:[…], values:[…]} | {x:[…], y:[…]} | {labels, series:[{name, values|y}]}
//   histogram:    {values:[…], bins?: n} (binned here) | {edges:[n+1], counts:[n]} | {x, y}
//   confusion:    {labels:[…], matrix:[[…]]} (rows = actual, columns = predicted) | {x, y, z}
//   table:        {columns:[…], rows:[[…]]} | {rows:[{col: v}]} | {data:[{col: v}]}
// Anything else is shown as its JSON.
import { api, throttle, fmtTime } from '../app.js';
import { xyChart } from '../chart.js';
import { el, empty, fmtNumber } from './util.js';

const MAX_ITEMS = 500;

export function mount(root, ctx) {
  const plotsBox = root.querySelector('#plots');
  const textsBox = root.querySelector('#texts');

  async function listAll(kind) {
    const items = [];
    let before = null;
    while (items.length < MAX_ITEMS) {
      const q = new URLSearchParams({ limit: '100' });
      if (before !== null) q.set('before', String(before));
      const page = await api(`${ctx.base}/${kind}?${q}`, { quiet: true });
      items.push(...(page?.items ?? []));
      if (page?.next === null || page?.next === undefined) break;
      before = page.next;
    }
    return items;
  }

  async function loadPlots() {
    let items;
    try {
      items = await listAll('plots');
    } catch (e) {
      plotsBox.replaceChildren(el('p', { class: 'error' }, `could not list plots: ${e.message}`));
      return;
    }
    if (!items.length) {
      plotsBox.replaceChildren(el('h3', { class: 'section-title' }, 'Plots'), empty('No plots yet (drover.log_plot(title, kind, spec)).'));
      return;
    }
    // one card per title + series; items come newest first
    const groups = new Map();
    for (const it of items) {
      const key = `${it.title}\u0000${it.series ?? ''}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(it);
    }
    const grid = el('div', { class: 'plot-grid' });
    for (const list of [...groups.values()].sort((a, b) => a[0].title.localeCompare(b[0].title))) grid.append(plotCard(list));
    plotsBox.replaceChildren(el('h3', { class: 'section-title' }, `Plots (${items.length})`), grid);
  }

  function plotCard(list) {
    const head = list[0];
    const body = el('div', { class: 'plot-body' });
    const title = el('h3', {}, head.title, head.series ? el('span', { class: 'muted' }, head.series) : '', el('span', { class: 'muted' }, head.kind));
    const card = el('section', { class: 'plot-card', 'data-plot': head.title, 'data-kind': head.kind }, title, body);
    const show = async (item) => {
      body.replaceChildren(el('p', { class: 'muted' }, 'loading…'));
      try {
        const full = await api(`${ctx.base}/plots/${item.seq}`, { quiet: true });
        body.replaceChildren();
        await renderPlot(body, full.kind, full.spec ?? {}, full.title);
      } catch (e) {
        body.replaceChildren(el('p', { class: 'error' }, `could not draw this plot: ${e.message}`));
      }
    };
    if (list.length > 1) {
      const id = `plot-iter-${head.seq}`;
      const select = el('select', { id });
      for (const it of list) select.append(el('option', { value: String(it.seq) }, it.iter !== null && it.iter !== undefined ? `iteration ${it.iter}` : fmtTime(it.ts)));
      select.addEventListener('change', () => show(list.find((it) => String(it.seq) === select.value)));
      title.append(el('label', { for: id, class: 'sr-only' }, `${head.title}: version`), select);
    } else if (head.iter !== null && head.iter !== undefined) {
      title.append(el('span', { class: 'muted' }, `iteration ${head.iter}`));
    }
    // draw when visible: a task may have hundreds of plots
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { io.disconnect(); show(head); }
    }, { rootMargin: '200px' });
    io.observe(card);
    return card;
  }

  async function loadTexts() {
    let items;
    try {
      items = await listAll('texts');
    } catch (e) {
      textsBox.replaceChildren(el('p', { class: 'error' }, `could not list text reports: ${e.message}`));
      return;
    }
    if (!items.length) { textsBox.replaceChildren(); return; }
    const list = el('div', { class: 'texts' });
    items.forEach((it, i) => {
      const pre = el('pre', { class: 'text-report' }, 'loading…');
      const d = el('details', { class: 'panel', 'data-text': it.title },
        el('summary', {}, el('strong', {}, it.title), ' ', el('span', { class: 'muted' }, it.iter !== null && it.iter !== undefined ? `iteration ${it.iter} · ${fmtTime(it.ts)}` : fmtTime(it.ts))), pre);
      const load = async () => {
        if (d.dataset.loaded) return;
        d.dataset.loaded = '1';
        try {
          pre.textContent = (await api(`${ctx.base}/texts/${it.seq}`, { quiet: true })).text ?? '';
        } catch (e) {
          pre.textContent = `could not load: ${e.message}`;
        }
      };
      d.addEventListener('toggle', () => { if (d.open) load(); });
      if (i < 3) d.open = true;
      list.append(d);
    });
    textsBox.replaceChildren(el('h3', { class: 'section-title' }, `Text reports (${items.length})`), list);
  }

  const reload = throttle(() => { loadPlots(); loadTexts(); }, 3000);
  ctx.on('report', (d) => { if (!d?.kind || d.kind === 'plot' || d.kind === 'text') reload(); });

  let first = true;
  return {
    show() {
      if (!first) return;
      first = false;
      plotsBox.replaceChildren(el('p', { class: 'muted' }, 'loading…'));
      loadPlots();
      loadTexts();
    },
  };
}

// ------------------------------------------------------------------ spec → drawing

const nums = (a) => (Array.isArray(a) ? a.map((v) => (v === null || v === '' ? null : Number(v))) : null);
const isNumArray = (a) => Array.isArray(a) && a.length > 0 && a.every((v) => v === null || Number.isFinite(Number(v)));

/** Series [{label, x, y}] from a line/scatter spec; pairs sorted by x (uPlot needs ascending x). */
export function xySeries(spec) {
  let list = [];
  if (Array.isArray(spec.series)) {
    list = spec.series.map((s, i) => ({ label: String(s.name ?? s.label ?? `series ${i + 1}`), x: nums(s.x), y: nums(s.y ?? s.values) }));
  } else if (Array.isArray(spec.points)) {
    list = [{ label: String(spec.name ?? spec.label ?? 'y'), x: spec.points.map((p) => Number(p[0])), y: spec.points.map((p) => Number(p[1])) }];
  } else if (Array.isArray(spec.y) && Array.isArray(spec.y[0])) {
    const names = spec.labels ?? spec.names ?? [];
    list = spec.y.map((ys, i) => ({ label: String(names[i] ?? `series ${i + 1}`), x: nums(spec.x), y: nums(ys) }));
  } else if (Array.isArray(spec.y)) {
    list = [{ label: String(spec.name ?? spec.label ?? spec.yLabel ?? 'y'), x: nums(spec.x), y: nums(spec.y) }];
  }
  return list.filter((s) => s.y).map((s) => {
    const x = isNumArray(s.x) && s.x.length === s.y.length ? s.x : s.y.map((_, i) => i);
    const pairs = x.map((v, i) => [v, s.y[i]]).filter(([v]) => Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
    return { label: s.label, x: pairs.map((p) => p[0]), y: pairs.map((p) => p[1]) };
  });
}

/** Equal-width bins of raw values → {centers, counts, edges}. */
export function histogram(values, bins = 30) {
  const v = values.map(Number).filter(Number.isFinite);
  if (!v.length) return { centers: [], counts: [], edges: [] };
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const n = Math.max(1, Math.min(1000, Math.floor(bins)));
  const w = (hi - lo) / n;
  const counts = new Array(n).fill(0);
  for (const x of v) counts[Math.min(n - 1, Math.floor((x - lo) / w))]++;
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + i * w);
  return { centers: counts.map((_, i) => lo + (i + 0.5) * w), counts, edges };
}

async function renderPlot(body, kind, spec, title) {
  const chartBox = el('div', { class: 'chart plot-chart' });
  const xLabel = spec.xLabel ?? spec.xlabel ?? spec.xTitle ?? '';
  const yLabel = spec.yLabel ?? spec.ylabel ?? spec.yTitle ?? '';
  if (kind === 'line' || kind === 'scatter') {
    const series = xySeries(spec);
    if (!series.length) return raw(body, spec, 'no x/y data in this spec');
    body.append(chartBox);
    await xyChart(chartBox, { kind, series, xLabel, yLabel, title });
    return;
  }
  if (kind === 'bar') {
    let labels = spec.labels ?? spec.categories ?? (Array.isArray(spec.x) && !isNumArray(spec.x) ? spec.x : null);
    let series;
    if (Array.isArray(spec.series)) series = spec.series.map((s, i) => ({ label: String(s.name ?? s.label ?? `series ${i + 1}`), y: nums(s.values ?? s.y) }));
    else series = [{ label: String(spec.name ?? yLabel ?? 'value'), y: nums(spec.values ?? spec.y) }];
    series = series.filter((s) => s.y);
    if (!series.length) return raw(body, spec, 'no values in this bar spec');
    const n = Math.max(...series.map((s) => s.y.length));
    const numericX = !labels && isNumArray(spec.x) && spec.x.length === n;
    const x = numericX ? nums(spec.x) : Array.from({ length: n }, (_, i) => i);
    labels = labels ? labels.map(String) : null;
    body.append(chartBox);
    await xyChart(chartBox, { kind: 'bar', series: series.map((s) => ({ label: s.label, x, y: s.y })), xLabel, yLabel, title, xTicks: labels });
    return;
  }
  if (kind === 'histogram') {
    let x; let y;
    if (isNumArray(spec.counts)) {
      const edges = nums(spec.edges ?? (Array.isArray(spec.bins) ? spec.bins : null));
      y = nums(spec.counts);
      x = edges && edges.length === y.length + 1 ? y.map((_, i) => (edges[i] + edges[i + 1]) / 2) : (isNumArray(spec.x) ? nums(spec.x) : y.map((_, i) => i));
    } else if (isNumArray(spec.values)) {
      const h = histogram(spec.values, Number(spec.bins) || 30);
      x = h.centers;
      y = h.counts;
    } else if (isNumArray(spec.y)) {
      y = nums(spec.y);
      x = isNumArray(spec.x) && spec.x.length === y.length ? nums(spec.x) : y.map((_, i) => i);
    } else return raw(body, spec, 'no values or counts in this histogram spec');
    body.append(chartBox);
    await xyChart(chartBox, { kind: 'bar', series: [{ label: spec.name ?? 'count', x, y }], xLabel, yLabel: yLabel || 'count', title });
    return;
  }
  if (kind === 'confusion') return confusion(body, spec);
  if (kind === 'table') return table(body, spec);
  return raw(body, spec, `unknown plot kind ${kind}`);
}

function raw(body, spec, why) {
  body.append(el('p', { class: 'muted' }, why), el('pre', { class: 'text-report' }, JSON.stringify(spec, null, 2)));
}

function confusion(body, spec) {
  const m = spec.matrix ?? spec.z ?? spec.values;
  if (!Array.isArray(m) || !m.every(Array.isArray)) return raw(body, spec, 'no matrix in this confusion spec');
  const cols = (spec.labels ?? spec.x ?? m[0].map((_, i) => String(i))).map(String);
  const rows = (spec.yLabels ?? spec.y ?? spec.labels ?? m.map((_, i) => String(i))).map(String);
  let max = 0;
  for (const r of m) for (const v of r) max = Math.max(max, Number(v) || 0);
  const total = m.reduce((a, r) => a + r.reduce((b, v) => b + (Number(v) || 0), 0), 0);
  const diag = m.reduce((a, r, i) => a + (Number(r[i]) || 0), 0);
  const head = el('tr', {}, el('th', { scope: 'col' }, el('span', { class: 'muted' }, 'actual ↓ / predicted →')), ...cols.map((c) => el('th', { scope: 'col' }, c)));
  const tbody = el('tbody');
  m.forEach((r, i) => {
    tbody.append(el('tr', {}, el('th', { scope: 'row' }, rows[i] ?? String(i)), ...r.map((v, j) => {
      const a = max ? (Number(v) || 0) / max : 0;
      // the cell's colour is computed from a number only; text stays dark or light for contrast
      const bg = i === j ? `rgba(23,105,47,${(0.1 + 0.8 * a).toFixed(3)})` : `rgba(161,22,10,${(0.75 * a).toFixed(3)})`;
      const fg = a > 0.55 ? '#fff' : '#1d2330';
      return el('td', { style: `background:${bg};color:${fg}` }, fmtNumber(v));
    })));
  });
  body.append(el('div', { class: 'table-wrap' }, el('table', { class: 'compact confusion' }, el('thead', {}, head), tbody)),
    el('p', { class: 'muted' }, total ? `accuracy ${(100 * diag / total).toFixed(1)} % (${diag} of ${total})` : ''));
}

function table(body, spec) {
  let columns = spec.columns ?? spec.headers ?? spec.header;
  let rows = spec.rows ?? spec.data ?? spec.values;
  if (!Array.isArray(rows)) return raw(body, spec, 'no rows in this table spec');
  if (rows.length && !Array.isArray(rows[0]) && typeof rows[0] === 'object') {
    columns = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r ?? {})))];
    rows = rows.map((r) => columns.map((c) => r?.[c]));
  }
  columns = (columns ?? (rows[0] ?? []).map((_, i) => `col ${i + 1}`)).map(String);
  const shown = rows.slice(0, 1000);
  const cell = (v) => (typeof v === 'number' ? el('td', { class: 'num' }, fmtNumber(v))
    : el('td', {}, v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)));
  body.append(el('div', { class: 'table-wrap' }, el('table', { class: 'compact data-table' },
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, ...shown.map((r) => el('tr', {}, ...(Array.isArray(r) ? r : [r]).map(cell)))))));
  if (rows.length > shown.length) body.append(el('p', { class: 'muted' }, `first ${shown.length} of ${rows.length} rows`));
}

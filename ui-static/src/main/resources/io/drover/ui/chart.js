// Scalar and x/y charts on uPlot (served as a WebJar, a global `uPlot` after its classic script).
// Used by the experiment page (task.html) and the compare page (compare.html).
//
//   import { loadUPlot, fetchScalar, scalarSeries, createChart, chartControls } from './chart.js';
//   const chart = createChart(container, { title: 'loss' });
//   const resp = await fetchScalar(taskId, 'loss', 'train', { x: 'iter' });
//   chart.setSeries([{ key: 'loss/train', label: 'train', data: scalarSeries(resp, 'iter') }]);
//   chart.setOptions({ smoothing: 0.6, xMode: 'time', log: true });
//
// A downsampled series (buckets with min/max/avg) is drawn as its average with a min..max band, so a
// spike inside a bucket stays visible. The container gets data-points = points drawn (main lines).
// Nothing from the API is ever parsed as HTML: labels go in as text.
import { el, getJson } from './dom.js';

const UPLOT_BASE = '/webjars/uplot/1.6.30/dist';

/** Distinct, colour-blind-friendlier line colours (Okabe-Ito first, then Tableau). */
export const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#7f7f7f',
  '#b8860b', '#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

/** Tick steps for an iteration axis: 1, 2, 5, 10, 20, 50, … (never 2.5). */
const ITER_INCRS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

let uplotPromise = null;

/**
 * Loads uPlot's script and stylesheet once (no-op when the page already has a `<script>` for it) and
 * adds the small stylesheet of the chart's own parts (legend, readout). Resolves to the uPlot class.
 */
export function loadUPlot() {
  if (uplotPromise) return uplotPromise;
  injectChartStyle();
  if (!document.querySelector(`link[href^="${UPLOT_BASE}/uPlot.min.css"]`)) {
    document.head.append(el('link', { rel: 'stylesheet', href: `${UPLOT_BASE}/uPlot.min.css` }));
  }
  if (window.uPlot) {
    uplotPromise = Promise.resolve(window.uPlot);
    return uplotPromise;
  }
  uplotPromise = new Promise((resolve, reject) => {
    let script = document.querySelector(`script[src^="${UPLOT_BASE}/uPlot.iife"]`);
    const done = () => (window.uPlot ? resolve(window.uPlot) : reject(new Error('uPlot did not load: charts cannot be drawn')));
    if (!script) {
      script = el('script', { src: `${UPLOT_BASE}/uPlot.iife.min.js` });
      document.head.append(script);
    }
    script.addEventListener('load', done, { once: true });
    script.addEventListener('error', () => reject(new Error(`could not load ${UPLOT_BASE}/uPlot.iife.min.js: charts cannot be drawn`)), { once: true });
    // the tag may have loaded already (a classic script in the page's head)
    if (window.uPlot) done();
  });
  return uplotPromise;
}

function injectChartStyle() {
  if (document.getElementById('drover-chart-style')) return;
  const css = `
.drover-chart { position: relative; min-width: 0; }
.drover-chart .chart-legend { display: flex; flex-wrap: wrap; gap: .2em .5em; margin: .2em 0; font-size: .85em; }
.drover-chart .chart-legend button { font: inherit; display: inline-flex; align-items: center; gap: .35em; background: none;
  border: 1px solid transparent; border-radius: .3em; padding: .05em .4em; cursor: pointer; color: inherit; }
.drover-chart .chart-legend button[aria-pressed="false"] { opacity: .45; text-decoration: line-through; }
.drover-chart .chart-legend button:focus-visible { outline: 2px solid #1a66d6; outline-offset: 1px; }
.drover-chart .chart-legend .swatch { width: .9em; height: .25em; border-radius: .1em; display: inline-block; }
.drover-chart .chart-legend .value { color: #5b6472; font-variant-numeric: tabular-nums; }
.drover-chart .chart-readout { font-size: .8em; color: #5b6472; min-height: 1.2em; font-variant-numeric: tabular-nums; }
.drover-chart .chart-empty { color: #8a93a3; padding: 2em 0; text-align: center; }
.chart-controls { display: flex; flex-wrap: wrap; gap: .4em 1.2em; align-items: center; }
.chart-controls label { display: inline-flex; gap: .4em; align-items: center; }
.chart-controls output { min-width: 2.5em; font-variant-numeric: tabular-nums; }
`;
  document.head.append(el('style', { id: 'drover-chart-style' }, css));
}

/** GET one scalar series of a task: server-downsampled to maxPoints (or raw points with raw:true). */
export function fetchScalar(taskId, metric, variant = '', { x = 'iter', maxPoints = 2000 } = {}) {
  const q = new URLSearchParams({ variant: variant ?? '', maxPoints: String(maxPoints), x });
  return getJson(`/api/v1/tasks/${encodeURIComponent(taskId)}/scalars/${encodeURIComponent(metric)}?${q}`);
}

/** GET the series list of a task: [{metric, variant, count, last, min, max, iter, ts}]. */
export async function fetchScalarList(taskId) {
  const r = await getJson(`/api/v1/tasks/${encodeURIComponent(taskId)}/scalars`);
  return r.items ?? [];
}

/**
 * The API's scalar response as chart data: {xs, ys, lo, hi, count, downsampled}. Raw points give
 * lo = hi = null; buckets give their avg (ys) and min/max (lo/hi) at the bucket's middle.
 * xMode 'time' gives epoch seconds (what uPlot's time axis wants), sorted by time.
 */
export function scalarSeries(resp, xMode = 'iter') {
  const time = xMode === 'time';
  const rows = [];
  if (resp?.downsampled) {
    for (const b of resp.buckets ?? []) {
      const x = time ? (Date.parse(b.ts0) + Date.parse(b.ts1)) / 2000 : (b.iter0 + b.iter1) / 2;
      rows.push([x, b.avg, b.min, b.max]);
    }
  } else {
    for (const p of resp?.points ?? []) rows.push([time ? Date.parse(p.ts) / 1000 : p.iter, p.value, null, null]);
  }
  if (time) rows.sort((a, b) => a[0] - b[0]);
  const ds = Boolean(resp?.downsampled);
  return {
    xs: rows.map((r) => r[0]), ys: rows.map((r) => r[1]),
    lo: ds ? rows.map((r) => r[2]) : null, hi: ds ? rows.map((r) => r[3]) : null,
    count: resp?.count ?? rows.length, downsampled: ds,
  };
}

/** TensorBoard's debiased exponential moving average; weight 0 = unchanged, 0.99 = very smooth. */
export function ema(values, weight) {
  if (!(weight > 0)) return values.slice();
  const out = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) { out[i] = null; continue; }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = last / (1 - weight ** n);
  }
  return out;
}

/** Aligns series with different x values on one sorted x array (nulls where a series has no point). */
function align(list) {
  const set = new Set();
  for (const s of list) for (const x of s.xs) set.add(x);
  const xs = Float64Array.from(set).sort();
  const index = new Map();
  xs.forEach((x, i) => index.set(x, i));
  const place = (sx, vals) => {
    const out = new Array(xs.length).fill(null);
    if (vals) sx.forEach((x, i) => { out[index.get(x)] = vals[i]; });
    return out;
  };
  return { xs: Array.from(xs), place };
}

function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

function fmtValue(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

function fmtX(x, xMode) {
  if (x === null || x === undefined) return '';
  if (xMode === 'time') return new Date(x * 1000).toLocaleString();
  return `iter ${Number.isInteger(x) ? x : x.toFixed(1)}`;
}

/**
 * A scalar chart in `container` (which keeps its own id/classes/data attributes; the chart adds the
 * class drover-chart, a legend of toggle buttons and uPlot's canvas). Options: title, height,
 * smoothing (0..0.99), xMode ('iter' | 'time'), log (bool), yLabel.
 * Returns {setSeries(list), setOptions(opts), resize(), destroy(), element}. A series:
 * {key, label, color?, data: scalarSeries(...)}.
 */
export function createChart(container, options = {}) {
  const opts = { title: '', height: 240, smoothing: 0, xMode: 'iter', log: false, yLabel: '', ...options };
  container.classList.add('drover-chart');
  const legend = el('div', { class: 'chart-legend', role: 'group', 'aria-label': `${opts.title || 'chart'} series` });
  const plot = el('div', { class: 'chart-plot' });
  const readout = el('div', { class: 'chart-readout', 'aria-hidden': 'true' });
  container.replaceChildren(legend, plot, readout);
  container.dataset.points = '0';

  let series = [];
  const hidden = new Set();
  let u = null;
  let layout = null; // per input series: indexes of its main/raw/lo/hi uPlot series
  let signature = '';
  let zoomed = false;
  let destroyed = false;
  let singleX = null;
  let pad1 = 1;

  const width = () => Math.max(200, Math.floor(plot.clientWidth || container.clientWidth || 600));

  const observer = typeof ResizeObserver === 'function'
    ? new ResizeObserver(() => { if (u) u.setSize({ width: width(), height: opts.height }); })
    : null;
  observer?.observe(container);

  function build() {
    const list = series;
    const { xs, place } = align(list.map((s) => s.data));
    // uPlot widens a one-x-value axis by a day (time) or to 0…100: centre it on the point instead
    singleX = xs.length === 1 ? xs[0] : null;
    pad1 = opts.xMode === 'time' ? 30 : 1;
    const data = [xs];
    const uSeries = [{ label: opts.xMode === 'time' ? 'time' : 'iteration' }];
    const bands = [];
    layout = [];
    let drawn = 0;
    const logSafe = (arr) => (opts.log && arr ? arr.map((v) => (v !== null && v > 0 ? v : null)) : arr);
    list.forEach((s, i) => {
      const color = s.color || PALETTE[i % PALETTE.length];
      const d = s.data;
      const show = !hidden.has(s.key);
      const entry = { main: -1, raw: -1, lo: -1, hi: -1 };
      if (d.lo && d.hi) {
        entry.hi = data.length;
        data.push(logSafe(place(d.xs, d.hi)));
        uSeries.push({ label: `${s.label} max`, stroke: withAlpha(color, 0.25), width: 0.5, points: { show: false }, spanGaps: true, show });
        entry.lo = data.length;
        data.push(logSafe(place(d.xs, d.lo)));
        uSeries.push({ label: `${s.label} min`, stroke: withAlpha(color, 0.25), width: 0.5, points: { show: false }, spanGaps: true, show });
        bands.push({ series: [entry.hi, entry.lo], fill: withAlpha(color, 0.13) });
      }
      const smooth = opts.smoothing > 0;
      if (smooth) {
        entry.raw = data.length;
        data.push(logSafe(place(d.xs, d.ys)));
        uSeries.push({ label: `${s.label} raw`, stroke: withAlpha(color, 0.3), width: 1, points: { show: false }, spanGaps: true, show });
      }
      entry.main = data.length;
      const ys = smooth ? ema(d.ys, opts.smoothing) : d.ys;
      data.push(logSafe(place(d.xs, ys)));
      uSeries.push({ label: s.label, stroke: color, width: 1.6, points: { show: d.xs.length < 60 }, spanGaps: true, show });
      if (show) drawn += d.xs.length;
      layout.push(entry);
    });
    return { data, uSeries, bands, drawn };
  }

  function renderLegend() {
    const buttons = series.map((s, i) => {
      const color = s.color || PALETTE[i % PALETTE.length];
      const b = el('button', { type: 'button', 'aria-pressed': String(!hidden.has(s.key)), 'data-key': s.key, title: 'show / hide this series' },
        el('span', { class: 'swatch', style: `background:${color}` }), s.label,
        el('span', { class: 'value' }, ''));
      b.addEventListener('click', () => toggle(i));
      return b;
    });
    legend.replaceChildren(...buttons);
  }

  function toggle(i) {
    const s = series[i];
    const show = hidden.has(s.key);
    if (show) hidden.delete(s.key); else hidden.add(s.key);
    legend.children[i]?.setAttribute('aria-pressed', String(show));
    if (u && layout?.[i]) {
      for (const idx of Object.values(layout[i])) if (idx > 0) u.setSeries(idx, { show });
    }
    countPoints();
  }

  function countPoints() {
    const n = series.reduce((acc, s) => acc + (hidden.has(s.key) ? 0 : s.data.xs.length), 0);
    container.dataset.points = String(n);
  }

  function legendValues(idx) {
    series.forEach((s, i) => {
      const span = legend.children[i]?.querySelector('.value');
      if (!span) return;
      const m = layout?.[i]?.main;
      span.textContent = idx === null || idx === undefined || !u || m < 0 ? '' : fmtValue(u.data[m][idx]);
    });
    readout.textContent = idx === null || idx === undefined || !u ? '' : fmtX(u.data[0][idx], opts.xMode);
  }

  async function draw(rebuild) {
    const uPlot = await loadUPlot();
    if (destroyed) return;
    if (!series.length || series.every((s) => s.data.xs.length === 0)) {
      if (u) { u.destroy(); u = null; }
      plot.replaceChildren(el('div', { class: 'chart-empty' }, 'no points yet'));
      container.dataset.points = '0';
      return;
    }
    const { data, uSeries, bands, drawn } = build();
    const sig = JSON.stringify([uSeries.map((s) => s.label), opts.log, opts.xMode, opts.height]);
    if (u && !rebuild && sig === signature) {
      u.setData(data, !zoomed);
    } else {
      if (u) u.destroy();
      plot.replaceChildren();
      signature = sig;
      zoomed = false;
      u = new uPlot({
        width: width(), height: opts.height,
        legend: { show: false },
        cursor: { drag: { x: true, y: false }, focus: { prox: 16 } },
        focus: { alpha: 0.4 },
        scales: {
          // one iteration alone would otherwise get an arbitrary 0…100 axis
          x: { time: opts.xMode === 'time', range: (self, min, max) => (singleX !== null ? [singleX - pad1, singleX + pad1] : [min, max]) },
          // one value alone: a band around it rather than uPlot's 0…100
          y: opts.log ? { distr: 3, log: 10 } : { range: (self, min, max) => (min === max
            ? [min - (Math.abs(min) || 1) * 0.5, max + (Math.abs(max) || 1) * 0.5]
            : window.uPlot.rangeNum(min, max, 0.1, true)) },
        },
        axes: [
          { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' },
            ...(opts.xMode === 'time' ? {} : { incrs: ITER_INCRS }) }, // iterations are whole numbers
          { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' }, size: 56,
            label: opts.yLabel || undefined, values: (self, splits) => splits.map(fmtValue) },
        ],
        series: uSeries,
        bands,
        hooks: {
          setCursor: [(self) => legendValues(self.cursor.idx)],
          setSelect: [(self) => { if (self.select.width > 0) zoomed = true; }],
        },
      }, data, plot);
      // a double click resets uPlot's zoom; follow live data again after it
      u.over.addEventListener('dblclick', () => { zoomed = false; });
      u.root.querySelector('canvas')?.setAttribute('aria-label', `${opts.title || 'chart'}: ${series.map((s) => s.label).join(', ')}`);
      u.root.querySelector('canvas')?.setAttribute('role', 'img');
    }
    countPoints();
    return drawn;
  }

  return {
    element: container,
    /** Replaces the series (same keys keep their hidden state). */
    setSeries(list) {
      series = list.filter((s) => s && s.data);
      const sameLegend = legend.children.length === series.length
        && series.every((s, i) => legend.children[i].dataset.key === s.key);
      if (!sameLegend) renderLegend();
      return draw(false);
    },
    /** Changes smoothing, xMode, log, height or title and redraws. */
    setOptions(o) {
      Object.assign(opts, o);
      return draw(false);
    },
    resize() { if (u) u.setSize({ width: width(), height: opts.height }); },
    get uplot() { return u; },
    destroy() {
      destroyed = true;
      observer?.disconnect();
      if (u) u.destroy();
      u = null;
    },
  };
}

/**
 * Shared chart controls: smoothing slider, x axis (iteration / wall time) and log scale. `idPrefix`
 * keeps the label/for pairs unique on a page. onChange gets {smoothing, xMode, log}.
 */
export function chartControls(initial = {}, onChange = () => {}, idPrefix = 'chart') {
  const state = { smoothing: 0, xMode: 'iter', log: false, ...initial };
  const slider = el('input', { type: 'range', id: `${idPrefix}-smoothing`, min: '0', max: '0.99', step: '0.01', value: String(state.smoothing) });
  const out = el('output', { for: `${idPrefix}-smoothing`, id: `${idPrefix}-smoothing-value` }, String(state.smoothing));
  const x = el('select', { id: `${idPrefix}-x` },
    el('option', { value: 'iter' }, 'iteration'), el('option', { value: 'time' }, 'wall time'));
  x.value = state.xMode;
  const log = el('input', { type: 'checkbox', id: `${idPrefix}-log` });
  log.checked = state.log;
  let timer = null;
  slider.addEventListener('input', () => {
    state.smoothing = Number(slider.value);
    out.textContent = slider.value;
    clearTimeout(timer); // smoothing is cheap, but redrawing many charts per input event is not
    timer = setTimeout(() => onChange({ ...state }), 60);
  });
  x.addEventListener('change', () => { state.xMode = x.value; onChange({ ...state }); });
  log.addEventListener('change', () => { state.log = log.checked; onChange({ ...state }); });
  return el('div', { class: 'chart-controls', role: 'group', 'aria-label': 'chart options' },
    el('label', { for: slider.id }, 'smoothing', slider, out),
    el('label', { for: x.id }, 'x axis', x),
    el('label', { for: log.id }, log, 'log scale'));
}

/**
 * A generic x/y chart for plot specs: kind 'line' | 'scatter' | 'bar' (also used for histograms).
 * series: [{label, x:[…], y:[…]}] (numbers; null for a gap). Sets data-points on the container.
 */
export async function xyChart(container, { kind = 'line', series = [], height = 260, title = '', xLabel = '', yLabel = '', xTicks = null } = {}) {
  const uPlot = await loadUPlot();
  container.classList.add('drover-chart');
  const { xs, place } = align(series.map((s) => ({ xs: s.x })));
  const data = [xs, ...series.map((s) => place(s.x, s.y))];
  let paths;
  let points = { show: false };
  if (kind === 'scatter') { paths = () => null; points = { show: true, size: 5 }; }
  if (kind === 'bar') paths = uPlot.paths.bars({ size: [0.8 / Math.max(1, series.length), 80], align: 0 });
  const uSeries = [{ label: xLabel || 'x' }, ...series.map((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    return { label: s.label ?? `series ${i + 1}`, stroke: color, width: kind === 'bar' ? 1 : 1.6,
      fill: kind === 'bar' ? withAlpha(color, 0.55) : undefined, paths, points, spanGaps: kind === 'line' };
  })];
  const plot = el('div', { class: 'chart-plot' });
  container.replaceChildren(plot);
  const width = () => Math.max(200, Math.floor(container.clientWidth || 600));
  const u = new uPlot({
    width: width(), height,
    legend: { show: series.length > 1 },
    scales: {
      x: { time: false, ...(kind === 'bar' ? { range: (self, min, max) => [min - 0.5 * step(xs), max + 0.5 * step(xs)] } : {}) },
      // bars grow from zero: a bar chart whose axis starts elsewhere misleads
      ...(kind === 'bar' ? { y: { range: (self, min, max) => [Math.min(0, min), Math.max(0, max) * 1.05 || 1] } } : {}),
    },
    axes: [
      { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, label: xLabel || undefined,
        ...(xTicks ? { values: (self, splits) => splits.map((v) => (Number.isInteger(v) && xTicks[v] !== undefined ? String(xTicks[v]) : '')), space: 20 } : {}),
        ...(kind === 'bar' && xs.every(Number.isInteger) ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : {}) },
      { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, label: yLabel || undefined, size: 56, values: (self, splits) => splits.map(fmtValue) },
    ],
    series: uSeries,
  }, data, plot);
  u.root.querySelector('canvas')?.setAttribute('role', 'img');
  u.root.querySelector('canvas')?.setAttribute('aria-label', title || `${kind} chart`);
  container.dataset.points = String(series.reduce((a, s) => a + (s.x?.length ?? 0), 0));
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => u.setSize({ width: width(), height })).observe(container);
  return u;
}

function step(xs) {
  let m = Infinity;
  for (let i = 1; i < xs.length; i++) m = Math.min(m, xs[i] - xs[i - 1]);
  return Number.isFinite(m) && m > 0 ? m : 1;
}

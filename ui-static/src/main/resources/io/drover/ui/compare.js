// Compare 2–10 experiments (/ui/compare.html?ids=a,b,…): overview and parameter diff with the
// differing rows highlighted (class `differs`), a metrics table (last/min/max per experiment) and
// one overlaid scalar chart per series (chart.js on uPlot), each drawn when it scrolls into view.
import { el, statusBadge, duration } from './dom.js';
import { api, initShell, showError, fmtNum, fmtTime } from './app.js';
import { PALETTE, createChart, chartControls, fetchScalar, fetchScalarList, scalarSeries } from './chart.js';

const MIN = 2;
const MAX = 10;
const MAX_CHARTS = 60;
const EAGER_CHARTS = 6;

const $ = (id) => document.getElementById(id);
let tasks = [];       // in the order of the URL
let chartOpts = { smoothing: 0, xMode: 'iter', log: false };
const charts = [];    // {chart, metric, variant, container, loaded}

function idsFromUrl() {
  const raw = new URLSearchParams(location.search).get('ids') ?? '';
  return [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
}

const color = (i) => PALETTE[i % PALETTE.length];
const swatch = (i) => el('span', { class: 'swatch', style: `background:${color(i)}`, 'aria-hidden': 'true' });
const taskLink = (t) => el('a', { href: `/ui/task.html?id=${encodeURIComponent(t.id)}` }, t.name || t.id);

/** Column headers: one per experiment, with its colour (the same as in the charts). */
function headRow(first, extra = []) {
  return el('tr', {}, el('th', { scope: 'col' }, first), ...extra.map((x) => el('th', { scope: 'col' }, x)),
    ...tasks.map((t, i) => el('th', { scope: 'col', 'data-task-id': t.id }, swatch(i), taskLink(t))));
}

const same = (values) => values.every((v) => v === values[0]);

// ------------------------------------------------------------------ experiments + overview

function renderList() {
  const list = $('compare-list');
  list.replaceChildren(...tasks.map((t, i) => {
    const remove = el('button', { type: 'button', class: 'btn', 'aria-label': `remove ${t.name || t.id} from the comparison`, title: 'remove from the comparison' }, '×');
    remove.disabled = tasks.length <= MIN;
    remove.addEventListener('click', () => {
      const ids = tasks.filter((x) => x.id !== t.id).map((x) => x.id);
      location.assign(`/ui/compare.html?ids=${ids.map(encodeURIComponent).join(',')}`);
    });
    return el('li', { 'data-task-id': t.id }, swatch(i), taskLink(t), ' ', statusBadge(t.status), ' ', remove);
  }));
  $('page-title').textContent = `Compare ${tasks.length} experiments`;
  document.title = `Drover — compare ${tasks.map((t) => t.name).join(', ')}`;
}

const INFO = [
  ['project', (t) => t.project ?? ''],
  ['status', (t) => t.status ?? ''],
  ['user', (t) => t.user ?? ''],
  ['queue', (t) => t.queue ?? ''],
  ['worker', (t) => t.execution?.worker ?? ''],
  ['created', (t) => fmtTime(t.createdAt)],
  ['duration', (t) => duration(t.execution?.startedAt, t.execution?.finishedAt)],
  ['repository', (t) => t.script?.repo ?? ''],
  ['branch', (t) => t.script?.branch ?? ''],
  ['commit', (t) => (t.execution?.resolvedCommit ?? t.script?.commit ?? '').slice(0, 12)],
  ['entry point', (t) => t.script?.entryPoint ?? ''],
  ['arguments', (t) => t.script?.args ?? ''],
  ['tags', (t) => (t.tags ?? []).join(', ')],
  ['parent', (t) => t.parentId ?? ''],
];

function renderInfo() {
  const table = $('info-diff');
  table.querySelector('thead').replaceChildren(headRow('field'));
  table.querySelector('tbody').replaceChildren(...INFO.map(([label, get]) => {
    const values = tasks.map(get);
    return el('tr', { class: same(values) ? null : 'differs', 'data-field': label },
      el('th', { scope: 'row' }, label), ...values.map((v) => el('td', {}, v)));
  }));
}

// ------------------------------------------------------------------ parameters

function renderParams() {
  const keys = [...new Set(tasks.flatMap((t) => Object.keys(t.params ?? {})))].sort();
  const onlyDiffs = $('only-diffs').checked;
  const table = $('param-diff');
  table.querySelector('thead').replaceChildren(headRow('parameter'));
  let differing = 0;
  const trs = [];
  for (const key of keys) {
    // a parameter one experiment lacks differs from one that has it, even when empty
    const values = tasks.map((t) => (t.params && key in t.params ? String(t.params[key]) : null));
    const differs = !same(values);
    if (differs) differing++;
    if (onlyDiffs && !differs) continue;
    trs.push(el('tr', { 'data-param': key, class: differs ? 'differs' : null },
      el('th', { scope: 'row' }, key, differs ? el('span', { class: 'sr-only' }, ' (differs)') : ''),
      ...values.map((v) => (v === null ? el('td', { class: 'missing' }, 'not set') : el('td', {}, v)))));
  }
  if (keys.length === 0) trs.push(el('tr', {}, el('td', { colspan: tasks.length + 1, class: 'empty' }, 'None of these experiments has parameters.')));
  else if (trs.length === 0) trs.push(el('tr', {}, el('td', { colspan: tasks.length + 1, class: 'empty' }, 'All parameters are the same.')));
  table.querySelector('tbody').replaceChildren(...trs);
  $('param-summary').textContent = keys.length ? `${differing} of ${keys.length} differ` : '';
}

// ------------------------------------------------------------------ metrics

function renderMetrics() {
  const series = [...new Set(tasks.flatMap((t) => Object.keys(t.metrics ?? {})))].sort();
  const table = $('metric-table');
  table.querySelector('thead').replaceChildren(headRow('metric', ['value']));
  const trs = [];
  for (const s of series) {
    ['last', 'min', 'max'].forEach((stat, k) => {
      const values = tasks.map((t) => t.metrics?.[s]?.[stat]);
      const nums = values.filter((v) => typeof v === 'number');
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      const cells = values.map((v) => {
        if (v === undefined || v === null) return el('td', { class: 'num missing' }, '–');
        // which end is better depends on the metric: say which value is the row's lowest/highest, don't judge
        const mark = nums.length > 1 && lo !== hi ? (v === lo ? ' (lowest)' : v === hi ? ' (highest)' : '') : '';
        return el('td', { class: 'num', title: `${v}${mark}` }, fmtNum(v));
      });
      const tr = el('tr', { 'data-metric': s, 'data-stat': stat });
      if (k === 0) tr.append(el('th', { scope: 'rowgroup', rowspan: 3 }, s));
      tr.append(el('td', { class: 'muted' }, stat), ...cells);
      trs.push(tr);
    });
  }
  if (series.length === 0) trs.push(el('tr', {}, el('td', { colspan: tasks.length + 2, class: 'empty' }, 'None of these experiments reported scalar metrics.')));
  table.querySelector('tbody').replaceChildren(...trs);
}

// ------------------------------------------------------------------ overlaid charts

async function renderCharts() {
  const box = $('compare-charts');
  // each task's own series list tells metric and variant apart (a metric name may contain '/')
  const lists = await Promise.all(tasks.map((t) => fetchScalarList(t.id).catch(() => [])));
  const bySeries = new Map();
  lists.forEach((items) => {
    for (const s of items) {
      const key = s.variant ? `${s.metric}/${s.variant}` : s.metric;
      if (!bySeries.has(key)) bySeries.set(key, { metric: s.metric, variant: s.variant ?? '' });
    }
  });
  const keys = [...bySeries.keys()].sort().slice(0, MAX_CHARTS);
  if (keys.length === 0) {
    box.replaceChildren(el('p', { class: 'muted' }, 'No scalar series to chart.'));
    return;
  }
  const observer = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        observer.unobserve(e.target);
        const c = charts.find((x) => x.container === e.target);
        if (c) loadChart(c);
      }
    }, { rootMargin: '300px' })
    : null;
  const boxes = keys.map((key) => {
    const { metric, variant } = bySeries.get(key);
    const container = el('div', { class: 'chart', 'data-series': key });
    const chart = createChart(container, { title: key, height: 220, ...chartOpts });
    const c = { chart, metric, variant, key, container, loaded: false };
    charts.push(c);
    return el('figure', { class: 'chart-box' }, el('h3', {}, key), container);
  });
  box.replaceChildren(...boxes);
  // the first charts load at once (the usual comparison has a handful of series); the rest when scrolled to
  charts.forEach((c, i) => {
    if (observer && i >= EAGER_CHARTS) observer.observe(c.container);
    else loadChart(c);
  });
  if (keys.length < bySeries.size) box.append(el('p', { class: 'muted' }, `Showing the first ${MAX_CHARTS} of ${bySeries.size} series.`));
}

async function loadChart(c) {
  c.loaded = true;
  const results = await Promise.all(tasks.map((t) => {
    if (!t.metrics?.[c.key]) return null; // this experiment has no such series
    return fetchScalar(t.id, c.metric, c.variant, { x: chartOpts.xMode }).catch(() => null);
  }));
  const series = [];
  results.forEach((resp, i) => {
    if (resp) series.push({ key: tasks[i].id, label: tasks[i].name || tasks[i].id, color: color(i), data: scalarSeries(resp, chartOpts.xMode) });
  });
  await c.chart.setSeries(series);
}

function onChartOptions(opts) {
  const xChanged = opts.xMode !== chartOpts.xMode;
  chartOpts = opts;
  for (const c of charts) {
    if (!c.loaded) continue;
    if (xChanged) c.chart.setOptions(opts).then(() => loadChart(c));
    else c.chart.setOptions(opts);
  }
}

// ------------------------------------------------------------------ start

async function start() {
  initShell('experiments');
  const ids = idsFromUrl();
  if (ids.length < MIN || ids.length > MAX) {
    showError(`Compare takes ${MIN} to ${MAX} experiments; this link names ${ids.length}. Select them in the experiments table and press Compare.`);
    return;
  }
  const results = await Promise.all(ids.map((id) => api(`/tasks/${encodeURIComponent(id)}`, { quiet: true }).catch((e) => ({ failed: id, message: e.message }))));
  const missing = results.filter((r) => r.failed);
  tasks = results.filter((r) => !r.failed);
  if (missing.length) showError(`Could not load ${missing.map((m) => `${m.failed} (${m.message})`).join(', ')}.`);
  if (tasks.length < 1) return;
  renderList();
  renderInfo();
  renderParams();
  renderMetrics();
  $('only-diffs').addEventListener('change', renderParams);
  $('chart-controls').replaceChildren(chartControls(chartOpts, onChartOptions, 'compare'));
  await renderCharts();
}

start();

// Overview tab: status and timings, execution (worker, attempt, resources), source (git repo, branch,
// commit, uncommitted diff), the command, the environment (python, installed packages), last metrics.
import { duration, isFinal } from '../dom.js';
import { api, fmtTime } from '../app.js';
import { el, panel, kvList, copyButton, fmtNumber, empty } from './util.js';

export function mount(root, ctx) {
  const grid = el('div', { class: 'overview-grid' });
  root.replaceChildren(grid);
  let diffLoaded = false;
  let diffBox = null;
  let pkgBox = null;
  let timer = null;

  function render(t) {
    const ex = t.execution ?? {};
    const sc = t.script ?? {};
    const cap = t.captured ?? {};

    const status = panel('Status');
    const parent = t.parentId ? el('a', { href: `/ui/task.html?id=${encodeURIComponent(t.parentId)}` }, t.parentId) : null;
    const idCell = el('span', { class: 'mono' }, t.id);
    status.body.append(kvList([
      ['status', el('span', { class: `status status-${t.status}` }, t.status)],
      ['reason', t.statusReason],
      ['id', el('span', {}, idCell, ' ', copyButton(t.id, 'copy task id'))],
      ['project', t.project],
      ['user', t.user],
      ['queue', t.queue],
      ['priority', t.priority],
      ['tags', (t.tags ?? []).length ? el('span', {}, ...t.tags.map((g) => el('span', { class: 'tag' }, g))) : null],
      ['cloned from', parent],
      ['archived', t.archived ? 'yes' : null],
    ]));

    const timing = panel('Timing');
    timing.body.append(kvList([
      ['created', fmtTime(t.createdAt)],
      ['queued', fmtTime(ex.queuedAt)],
      ['started', fmtTime(ex.startedAt)],
      ['finished', fmtTime(ex.finishedAt)],
      ['run time', el('span', { id: 'run-time' }, duration(ex.startedAt, ex.finishedAt))],
      ['waited in queue', ex.queuedAt && ex.startedAt && Date.parse(ex.startedAt) >= Date.parse(ex.queuedAt) ? duration(ex.queuedAt, ex.startedAt) : null],
      ['updated', fmtTime(t.updatedAt)],
    ]));

    const run = panel('Execution');
    const res = t.resources ?? {};
    const env = t.environment ?? {};
    const container = t.container;
    run.body.append(kvList([
      ['worker', ex.worker ? el('a', { href: `/ui/workers.html#${encodeURIComponent(ex.worker)}` }, ex.worker) : null],
      ['attempt', ex.attempt ? `${ex.attempt} of ${1 + (t.retries ?? 0)}` : null],
      ['exit code', ex.exitCode],
      ['GPUs', Array.isArray(ex.gpus) && ex.gpus.length ? ex.gpus.join(', ') : (res.gpus ? `${res.gpus} requested` : null)],
      ['container', container?.image ? `${container.image}${container.args?.length ? ` ${container.args.join(' ')}` : ''}` : null],
      ['peak memory', ex.maxRssKb ? `${(ex.maxRssKb / 1024).toFixed(1)} MiB` : null],
      ['CPU time', ex.cpuSeconds ? `${fmtNumber(ex.cpuSeconds)} s` : null],
      ['lease epoch', t.lease?.epoch],
    ]));
    if (!run.body.querySelector('dt')) run.body.append(empty('not run yet'));

    const src = panel('Source');
    const commit = ex.resolvedCommit || sc.commit;
    const cmd = command(t);
    src.body.append(kvList([
      ['repository', sc.repo ? el('span', { class: 'mono break' }, sc.repo) : null],
      ['branch', sc.branch],
      ['commit', commit ? el('span', {}, el('span', { class: 'mono', title: commit }, commit.slice(0, 12)), ' ', copyButton(commit, 'copy commit hash')) : null],
      ['entry point', sc.entryPoint ? el('span', { class: 'mono' }, sc.entryPoint) : null],
      ['working dir', sc.workingDir && sc.workingDir !== '.' ? sc.workingDir : null],
      ['requirements', sc.requirements],
      ['uncommitted changes', sc.hasDiff ? 'yes (below)' : 'none'],
    ]));
    src.body.append(el('h4', {}, 'Command'), el('div', { class: 'command' }, el('code', { id: 'command' }, cmd), ' ', copyButton(cmd, 'copy command')));
    if (sc.hasDiff) {
      // kept across re-renders (live task updates) so an open diff stays open
      if (!diffBox) {
        diffBox = el('details', { class: 'diff-box' }, el('summary', {}, 'Uncommitted diff'));
        const pre = el('pre', { class: 'diff', id: 'diff' }, 'loading…');
        diffBox.append(pre);
        diffBox.addEventListener('toggle', () => {
          if (diffBox.open && !diffLoaded) { diffLoaded = true; loadDiff(pre); }
        });
      }
      src.body.append(diffBox);
    }

    const envBox = panel('Environment');
    envBox.body.append(kvList([
      ['python', cap.python],
      ['host', cap.hostname],
      ['environment', env.manager && env.manager !== 'auto' ? env.manager : (env.python ? `python ${env.python}` : null)],
      ['packages', cap.installedPackages?.length ? `${cap.installedPackages.length} installed` : null],
    ]));
    if (Array.isArray(cap.installedPackages) && cap.installedPackages.length) {
      const key = cap.installedPackages.join('\n');
      if (!pkgBox || pkgBox.dataset.key !== String(key.length)) {
        pkgBox = packages(cap.installedPackages);
        pkgBox.dataset.key = String(key.length);
      }
      envBox.body.append(pkgBox);
    }
    if (!envBox.body.querySelector('dt')) envBox.body.append(empty('captured when the task runs'));

    const metrics = panel('Last metrics');
    const rows = Object.entries(t.metrics ?? {});
    if (rows.length) {
      const tbody = el('tbody');
      for (const [name, m] of rows.sort(([a], [b]) => a.localeCompare(b))) {
        tbody.append(el('tr', { 'data-metric': name },
          el('th', { scope: 'row' }, name),
          el('td', { class: 'num' }, fmtNumber(m.last)),
          el('td', { class: 'num' }, fmtNumber(m.min)),
          el('td', { class: 'num' }, fmtNumber(m.max)),
          el('td', { class: 'num' }, m.iter ?? '')));
      }
      metrics.body.append(el('div', { class: 'table-wrap' }, el('table', { class: 'compact', id: 'last-metrics' },
        el('thead', {}, el('tr', {}, ...['series', 'last', 'min', 'max', 'iter'].map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null }, h)))),
        tbody)));
    } else metrics.body.append(empty('no scalars reported'));

    if (t.description) {
      const d = panel('Description');
      d.body.append(el('p', { class: 'description' }, t.description));
      grid.replaceChildren(status.box, timing.box, run.box, src.box, envBox.box, metrics.box, d.box);
    } else {
      grid.replaceChildren(status.box, timing.box, run.box, src.box, envBox.box, metrics.box);
    }
    tick(t);
  }

  // the run time of a running task counts up without re-reading it
  function tick(t) {
    clearInterval(timer);
    if (t.status !== 'running' || isFinal(t.status)) return;
    timer = setInterval(() => {
      const span = document.getElementById('run-time');
      if (span && ctx.task) span.textContent = duration(ctx.task.execution?.startedAt, ctx.task.execution?.finishedAt);
    }, 1000);
  }

  async function loadDiff(pre) {
    try {
      const d = await api(`${ctx.base}/diff`, { quiet: true });
      const text = d?.diff ?? '';
      pre.replaceChildren(...text.split('\n').map((line) => {
        const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add'
          : line.startsWith('-') && !line.startsWith('---') ? 'del'
            : line.startsWith('@@') ? 'hunk' : (line.startsWith('diff ') || line.startsWith('+++') || line.startsWith('---')) ? 'file' : null;
        return el('span', { class: cls ? `diff-${cls}` : null }, `${line}\n`);
      }));
    } catch (e) {
      pre.textContent = `could not load the diff: ${e.message}`;
    }
  }

  render(ctx.task);
  ctx.on('task', render);
  return {};
}

/** The command the agent runs, as a user would type it. */
export function command(t) {
  const sc = t.script ?? {};
  if (!sc.entryPoint) return '';
  const entry = sc.entryPoint;
  const prog = /\.py$/.test(entry) ? `python ${entry}` : (/\.sh$/.test(entry) ? `bash ${entry}` : entry);
  const cd = sc.workingDir && sc.workingDir !== '.' ? `cd ${sc.workingDir} && ` : '';
  return `${cd}${prog}${sc.args ? ` ${sc.args}` : ''}`;
}

function packages(list) {
  const details = el('details', { class: 'packages' }, el('summary', {}, `Installed packages (${list.length})`));
  const filter = el('input', { type: 'search', id: 'packages-filter', placeholder: 'filter packages', autocomplete: 'off' });
  const ul = el('ul', { class: 'package-list', id: 'packages' });
  const fill = () => {
    const q = filter.value.trim().toLowerCase();
    ul.replaceChildren(...list.filter((p) => !q || String(p).toLowerCase().includes(q)).map((p) => el('li', { class: 'mono' }, String(p))));
  };
  filter.addEventListener('input', fill);
  fill();
  details.append(el('label', { for: 'packages-filter', class: 'sr-only' }, 'filter packages'), filter, ul);
  return details;
}

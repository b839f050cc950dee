// Notes tab: tags (add/remove), description, comments — PATCH /tasks/{id} and POST /tasks/{id}/comments.
import { api, fmtTime, showInfo } from '../app.js';
import { el, empty } from './util.js';

export function mount(root, ctx) {
  // ---------------------------------------------------------------- tags
  const tagList = el('ul', { class: 'tag-list', id: 'tags', 'aria-label': 'tags' });
  const tagInput = el('input', { type: 'text', id: 'tag-input', placeholder: 'new tag', autocomplete: 'off', maxlength: '64' });
  const tagForm = el('form', { class: 'form-row', id: 'tag-form' },
    el('label', { for: 'tag-input' }, 'Add tag'), tagInput, el('button', { type: 'submit', class: 'btn' }, 'Add'));
  tagForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const tags = tagInput.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    if (!tags.length) return;
    if (await patch({ addTags: tags })) tagInput.value = '';
  });

  // ---------------------------------------------------------------- description
  const desc = el('textarea', { id: 'description', maxlength: '65536' });
  const descSave = el('button', { type: 'submit', class: 'btn btn-primary', id: 'description-save' }, 'Save description');
  const descForm = el('form', { id: 'description-form' }, el('label', { for: 'description', class: 'sr-only' }, 'Description'), desc, el('div', { class: 'form-row' }, descSave));
  let descDirty = false;
  desc.addEventListener('input', () => { descDirty = true; });
  descForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    descSave.disabled = true;
    if (await patch({ description: desc.value })) { descDirty = false; showInfo('description saved'); }
    descSave.disabled = false;
  });

  // ---------------------------------------------------------------- comments
  const comments = el('ol', { class: 'comments', id: 'comments', 'aria-live': 'polite' });
  const text = el('textarea', { id: 'comment-text', maxlength: '16384', placeholder: 'Write a comment' });
  const post = el('button', { type: 'submit', class: 'btn btn-primary', id: 'comment-post' }, 'Comment');
  const commentForm = el('form', { id: 'comment-form' }, el('label', { for: 'comment-text', class: 'sr-only' }, 'Comment'), text, el('div', { class: 'form-row' }, post));
  commentForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    post.disabled = true;
    try {
      await api(`${ctx.base}/comments`, { method: 'POST', body: { text: text.value } });
      text.value = '';
      await loadComments();
      ctx.refresh();
    } catch (err) {
      // shown in the banner
    } finally {
      post.disabled = false;
    }
  });
  // Ctrl/Cmd+Enter posts, as in most comment boxes
  text.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) commentForm.requestSubmit(); });

  root.replaceChildren(el('div', { class: 'notes-grid' },
    el('div', {},
      el('section', { class: 'panel', 'aria-labelledby': 'tags-title' }, el('h3', { class: 'panel-title', id: 'tags-title' }, 'Tags'), tagList, tagForm),
      el('section', { class: 'panel', 'aria-labelledby': 'description-title' }, el('h3', { class: 'panel-title', id: 'description-title' }, 'Description'), descForm)),
    el('section', { class: 'panel', 'aria-labelledby': 'comments-title' }, el('h3', { class: 'panel-title', id: 'comments-title' }, 'Comments'), comments, commentForm)));

  async function patch(body) {
    try {
      ctx.setTask(await api(ctx.base, { method: 'PATCH', body }));
      return true;
    } catch (e) {
      return false;
    }
  }

  function renderTags(t) {
    const tags = t.tags ?? [];
    tagList.replaceChildren(...tags.map((g) => {
      const rm = el('button', { type: 'button', 'aria-label': `remove tag ${g}` }, '×');
      rm.addEventListener('click', () => patch({ removeTags: [g] }));
      return el('li', { class: 'tag', 'data-tag': g }, g, rm);
    }));
    if (!tags.length) tagList.append(el('li', { class: 'muted' }, 'no tags'));
  }

  async function loadComments() {
    try {
      const items = (await api(`${ctx.base}/comments`, { quiet: true }))?.items ?? [];
      comments.replaceChildren(...items.map((c) => el('li', { 'data-comment': c.id },
        el('div', { class: 'meta' }, el('strong', {}, c.author ?? ''), ' · ', el('time', { datetime: c.at }, fmtTime(c.at))),
        el('div', { class: 'body' }, c.text))));
      if (!items.length) comments.append(el('li', { class: 'muted' }, 'no comments yet'));
    } catch (e) {
      comments.replaceChildren(el('li', { class: 'error' }, `could not load comments: ${e.message}`));
    }
  }

  let seenComments = -1;
  function render(t) {
    renderTags(t);
    if (!descDirty && document.activeElement !== desc) desc.value = t.description ?? '';
    if (t.commentCount !== seenComments) {
      seenComments = t.commentCount;
      loadComments();
    }
  }
  desc.readOnly = !ctx.canWrite;
  render(ctx.task);
  ctx.on('task', render);
  return {};
}

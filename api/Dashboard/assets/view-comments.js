// Comments: responses newest first, filtered by category, text and "with a comment only", with the
// user, account and traits of each and the total that match; "Load more" follows the API's
// cursor; "Export CSV" saves the current filter.

import { h, mount } from './dom.js';
import * as fmt from './format.js';

export const title = 'Comments';

/** The category filter of a kind: its categories, highest first ("Promoters only", "Satisfied only"). */
const categoriesOf = (K) => [['', 'All categories'], ...[...K.categories].reverse().map(([key, name]) => [key, `${name} only`])];
const PAGE = 25;

function traitValue(key, value) {
  if (key === 'arr' && typeof value === 'number') return fmt.usd(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function card(item, selectable) {
  const traits = Object.entries(item.traits || {});
  const account = item.traits?.accountName || item.traits?.accountId;
  return h('li', { class: 'comment', dataset: { id: item.id } },
    h('article', { 'aria-label': `${item.category} score ${item.score} from ${item.userId}` },
      h('div', { class: 'comment-head' },
        h('span', { class: `score c-${item.category}`, text: String(item.score), 'aria-hidden': 'true' }),
        h('span', { class: 'visually-hidden', text: `Score ${item.score}, ` }),
        h('span', { class: `badge c-${item.category}-text`, text: item.category }),
        h('time', { datetime: item.createdAt, text: fmt.dateTime(item.createdAt) })),
      selectable
        ? h('div', { class: 'comment-select' },
          h('input', { type: 'checkbox', id: `select-${item.id}`, class: 'select-response', value: String(item.id) }),
          h('label', { for: `select-${item.id}`, text: 'Select for tagging' }))
        : null,
      item.tags?.length ? h('ul', { class: 'traits tags', 'aria-label': 'Tags' }, item.tags.map((t) => h('li', { text: t }))) : null,
      h('p', { class: 'comment-open' }, h('a', { href: `#/responses/${item.id}`, text: 'Open the response page' })),
      item.comment
        ? h('p', { class: 'comment-text', text: item.comment })
        : h('p', { class: 'comment-text muted', text: 'No comment.' }),
      item.followUp && Object.keys(item.followUp).length
        ? h('dl', { class: 'follow-up' }, Object.entries(item.followUp).map(([q, a]) => [h('dt', { text: q }), h('dd', { text: String(a) })]))
        : null,
      h('p', { class: 'comment-who' },
        h('span', { text: item.userId }),
        item.email ? h('span', { text: ` · ${item.email}` }) : null,
        account ? h('span', { text: ` · ${account}` }) : null),
      traits.length
        ? h('ul', { class: 'traits', 'aria-label': 'Traits when surveyed' }, traits.map(([k, v]) => h('li', { text: `${fmt.traitLabel(k)}: ${traitValue(k, v)}` })))
        : null));
}

function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName, class: 'visually-hidden', text: 'download' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Tags in bulk: the selected responses (checkboxes on the cards) get a tag added or removed at once. */
function bulkTags(ctx, list) {
  const input = h('input', { type: 'text', id: 'bulk-tag', autocomplete: 'off', maxlength: 40 });
  const result = h('p', { class: 'muted', id: 'bulk-status', role: 'status' });
  const selected = () => [...list.querySelectorAll('.select-response:checked')].map((c) => Number(c.value));
  const run = async (add) => {
    const ids = selected();
    const tag = input.value.trim();
    if (!tag || !ids.length) {
      result.textContent = !ids.length ? 'Select one or more responses first.' : 'Write the tag first.';
      return;
    }
    try {
      const answer = await ctx.api.post('/v1/responses/tags', { responseIds: ids, add: add ? [tag] : [], remove: add ? [] : [tag] });
      for (const item of answer.items || []) {
        const box = list.querySelector(`#select-${item.responseId}`);
        const article = box?.closest('article');
        article?.querySelector('.tags')?.remove();
        if (item.tags.length) box.parentElement.after(h('ul', { class: 'traits tags', 'aria-label': 'Tags' }, item.tags.map((t) => h('li', { text: t }))));
      }
      result.textContent = `${add ? 'Tagged' : 'Removed the tag from'} ${fmt.count(ids.length)} response${ids.length === 1 ? '' : 's'} “${tag}”.`;
    } catch (error) {
      result.textContent = `Tags not changed: ${error.message}`;
    }
  };
  const all = h('button', { type: 'button', class: 'button', text: 'Select all shown' });
  all.addEventListener('click', () => { for (const c of list.querySelectorAll('.select-response')) c.checked = true; result.textContent = `${selected().length} selected.`; });
  const form = h('form', { class: 'inline-form bulk-tags', id: 'bulk-tags', 'aria-label': 'Tag the selected responses', novalidate: true },
    h('div', { class: 'control' }, h('label', { for: input.id, text: 'Tag the selected responses' }), input),
    h('button', { type: 'submit', class: 'button primary', text: 'Add tag' }),
    h('button', { type: 'button', class: 'button', id: 'bulk-untag', text: 'Remove tag', on: { click: () => run(false) } }),
    all, result);
  form.addEventListener('submit', (event) => { event.preventDefault(); run(true); });
  return form;
}

export async function render(ctx, root) {
  const { state } = ctx;
  const params = ctx.filters({ category: state.category || undefined, q: state.q || undefined, withComment: state.comment === '1' ? 'true' : undefined });
  const first = await ctx.api.get('/v1/responses', { ...params, limit: PAGE });
  if (!ctx.current()) return;
  ctx.rememberTraits(first.items.flatMap((i) => Object.keys(i.traits || {})));

  const category = h('select', { id: 'comments-category', name: 'category' },
    categoriesOf(ctx.kind).map(([value, label]) => h('option', { value, text: label, selected: value === state.category })));
  const search = h('input', { id: 'comments-q', name: 'q', type: 'search', value: state.q, autocomplete: 'off' });
  const withComment = h('input', { id: 'comments-with-comment', name: 'comment', type: 'checkbox', checked: state.comment === '1' });
  const form = h('form', { class: 'inline-form', role: 'search', 'aria-label': 'Filter comments' },
    h('div', { class: 'control' }, h('label', { for: category.id, text: 'Category' }), category),
    h('div', { class: 'control grow' }, h('label', { for: search.id, text: 'Search comments' }), search),
    h('div', { class: 'control check' }, withComment, h('label', { for: withComment.id, text: 'With a comment only' })),
    h('button', { type: 'submit', class: 'button', text: 'Search' }));
  const apply = () => ctx.set({ category: category.value, q: search.value.trim(), comment: withComment.checked ? '1' : '' });
  category.addEventListener('change', apply);
  withComment.addEventListener('change', apply);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });

  const selectable = ctx.can('tags:manage');
  const list = h('ol', { class: 'comments', id: 'comments-list' }, first.items.map((i) => card(i, selectable)));
  const status = h('p', { class: 'muted', id: 'comments-count', 'aria-live': 'polite' });
  let cursor = first.nextCursor;
  let shown = first.items.length;
  const more = h('button', { type: 'button', class: 'button', text: 'Load more', hidden: !cursor });
  const total = first.total ?? null;
  const updateStatus = () => {
    status.textContent = shown === 0
      ? 'No responses match these filters.'
      : `Showing ${fmt.count(shown)} of ${fmt.count(total ?? shown)} ${state.comment === '1' ? 'comments' : 'responses'}, newest first.`;
  };
  updateStatus();
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await ctx.api.get('/v1/responses', { ...params, limit: PAGE, cursor });
      list.append(...page.items.map((i) => card(i, selectable)));
      shown += page.items.length;
      cursor = page.nextCursor;
      more.hidden = !cursor;
      updateStatus();
      list.children[shown - page.items.length]?.querySelector('article')?.setAttribute('tabindex', '-1');
      list.children[shown - page.items.length]?.querySelector('article')?.focus();
    } finally {
      more.disabled = false;
    }
  });

  const exportStatus = h('p', { class: 'muted', id: 'export-status', 'aria-live': 'polite' });
  const exportButton = h('button', { type: 'button', class: 'button primary', id: 'export-csv', text: 'Export CSV' });
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    exportStatus.textContent = 'Preparing the export…';
    try {
      const { blob, fileName } = await ctx.api.download('/v1/responses.csv', params, 'text/csv');
      saveBlob(blob, fileName || `pulse-responses-${state.from}-${state.to}.csv`);
      exportStatus.textContent = `Exported ${fmt.count(blob.size)} bytes.`;
    } catch (error) {
      exportStatus.textContent = `Export failed: ${error.message}`;
    } finally {
      exportButton.disabled = false;
    }
  });

  mount(root,
    h('h1', { tabindex: -1, text: 'Comments' }),
    h('section', { class: 'card', 'aria-labelledby': 'comments-title' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'comments-title', text: 'What people said' }),
        ctx.can('responses:export') ? h('div', { class: 'actions' }, exportButton, exportStatus) : null),
      form,
      selectable ? bulkTags(ctx, list) : null,
      status,
      list,
      more));
  ctx.announce(`Comments: ${shown} of ${total ?? shown} shown.`);
}

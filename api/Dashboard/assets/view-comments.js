// Comments: responses newest first, filtered by category, text and "with a comment only", with the
// user, account and traits of each and the total that match; "Load more" follows the API's
// cursor; "Export CSV" saves the current filter.

import { h, mount } from './dom.js';
import * as fmt from './format.js';

export const title = 'Comments';

const CATEGORIES = [['', 'All categories'], ['promoter', 'Promoters only'], ['passive', 'Passives only'], ['detractor', 'Detractors only']];
const PAGE = 25;

function traitValue(key, value) {
  if (key === 'arr' && typeof value === 'number') return fmt.usd(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function card(item) {
  const traits = Object.entries(item.traits || {});
  const account = item.traits?.accountName || item.traits?.accountId;
  return h('li', { class: 'comment', dataset: { id: item.id } },
    h('article', { 'aria-label': `${fmt.category(item.score)} score ${item.score} from ${item.userId}` },
      h('div', { class: 'comment-head' },
        h('span', { class: `score c-${item.category}`, text: String(item.score), 'aria-hidden': 'true' }),
        h('span', { class: 'visually-hidden', text: `Score ${item.score}, ` }),
        h('span', { class: `badge c-${item.category}-text`, text: item.category }),
        h('time', { datetime: item.createdAt, text: fmt.dateTime(item.createdAt) })),
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

export async function render(ctx, root) {
  const { state } = ctx;
  const params = ctx.filters({ category: state.category || undefined, q: state.q || undefined, withComment: state.comment === '1' ? 'true' : undefined });
  const first = await ctx.api.get('/v1/responses', { ...params, limit: PAGE });
  if (!ctx.current()) return;
  ctx.rememberTraits(first.items.flatMap((i) => Object.keys(i.traits || {})));

  const category = h('select', { id: 'comments-category', name: 'category' },
    CATEGORIES.map(([value, label]) => h('option', { value, text: label, selected: value === state.category })));
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

  const list = h('ol', { class: 'comments', id: 'comments-list' }, first.items.map(card));
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
      list.append(...page.items.map(card));
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
      status,
      list,
      more));
  ctx.announce(`Comments: ${shown} of ${total ?? shown} shown.`);
}

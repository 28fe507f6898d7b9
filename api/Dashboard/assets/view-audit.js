// Audit log (owners, admins): who changed what, when and from where, newest first, filtered by
// actor and action, with "Show more" (cursor) and a CSV export of the same filter.

import { h, field, mount } from './dom.js';
import * as fmt from './format.js';
import { statusLine } from './ui.js';

export const title = 'Audit log';

function who(e) {
  if (e.actorType === 'cli') return 'command line';
  if (e.actorType === 'key') return `key ${e.actor}`;
  return e.actor || e.actorType;
}

function change(e) {
  const parts = [];
  if (e.before) parts.push(h('details', null, h('summary', { text: 'Before' }), h('pre', { class: 'wrap', text: JSON.stringify(e.before, null, 1) })));
  if (e.after) parts.push(h('details', null, h('summary', { text: 'After' }), h('pre', { class: 'wrap', text: JSON.stringify(e.after, null, 1) })));
  return parts.length ? parts : h('span', { class: 'muted', text: '—' });
}

function row(e) {
  return h('tr', { dataset: { entry: String(e.id) } },
    h('td', { text: fmt.dateTime(e.at) }),
    h('td', { class: 'wrap', text: who(e) }),
    h('th', { scope: 'row', text: e.action }),
    h('td', { class: 'wrap', text: e.target || '' }),
    h('td', { text: e.address || '' }),
    h('td', { class: 'wrap' }, change(e)));
}

export async function render(ctx, root) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const filters = { actor: params.get('actor') || undefined, action: params.get('action') || undefined };
  const page = await ctx.api.get('/v1/audit-log', filters);
  if (!ctx.current()) return;
  const status = statusLine('audit-status');
  const body = h('tbody', null, page.items.map(row));
  let cursor = page.nextCursor;
  const more = h('button', { type: 'button', class: 'button', id: 'audit-more', text: 'Show more', hidden: !cursor });
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const next = await ctx.api.get('/v1/audit-log', { ...filters, cursor });
      body.append(...next.items.map(row));
      cursor = next.nextCursor;
      more.hidden = !cursor;
      status.textContent = `${body.children.length} entries shown.`;
    } catch (error) {
      status.textContent = `Could not load more: ${error.message}`;
    } finally {
      more.disabled = false;
    }
  });

  const actor = h('input', { type: 'text', id: 'audit-actor', value: filters.actor || '', placeholder: 'dana@acme.com, sk_…1a2b' });
  const action = h('input', { type: 'text', id: 'audit-action', value: filters.action || '', placeholder: 'survey, member.sign_in_failed' });
  const form = h('form', { class: 'inline-form', id: 'audit-filter', novalidate: true, 'aria-label': 'Filter the audit log' },
    field('Who (email or key hint)', actor), field('Action or kind of action', action),
    h('button', { type: 'submit', class: 'button', text: 'Filter' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (actor.value.trim()) q.set('actor', actor.value.trim());
    if (action.value.trim()) q.set('action', action.value.trim());
    location.hash = `#/audit${q.toString() ? `?${q}` : ''}`;
  });
  const exportButton = h('button', { type: 'button', class: 'button primary', id: 'audit-export', text: 'Export CSV' });
  exportButton.addEventListener('click', async () => {
    try {
      const { blob, fileName } = await ctx.api.download('/v1/audit-log.csv', filters, 'text/csv');
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: fileName || 'audit-log.csv', class: 'visually-hidden', text: 'download' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      status.textContent = 'Exported.';
    } catch (error) {
      status.textContent = `Export failed: ${error.message}`;
    }
  });

  mount(root,
    h('h1', { tabindex: -1, text: 'Audit log' }),
    h('section', { class: 'card', 'aria-labelledby': 'audit-title' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'audit-title', text: 'Who changed what' }),
        h('div', { class: 'actions' }, exportButton)),
      h('p', { class: 'muted', text: 'Every change by a member, a key or the command line, and every sign-in and failed sign-in of the members of this workspace. Entries are never changed; secrets are never written.' }),
      form,
      status,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'audit-table' },
          h('caption', { class: 'visually-hidden', text: 'Audit log entries, newest first' }),
          h('thead', null, h('tr', null, ['When', 'Who', 'Action', 'What', 'Address', 'Change'].map((c) => h('th', { scope: 'col', text: c })))),
          body)),
      more));
  ctx.announce(`Audit log: ${page.items.length} entries.`);
}

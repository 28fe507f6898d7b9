// Inbox: the follow-ups to act on — the signed-in member's open ones first (soonest due first, so
// overdue ones lead, and they are marked), then the unassigned ones. Each row shows the score, the
// comment, the account, its ARR, its CSM and how long ago the answer came. Keyboard first: j/k move,
// Enter opens the response page, a assigns to me, n adds a note, c closes with an outcome, ? shows
// the shortcuts (which are also listed on the page). Roles that cannot change follow-ups (viewers)
// get no action; the API refuses them anyway.

import { h, mount } from './dom.js';
import * as fmt from './format.js';
import * as fu from './followups.js';
import { statusLine } from './ui.js';

export const title = 'Inbox';

const OPEN = 'open,in_progress';
const PAGE = 100;

/** The row focused before an action re-rendered the view, so focus stays in place (or moves to the next row). */
let focusAfter = null;

function traitText(traits, key) {
  const value = traits?.[key];
  return value === undefined || value === null || value === '' ? '—' : String(value);
}

function row(item, ctx, manage) {
  const r = item.response;
  const account = r.traits?.accountName || r.traits?.accountId || '—';
  const arr = typeof r.traits?.arr === 'number' ? fmt.usd(r.traits.arr) : '—';
  const headId = `inbox-row-${item.id}`;
  const link = h('a', { href: `#/responses/${r.id}`, class: 'inbox-open', id: headId },
    `${account}`, h('span', { class: 'visually-hidden', text: `, score ${r.score}, ${fu.due(item)}` }));
  const actions = manage
    ? h('div', { class: 'inbox-actions' },
      fu.isMine(item, ctx.session) ? null
        : h('button', { type: 'button', class: 'button small', dataset: { act: 'assign' }, 'aria-keyshortcuts': 'a', 'aria-describedby': headId }, 'Assign to me ', h('kbd', { text: 'a' })),
      h('button', { type: 'button', class: 'button small', dataset: { act: 'note' }, 'aria-keyshortcuts': 'n', 'aria-describedby': headId }, 'Note ', h('kbd', { text: 'n' })),
      h('button', { type: 'button', class: 'button small', dataset: { act: 'close' }, 'aria-keyshortcuts': 'c', 'aria-describedby': headId }, 'Close ', h('kbd', { text: 'c' })))
    : null;
  return h('li', {
    class: `inbox-row${item.overdue ? ' overdue' : ''}`, tabindex: -1, dataset: { id: item.id },
    'aria-labelledby': headId,
  },
  h('span', { class: `score c-${r.category}`, text: String(r.score), 'aria-hidden': 'true' }),
  h('div', { class: 'inbox-main' },
    h('p', { class: 'inbox-head' }, link,
      item.overdue ? h('span', { class: 'badge risk', text: 'Overdue' }) : null,
      h('span', { class: 'badge', text: fu.statusLabel(item.status) })),
    r.comment ? h('p', { class: 'inbox-comment', text: r.comment }) : h('p', { class: 'inbox-comment muted', text: 'No comment.' }),
    h('ul', { class: 'inbox-facts', 'aria-label': 'Details' },
      h('li', { text: `ARR ${arr}` }),
      h('li', { text: `CSM ${traitText(r.traits, 'csm')}` }),
      h('li', null, 'Answered ', h('time', { datetime: r.createdAt, text: fu.age(r.createdAt) })),
      h('li', { class: item.overdue ? 'overdue-text' : '', text: fu.due(item) }),
      h('li', { text: `Assigned to ${fu.who(item.assignee)}` }))),
  actions);
}

function section(id, heading, intro, items, ctx, manage, empty) {
  return h('section', { class: 'card', 'aria-labelledby': `${id}-title` },
    h('div', { class: 'card-head' },
      h('h2', { id: `${id}-title`, text: heading }),
      h('p', { class: 'muted', text: `${fmt.count(items.length)}${items.length === PAGE ? '+' : ''} open` })),
    h('p', { class: 'hint', text: intro }),
    items.length
      ? h('ol', { class: 'inbox', id }, items.map((item) => row(item, ctx, manage)))
      : h('p', { class: 'muted', id, text: empty }));
}

function shortcuts(manage, role) {
  const keys = [['j', 'next follow-up'], ['k', 'previous follow-up'], ['Enter', 'open its response page']];
  if (manage) keys.push(['a', 'assign it to me'], ['n', 'add a note'], ['c', 'close it with an outcome']);
  keys.push(['?', 'move here (these shortcuts)']);
  return h('section', { class: 'card shortcuts', id: 'inbox-shortcuts', tabindex: -1, 'aria-labelledby': 'inbox-shortcuts-title' },
    h('h2', { id: 'inbox-shortcuts-title', text: 'Keyboard shortcuts' }),
    h('dl', { class: 'keys' }, keys.map(([key, what]) => [h('dt', null, h('kbd', { text: key })), h('dd', { text: what })])),
    manage ? null : h('p', { class: 'hint', text: `Your role (${role}) reads follow-ups; an analyst, admin or owner changes them.` }));
}

export async function render(ctx, root) {
  const manage = ctx.can('follow-ups:manage');
  const [mine, unassigned] = await Promise.all([
    ctx.api.get('/v1/follow-ups', { assignee: 'me', status: OPEN, sort: 'dueAt', limit: PAGE }),
    ctx.api.get('/v1/follow-ups', { assignee: 'none', status: OPEN, sort: 'dueAt', limit: PAGE }),
  ]);
  if (!ctx.current()) return;
  const items = new Map([...mine.items, ...unassigned.items].map((i) => [i.id, i]));
  const status = statusLine('inbox-status');
  status.textContent = ctx.flash() || '';
  const overdue = mine.items.filter((i) => i.overdue).length;
  const help = shortcuts(manage, ctx.session.role);

  mount(root,
    h('h1', { tabindex: -1, text: 'Inbox' }),
    h('p', { class: 'lead', id: 'inbox-summary' },
      `${fmt.count(mine.items.length)} open follow-up${mine.items.length === 1 ? '' : 's'} assigned to you`,
      overdue ? h('strong', { class: 'overdue-text', text: `, ${fmt.count(overdue)} overdue` }) : null,
      `; ${fmt.count(unassigned.items.length)} unassigned.`),
    status,
    h('div', { class: 'inbox-layout' },
      h('div', { class: 'inbox-lists' },
        section('inbox-mine', 'Assigned to you', 'Soonest due first: overdue ones lead.', mine.items, ctx, manage,
          'Nothing assigned to you is open. Take one from the unassigned below.'),
        section('inbox-unassigned', 'Unassigned', 'Nobody owns these yet; soonest due first.', unassigned.items, ctx, manage,
          'Every open follow-up has someone on it.')),
      help));

  const rows = () => [...root.querySelectorAll('.inbox-row')];
  const focusRow = (el) => {
    if (!el) return;
    for (const r of rows()) r.tabIndex = -1;
    el.tabIndex = 0;
    el.focus();
  };
  const current = () => document.activeElement?.closest?.('.inbox-row') || null;
  // One row is in the tab order (roving tabindex); focus comes back to where an action left it.
  const all = rows();
  if (all.length) all[0].tabIndex = 0;
  if (focusAfter) {
    const target = all.find((r) => r.dataset.id === focusAfter.id) || all[Math.min(focusAfter.index, all.length - 1)];
    focusAfter = null;
    if (target) focusRow(target);
  }

  const rerender = (el, flash) => {
    focusAfter = { id: el.dataset.id, index: rows().indexOf(el) };
    ctx.set({}, { flash });
  };

  async function act(kind, el) {
    const item = items.get(el.dataset.id);
    if (!item) return;
    if (!manage) {
      ctx.announce(`Your role (${ctx.session.role}) cannot change follow-ups.`);
      return;
    }
    const account = item.response.traits?.accountName || item.response.userId;
    try {
      if (kind === 'assign') {
        if (fu.isMine(item, ctx.session)) { ctx.announce('It is already yours.'); return; }
        const done = await fu.change(ctx.api, item, { assignee: ctx.session.member.id });
        rerender(el, done.stale ? fu.STALE : `Assigned to you: ${account}.`);
      } else if (kind === 'note') {
        const text = await fu.askNote(`On the follow-up of ${account} (score ${item.response.score}).`);
        if (text === null) return;
        await fu.addNote(ctx.api, item, text);
        rerender(el, `Note added to ${account}.`);
      } else if (kind === 'close') {
        const outcome = await fu.askOutcome(`${account}, score ${item.response.score}: what came of it?`);
        if (outcome === null) return;
        const done = await fu.change(ctx.api, item, { status: 'closed', outcome });
        rerender(el, done.stale ? fu.STALE : `Closed ${account} as ${fu.outcomeLabel(outcome).toLowerCase()}.`);
      }
    } catch (error) {
      status.textContent = `Nothing changed: ${error.message}`;
    }
  }

  root.querySelector('.inbox-layout').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-act]');
    if (button) act(button.dataset.act, button.closest('.inbox-row'));
  });
  root.querySelector('.inbox-layout').addEventListener('focusin', (event) => {
    const el = event.target.closest('.inbox-row');
    if (el && el.tabIndex !== 0) { for (const r of rows()) r.tabIndex = -1; el.tabIndex = 0; }
  });

  // Shortcuts work anywhere on the page except while typing or in a dialog.
  const onKey = (event) => {
    if (!root.isConnected || root.dataset.view !== 'inbox') { document.removeEventListener('keydown', onKey); return; }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest?.('input, textarea, select, dialog, [contenteditable]')) return;
    const list = rows();
    const at = current();
    const i = at ? list.indexOf(at) : -1;
    switch (event.key) {
      case 'j': focusRow(list[Math.min(i + 1, list.length - 1)]); break;
      case 'k': focusRow(list[Math.max(i - 1, 0)]); break;
      case '?': root.querySelector('#inbox-shortcuts').focus(); break;
      case 'Enter':
        if (!at || event.target !== at) return;
        at.querySelector('.inbox-open').click();
        break;
      case 'a': case 'n': case 'c':
        if (!at) { ctx.announce('Move to a follow-up first (j).'); break; }
        act({ a: 'assign', n: 'note', c: 'close' }[event.key], at);
        break;
      default: return;
    }
    event.preventDefault();
  };
  if (render.onKey) document.removeEventListener('keydown', render.onKey);
  render.onKey = onKey;
  document.addEventListener('keydown', onKey);
  ctx.announce(`Inbox: ${mine.items.length} assigned to you, ${unassigned.items.length} unassigned.`);
}

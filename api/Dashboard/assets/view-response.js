// The response page (#/responses/{id}), where the Inbox and Slack links land: the answer with its
// tags, the same user's earlier answers and their trend, the account (its NPS, its health when the
// API gives one, its other respondents), and the follow-up — its state, changed with If-Match (a
// stale edit reloads the page and says so), and its thread of notes.

import { ApiError } from './api.js';
import { h, field, mount } from './dom.js';
import * as fmt from './format.js';
import * as fu from './followups.js';
import { statusLine } from './ui.js';

export const title = 'Response';

const OTHERS = 50;

function traitList(traits) {
  const entries = Object.entries(traits || {});
  return entries.length
    ? h('ul', { class: 'traits', 'aria-label': 'Traits when surveyed' },
      entries.map(([k, v]) => h('li', { text: `${fmt.traitLabel(k)}: ${k === 'arr' && typeof v === 'number' ? fmt.usd(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)}` })))
    : null;
}

function answerCard(ctx, r, status) {
  const tags = h('ul', { class: 'traits tags', id: 'response-tags', 'aria-label': 'Tags' },
    r.tags.length ? r.tags.map((tag) => h('li', null, tag,
      ctx.can('tags:manage')
        ? h('button', { type: 'button', class: 'chip-remove', dataset: { tag }, on: { click: () => retag(ctx, r, [], [tag], status) } },
          h('span', { 'aria-hidden': 'true', text: '×' }), h('span', { class: 'visually-hidden', text: `Remove tag ${tag}` }))
        : null))
      : h('li', { class: 'muted', text: 'No tags' }));
  let tagForm = null;
  if (ctx.can('tags:manage')) {
    const input = h('input', { type: 'text', id: 'response-tag', autocomplete: 'off', maxlength: 40 });
    tagForm = h('form', { class: 'inline-form', 'aria-label': 'Add a tag', novalidate: true },
      h('div', { class: 'control' }, h('label', { for: input.id, text: 'Add a tag' }), input),
      h('button', { type: 'submit', class: 'button', text: 'Add tag' }));
    tagForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (input.value.trim()) retag(ctx, r, [input.value.trim()], [], status);
    });
  }
  return h('section', { class: 'card', 'aria-labelledby': 'answer-title' },
    h('div', { class: 'comment-head' },
      h('h2', { id: 'answer-title', text: 'The answer' }),
      h('span', { class: `score c-${r.category}`, text: String(r.score), 'aria-hidden': 'true' }),
      h('span', { class: 'visually-hidden', text: `Score ${r.score}` }),
      h('span', { class: `badge c-${r.category}-text`, text: r.category }),
      h('time', { datetime: r.createdAt, text: fmt.dateTime(r.createdAt) })),
    r.comment ? h('p', { class: 'comment-text', id: 'response-comment', text: r.comment }) : h('p', { class: 'comment-text muted', text: 'No comment.' }),
    h('p', { class: 'comment-who' }, h('span', { text: r.userId }), r.email ? h('span', { text: ` · ${r.email}` }) : null),
    traitList(r.traits),
    h('h3', { class: 'tags-title', text: 'Tags' }),
    tags,
    tagForm);
}

async function retag(ctx, r, add, remove, status) {
  try {
    await ctx.api.post('/v1/responses/tags', { responseIds: [r.id], add, remove });
    ctx.set({}, { flash: add.length ? `Tagged “${add[0]}”.` : `Removed the tag “${remove[0]}”.` });
  } catch (error) {
    status.textContent = `Tags not changed: ${error.message}`;
  }
}

/** The same user's answers, oldest first, with the change from the first to the latest. */
function historyCard(detail) {
  const answers = detail.userResponses;
  const first = answers[0];
  const last = answers[answers.length - 1];
  const diff = last.score - first.score;
  const trend = answers.length < 2
    ? 'This is their only answer so far.'
    : `${answers.length} answers: from ${first.score} (${first.createdAt.slice(0, 10)}) to ${last.score} (${last.createdAt.slice(0, 10)}), `
      + (diff === 0 ? 'no change.' : `${diff > 0 ? 'up' : 'down'} ${Math.abs(diff)} point${Math.abs(diff) === 1 ? '' : 's'}.`);
  return h('section', { class: 'card', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title', text: `${detail.response.userId}'s answers` }),
    h('p', { id: 'history-trend', text: trend }),
    answers.length > 1
      ? h('p', { class: 'spark', 'aria-hidden': 'true' }, answers.map((a) => h('span', { class: `score small c-${a.category}`, text: String(a.score) })))
      : null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'history-table' },
      h('caption', { class: 'visually-hidden', text: 'Their answers, oldest first' }),
      h('thead', null, h('tr', null, ['Date', 'Score', 'Comment'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', null, answers.map((a) => h('tr', { class: a.id === detail.response.id ? 'current' : '' },
        h('td', null, a.id === detail.response.id ? h('span', { text: `${a.createdAt.slice(0, 10)} (this one)` })
          : h('a', { href: `#/responses/${a.id}`, text: a.createdAt.slice(0, 10) })),
        h('td', { text: `${a.score} (${a.category})` }),
        h('td', { class: 'wrap', text: a.comment || '—' })))))));
}

/** The account: its NPS and health (when the API has them) and its other respondents' latest answers. */
function accountCard(r, account, others) {
  const name = r.traits?.accountName || r.traits?.accountId;
  if (!r.traits?.accountId) {
    return h('section', { class: 'card', 'aria-labelledby': 'account-title' },
      h('h2', { id: 'account-title', text: 'Account' }),
      h('p', { class: 'muted', text: 'This answer carries no accountId trait, so it belongs to no account.' }));
  }
  const latest = new Map();
  for (const o of others) if (o.userId !== r.userId && !latest.has(o.userId)) latest.set(o.userId, o);
  const health = account?.health;
  return h('section', { class: 'card', 'aria-labelledby': 'account-title' },
    h('h2', { id: 'account-title', text: `Account: ${name}` }),
    h('dl', { class: 'facts', id: 'account-facts' },
      h('dt', { text: 'ARR' }), h('dd', { text: typeof r.traits.arr === 'number' ? fmt.usd(r.traits.arr) : '—' }),
      h('dt', { text: 'CSM' }), h('dd', { text: r.traits.csm ?? '—' }),
      h('dt', { text: 'NPS (last 12 months)' }),
      h('dd', { text: account ? `${fmt.nps(account.nps)} ${fmt.moe(account.marginOfError)} from ${fmt.count(account.respondents)} respondents${account.lowSample ? ' (low sample)' : ''}` : '—' }),
      health ? [h('dt', { text: 'Health' }), h('dd', { text: `${health.score} (${String(health.band).replace('_', ' ')})${health.lowSample ? ', low sample' : ''}` })] : null),
    h('h3', { text: 'Other respondents' }),
    latest.size
      ? h('ul', { class: 'respondents', id: 'account-respondents' }, [...latest.values()].map((o) => h('li', null,
        h('span', { class: `score small c-${o.category}`, text: String(o.score), 'aria-hidden': 'true' }),
        h('a', { href: `#/responses/${o.id}`, text: `${o.userId}` }),
        h('span', { class: 'muted', text: ` · ${o.category} ${o.score} on ${o.createdAt.slice(0, 10)}${o.traits?.role ? ` · ${o.traits.role}` : ''}` }))))
      : h('p', { class: 'muted', text: 'Nobody else at this account has answered yet.' }));
}

function followUpCard(ctx, r, item, status, members) {
  const manage = ctx.can('follow-ups:manage');
  const head = h('h2', { id: 'follow-up-title', text: 'Follow-up' });
  if (!item) {
    const open = manage ? h('button', { type: 'button', class: 'button', id: 'follow-up-open', text: 'Open a follow-up' }) : null;
    open?.addEventListener('click', async () => {
      try {
        await ctx.api.post('/v1/follow-ups', { responseId: r.id });
        ctx.set({}, { flash: 'Follow-up opened.' });
      } catch (error) {
        status.textContent = `Not opened: ${error.message}`;
      }
    });
    return h('section', { class: 'card', id: 'follow-up', 'aria-labelledby': head.id }, head,
      h('p', { class: 'muted', text: 'No follow-up on this answer (detractors get one by themselves).' }), open);
  }
  const facts = h('dl', { class: 'facts', id: 'follow-up-facts' },
    h('dt', { text: 'Status' }), h('dd', null, fu.statusLabel(item.status), item.outcome ? ` (${fu.outcomeLabel(item.outcome)})` : '',
      item.overdue ? h('span', { class: 'badge risk', text: 'Overdue' }) : null),
    h('dt', { text: 'Assigned to' }), h('dd', { text: fu.who(item.assignee) }),
    h('dt', { text: 'Opened' }), h('dd', { text: fmt.dateTime(item.createdAt) }),
    item.closedAt
      ? [h('dt', { text: 'Closed' }), h('dd', { text: fmt.dateTime(item.closedAt) })]
      : [h('dt', { text: 'Due' }), h('dd', { text: item.dueAt ? `${fmt.dateTime(item.dueAt)} (${fu.due(item)})` : 'no due date' })]);
  const thread = h('ol', { class: 'notes', id: 'follow-up-notes', 'aria-label': 'Notes' },
    item.notes.length
      ? item.notes.map((n) => h('li', null,
        h('p', { class: 'note-meta' }, h('strong', { text: n.author.label || n.author.type }), ' · ', h('time', { datetime: n.createdAt, text: fmt.dateTime(n.createdAt) })),
        h('p', { class: 'note-text', text: n.text })))
      : h('li', { class: 'muted', text: 'No notes yet.' }));
  let forms = null;
  if (manage) {
    const statusSel = h('select', { id: 'fu-status' }, fu.STATUSES.map(([v, l]) => h('option', { value: v, text: l, selected: v === item.status })));
    const outcomeSel = h('select', { id: 'fu-outcome' }, h('option', { value: '', text: '—' }),
      fu.OUTCOMES.map(([v, l]) => h('option', { value: v, text: l, selected: v === item.outcome })));
    // The members (members:read) are offered as suggestions; any member's email is still accepted.
    const assignee = h('input', { type: 'email', id: 'fu-assignee', value: item.assignee?.email || '', autocomplete: 'off', spellcheck: 'false',
      list: members.length ? 'fu-assignees' : null });
    const suggestions = members.length
      ? h('datalist', { id: 'fu-assignees' }, members.map((m) => h('option', { value: m.email, label: `${m.name || m.email} (${m.role})` })))
      : null;
    const dueDate = h('input', { type: 'date', id: 'fu-due', value: item.dueAt ? item.dueAt.slice(0, 10) : '' });
    const edit = h('form', { class: 'grid-2 follow-up-form', id: 'follow-up-form', novalidate: true, 'aria-label': 'Change the follow-up' },
      field('Status', statusSel, { name: 'status' }),
      field('Outcome (when closed)', outcomeSel, { name: 'outcome' }),
      field('Assigned to (email; empty for nobody)', assignee, { name: 'assignee' }), suggestions,
      field('Due (end of day, UTC)', dueDate, { name: 'dueAt' }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button primary', text: 'Save' }),
        h('button', { type: 'button', class: 'button', id: 'fu-mine', text: 'Assign to me' })));
    edit.querySelector('#fu-mine').addEventListener('click', () => { assignee.value = ctx.session.member.email; });
    edit.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const e of edit.querySelectorAll('.error')) e.textContent = '';
      const patch = {};
      if (statusSel.value !== item.status) patch.status = statusSel.value;
      if (statusSel.value === 'closed' && outcomeSel.value && outcomeSel.value !== item.outcome) patch.outcome = outcomeSel.value;
      if (assignee.value.trim() !== (item.assignee?.email || '')) patch.assignee = assignee.value.trim() || null;
      if (dueDate.value !== (item.dueAt ? item.dueAt.slice(0, 10) : '')) patch.dueAt = dueDate.value ? `${dueDate.value}T23:59:59Z` : null;
      if (!Object.keys(patch).length) { status.textContent = 'Nothing to save: change a field first.'; return; }
      try {
        const done = await fu.change(ctx.api, item, patch);
        ctx.set({}, { flash: done.stale ? fu.STALE : 'Follow-up saved.' });
      } catch (error) {
        const errors = error instanceof ApiError ? error.fieldErrors : {};
        for (const [key, messages] of Object.entries(errors)) {
          const target = edit.querySelector(`[data-field="${key}"] .error`);
          if (target) target.textContent = messages.join(' ');
        }
        status.textContent = `Not saved: ${Object.keys(errors).length ? 'see the fields above.' : error.message}`;
      }
    });
    const note = h('textarea', { id: 'fu-note', rows: 3, maxlength: 4000 });
    const noteForm = h('form', { id: 'note-form', novalidate: true, 'aria-label': 'Add a note' },
      field('Add a note', note, { hint: 'Only your team sees notes.' }),
      h('button', { type: 'submit', class: 'button', text: 'Add note' }));
    noteForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!note.value.trim()) { status.textContent = 'Write the note first.'; note.focus(); return; }
      try {
        await fu.addNote(ctx.api, item, note.value.trim());
        ctx.set({}, { flash: 'Note added.' });
      } catch (error) {
        status.textContent = `Note not added: ${error.message}`;
      }
    });
    forms = [edit, noteForm];
  }
  return h('section', { class: 'card', id: 'follow-up', 'aria-labelledby': head.id }, head, facts,
    h('h3', { class: 'notes-title', text: 'Notes' }), thread, forms);
}

export async function render(ctx, root) {
  const id = ctx.state.id;
  let detail;
  try {
    detail = await ctx.api.get(`/v1/responses/${encodeURIComponent(id)}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    mount(root, h('div', { class: 'notice' }, h('h1', { tabindex: -1, text: 'No such response' }),
      h('p', { text: `There is no response ${id} in this workspace (it may have been erased).` })));
    return;
  }
  const r = detail.response;
  const accountId = r.traits?.accountId;
  const [followUps, others, accounts, members] = await Promise.all([
    ctx.can('follow-ups:read') ? ctx.api.get('/v1/follow-ups', { responseId: r.id }) : { items: [] },
    accountId ? ctx.api.get('/v1/responses', { where: { accountId: String(accountId) }, limit: OTHERS }) : { items: [] },
    accountId ? ctx.api.get('/v1/accounts', { where: { accountId: String(accountId) }, from: ctx.state.from, to: ctx.state.to }) : { items: [] },
    ctx.can('follow-ups:manage') && ctx.can('members:read') ? ctx.api.get('/v1/members') : { items: [] },
  ]);
  if (!ctx.current()) return;
  const status = statusLine('response-status');
  status.textContent = ctx.flash() || '';
  const account = accounts.items.find((a) => String(a.accountId) === String(accountId)) || null;
  mount(root,
    h('p', { class: 'back' }, h('a', { href: '#/inbox', text: '← Inbox' })),
    h('h1', { tabindex: -1, text: `Score ${r.score} from ${r.userId}` }),
    status,
    h('div', { class: 'response-layout' },
      h('div', null, answerCard(ctx, r, status), followUpCard(ctx, r, followUps.items[0] || null, status, members.items)),
      h('div', null, historyCard(detail), accountCard(r, account, others.items))));
  ctx.announce(status.textContent || `Response ${r.id}: score ${r.score}.`);
}

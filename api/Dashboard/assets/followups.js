// What the Inbox and the response page share about follow-ups: the labels of statuses and
// outcomes, ages and due dates in words, the change of a follow-up (PATCH with If-Match against
// the version read, so a stale edit answers 412 instead of overwriting someone else's), and the
// two small dialogs the keyboard opens: a note, and closing with an outcome.

import { ApiError } from './api.js';
import { h, uid } from './dom.js';
import { openModal } from './ui.js';

export const STATUSES = [['open', 'Open'], ['in_progress', 'In progress'], ['closed', 'Closed']];
export const OUTCOMES = [['resolved', 'Resolved'], ['no_reply', 'No reply'], ['churned', 'Churned']];

export const statusLabel = (status) => (STATUSES.find(([s]) => s === status) || [status, status])[1];
export const outcomeLabel = (outcome) => (OUTCOMES.find(([o]) => o === outcome) || [outcome, outcome])[1];

/** The message the page shows when a change was refused because someone else changed the follow-up first. */
export const STALE = 'Someone changed this follow-up since you opened it, so your change was not saved. It is reloaded with their change: check it and apply yours again.';

/** "3 days", "5 hours", "12 minutes": how long ago (or until) an instant is, from now. */
export function span(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** "answered 3 days ago" */
export const age = (iso) => `${span(Date.now() - Date.parse(iso))} ago`;

/** "overdue by 2 days", "due in 5 hours", "no due date", "closed (resolved)". */
export function due(followUp) {
  if (followUp.status === 'closed') return followUp.outcome ? `closed (${outcomeLabel(followUp.outcome)})` : 'closed';
  if (!followUp.dueAt) return 'no due date';
  const left = Date.parse(followUp.dueAt) - Date.now();
  return followUp.overdue || left < 0 ? `overdue by ${span(left)}` : `due in ${span(left)}`;
}

/** The member who is signed in, as a follow-up names its assignee. */
export const isMine = (followUp, session) => !!followUp.assignee && followUp.assignee.id === session.member.id;

export const who = (member) => (member ? member.name || member.email : 'nobody');

/**
 * PATCH /v1/follow-ups/{id} against the version read. Resolves { item } with the new state, or
 * { stale: true } when someone changed it in between (412); other errors are thrown.
 */
export async function change(api, followUp, patch) {
  try {
    return { item: await api.patch(`/v1/follow-ups/${encodeURIComponent(followUp.id)}`, patch, `"${followUp.version}"`) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) return { stale: true };
    throw error;
  }
}

export const addNote = (api, followUp, text) => api.post(`/v1/follow-ups/${encodeURIComponent(followUp.id)}/notes`, { text });

/**
 * A modal form (native <dialog>: focus stays inside, Esc cancels, focus returns afterwards).
 * `fields` are built by the caller; `submit` runs on "OK" and may throw to keep the dialog open
 * with the message. Resolves true when submitted, false when cancelled.
 */
export function formDialog({ title, intro, fields, ok, submit, focus }) {
  return new Promise((resolve) => {
    const titleId = uid('dialog-title');
    const error = h('p', { class: 'error', role: 'alert' });
    const okButton = h('button', { type: 'submit', class: 'button primary', text: ok });
    const cancel = h('button', { type: 'button', class: 'button', text: 'Cancel', value: 'cancel' });
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', { id: titleId, text: title }),
      intro ? h('p', { class: 'muted', text: intro }) : null,
      fields,
      error,
      h('div', { class: 'form-actions' }, okButton, cancel));
    const dialog = h('dialog', { class: 'confirm follow-up-dialog', 'aria-labelledby': titleId }, form);
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    // Ctrl+Enter (or ⌘+Enter) sends from inside a text area, where Enter breaks the line.
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      okButton.disabled = true;
      error.textContent = '';
      try {
        await submit();
        answer = true;
        dialog.close();
      } catch (e) {
        error.textContent = String(e.message || e);
      } finally {
        okButton.disabled = false;
      }
    });
    openModal(dialog, focus || okButton, () => resolve(answer));
  });
}

/** The note dialog: a text area; resolves the text written, or null when cancelled. */
export async function askNote(about) {
  const id = uid('note');
  const text = h('textarea', { id, rows: 4, maxlength: 4000, required: true, 'aria-describedby': `${id}-hint` });
  let written = null;
  const sent = await formDialog({
    title: 'Add a note',
    intro: about,
    fields: [h('label', { for: id, text: 'Note' }), text,
      h('p', { class: 'hint', id: `${id}-hint`, text: 'Only your team sees notes. Ctrl+Enter adds it.' })],
    ok: 'Add note',
    focus: text,
    submit: async () => {
      if (!text.value.trim()) throw new Error('Write the note first.');
      written = text.value.trim();
    },
  });
  return sent ? written : null;
}

/** The close dialog: the outcome; resolves it, or null when cancelled. */
export async function askOutcome(about) {
  const id = uid('outcome');
  const select = h('select', { id }, OUTCOMES.map(([value, label]) => h('option', { value, text: label })));
  const sent = await formDialog({
    title: 'Close the follow-up',
    intro: about,
    fields: h('div', { class: 'field' }, h('label', { for: id, text: 'Outcome' }), select),
    ok: 'Close follow-up',
    focus: select,
    submit: async () => {},
  });
  return sent ? select.value : null;
}

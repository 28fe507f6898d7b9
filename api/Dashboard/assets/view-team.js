// Team (owners): the workspace's members and their roles, invitations not accepted yet, and an
// invitation form whose one-time link is shown once. Roles change in place; removing a member or
// making a reset link asks first. Everything goes through /v1/members.

import { h, field, mount } from './dom.js';
import * as fmt from './format.js';
import { confirmAction, formErrors, secretOnce, statusLine } from './ui.js';

export const title = 'Team';

export const LABELS = { email: 'Email', role: 'Role' };

const ROLES = [
  ['owner', 'Owner: everything, including members and keys'],
  ['admin', 'Admin: surveys, webhooks, settings, responses'],
  ['analyst', 'Analyst: reads everything, exports CSV'],
  ['viewer', 'Viewer: reads the dashboards'],
];

function roleSelect(id, value) {
  return h('select', { id }, ROLES.map(([role, label]) => h('option', { value: role, text: label, selected: role === value })));
}

function linkOnce(link, what) {
  // Emailed: the person has it; the dashboard does not show the one-time link again.
  if (link.emailed) return null;
  return secretOnce({
    title: `Copy the ${what} link now`,
    value: link.link,
    label: `the ${what} link`,
    notes: [
      `It is shown only now and works once, until ${fmt.dateTime(link.expiresAt)}. Send it to ${link.email} yourself: email is not configured on this server (see Email).`,
      'Whoever opens it can set the password of this account: send it only to that person.',
    ],
  });
}

function inviteForm(ctx) {
  const form = h('form', { class: 'inline-form', id: 'member-invite', novalidate: true, 'aria-label': 'Invite a member' });
  const errors = formErrors(form, LABELS);
  const email = h('input', { type: 'email', id: 'invite-email', autocomplete: 'off', placeholder: 'dana@acme.com' });
  const role = roleSelect('invite-role', 'viewer');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    try {
      const link = await ctx.api.post('/v1/members', { email: email.value.trim(), role: role.value });
      ctx.set({}, { flash: `Invited ${link.email} as ${link.role}${link.emailed ? '; the invitation is on its way by email' : ''}.`, keep: linkOnce(link, 'invitation') });
    } catch (error) {
      errors.showError(error, 'Nobody was invited');
    }
  });
  mount(form, errors.summary, field('Email', email, { name: 'email' }), field('Role', role, { name: 'role' }),
    h('button', { type: 'submit', class: 'button primary', text: 'Invite' }));
  return form;
}

export async function render(ctx, root) {
  const listed = await ctx.api.get('/v1/members');
  if (!ctx.current()) return;
  const status = statusLine('team-status');
  status.textContent = ctx.flash() || '';
  const kept = ctx.kept();
  const me = ctx.session.member.id;

  const rows = listed.items.map((m) => {
    const who = m.name ? `${m.name} (${m.email})` : m.email;
    const select = roleSelect(`role-${m.id}`, m.role);
    select.setAttribute('aria-label', `Role of ${who}`);
    select.addEventListener('change', async () => {
      try {
        await ctx.api.put(`/v1/members/${encodeURIComponent(m.id)}`, { role: select.value });
        ctx.set({}, { flash: `${who} is now ${select.value}.` });
      } catch (error) {
        select.value = m.role;
        status.textContent = `The role was not changed: ${error.message}`;
      }
    });
    const remove = h('button', {
      type: 'button', class: 'button small danger', text: 'Remove', 'aria-label': `Remove ${who}`,
      on: { click: async () => {
        const ok = await confirmAction({
          title: `Remove ${who}?`,
          body: [`They lose access to ${ctx.workspace.name} at once and are signed out of it. Their past changes stay in the audit log.`],
          confirm: 'Remove member',
        });
        if (!ok) return;
        try {
          await ctx.api.delete(`/v1/members/${encodeURIComponent(m.id)}`);
          ctx.set({}, { flash: `Removed ${who}.` });
        } catch (error) {
          status.textContent = `${who} was not removed: ${error.message}`;
        }
      } },
    });
    const reset = h('button', {
      type: 'button', class: 'button small', text: 'Reset link', 'aria-label': `Password reset link for ${who}`,
      on: { click: async () => {
        const ok = await confirmAction({
          title: `Make a password reset link for ${who}?`,
          body: ['The link lets whoever opens it choose a new password for this account; setting it signs the account out everywhere.'],
          confirm: 'Make link',
          danger: false,
        });
        if (!ok) return;
        try {
          const link = await ctx.api.post(`/v1/members/${encodeURIComponent(m.id)}/password-reset`);
          ctx.set({}, { flash: `Made a reset link for ${who}${link.emailed ? ' and emailed it' : ''}.`, keep: linkOnce(link, 'password reset') });
        } catch (error) {
          status.textContent = `No link was made: ${error.message}`;
        }
      } },
    });
    return h('tr', { dataset: { member: m.id } },
      h('th', { scope: 'row', class: 'wrap' }, m.name || m.email, m.id === me ? h('span', { class: 'badge ok', text: 'You' }) : null),
      h('td', { class: 'wrap', text: m.email }),
      h('td', null, select),
      h('td', { text: fmt.dateTime(m.joinedAt) }),
      h('td', null, h('div', { class: 'actions' }, reset, remove)));
  });

  const pending = listed.invitations.map((i) => h('li', { text: `${i.email} as ${i.role}, until ${fmt.dateTime(i.expiresAt)}` }));

  mount(root,
    h('h1', { tabindex: -1, text: 'Team' }),
    status,
    kept,
    h('section', { class: 'card', 'aria-labelledby': 'members-title' },
      h('h2', { id: 'members-title', text: 'Members' }),
      h('p', { class: 'muted', text: 'Each person signs in as themselves, with one role in this workspace. A workspace always keeps at least one owner.' }),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'members-table' },
          h('caption', { class: 'visually-hidden', text: 'Members with email, role, joining date and actions' }),
          h('thead', null, h('tr', null, ['Name', 'Email', 'Role', 'Joined', 'Actions'].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', null, rows))),
      h('h3', { text: 'Invitations not accepted yet' }),
      pending.length ? h('ul', { id: 'pending-invitations' }, pending) : h('p', { class: 'muted', text: 'None.' }),
      h('h3', { text: 'Invite someone' }),
      inviteForm(ctx)));
  ctx.announce(`Team: ${listed.items.length} members, ${listed.invitations.length} invited.`);
}

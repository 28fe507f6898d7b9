// Keys: the workspace's secret keys with their hints and last use; create one (shown once, with a
// copy button), revoke one (asking first); rotate the identity secret (shown once, saying what
// breaks and for how long). Everything goes through /v1/keys and /v1/workspace.

import { h, field, mount } from './dom.js';
import * as fmt from './format.js';
import { confirmAction, formErrors, secretOnce, statusLine } from './ui.js';

export const title = 'Keys';

export const LABELS = { name: 'Name', scope: 'Scope' };

function createForm(ctx) {
  const form = h('form', { class: 'inline-form', id: 'key-create', novalidate: true, 'aria-label': 'Create a secret key' });
  const errors = formErrors(form, LABELS);
  const name = h('input', { type: 'text', id: 'key-name', autocomplete: 'off', placeholder: 'CI server, billing service…' });
  const scope = h('select', { id: 'key-scope' },
    h('option', { value: 'full', text: 'Full: everything' }),
    h('option', { value: 'read', text: 'Read: analytics, responses, exports' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    try {
      const created = await ctx.api.post('/v1/keys', { name: name.value.trim() || null, scope: scope.value });
      ctx.set({}, { flash: `Created ${created.name ? `“${created.name}”` : 'a key'} (${created.hint}).`, keep: secretOnce({
        title: 'Copy the new secret key now',
        value: created.secretKey,
        label: 'the new secret key',
        notes: [
          'It is shown only now: Pulse stores only its hash. Keep it in your secret manager (e.g. Pulse__SecretKey) and never in a browser or a repository.',
          created.scope === 'read'
            ? 'It works at once, for reading analytics, responses and exports; every write with it is refused.'
            : 'It works at once, for every secret-key call of this workspace.',
        ],
      }) });
    } catch (error) {
      errors.showError(error, 'The key was not created');
    }
  });
  mount(form, errors.summary, field('Name (what the key is for)', name, { name: 'name' }), field('Scope', scope, { name: 'scope' }),
    h('button', { type: 'submit', class: 'button primary', text: 'Create key' }));
  return form;
}

function identitySection(ctx, status) {
  const ws = ctx.workspace;
  const rotate = h('button', { type: 'button', class: 'button', id: 'identity-rotate', text: 'Rotate the identity secret' });
  const holder = h('div');
  rotate.addEventListener('click', async () => {
    const ok = await confirmAction({
      title: 'Rotate the identity secret?',
      body: [
        'Pulse creates a new identity secret and shows it once. Your servers sign user ids with it (userHash).',
        'What breaks: userHash values computed with the old secret stop being accepted at the end of the rotation window '
          + '(one day unless your server is configured otherwise; the exact time is shown next).'
          + (ws.requireUserHash
            ? ' Identity verification is on, so from then until your servers use the new secret, their users see no survey.'
            : ' Identity verification is off, so surveys keep showing either way.'),
      ],
      confirm: 'Rotate identity secret',
    });
    if (!ok) return;
    try {
      const rotated = await ctx.api.post('/v1/workspace/rotate-identity-secret');
      await ctx.reloadWorkspace();
      const until = rotated.previousSecretExpiresAt;
      mount(holder, secretOnce({
        title: 'Copy the new identity secret now',
        value: rotated.identitySecret,
        label: 'the new identity secret',
        notes: [
          'It is shown only now. Put it where your servers read it (e.g. Pulse__IdentitySecret) and deploy.',
          until
            ? `The old secret keeps working until ${fmt.dateTime(until)}; after that, pages signed with it are refused${ws.requireUserHash ? ' and show no survey' : ''}.`
            : `The old secret stopped working now${ws.requireUserHash ? ': pages signed with it show no survey until you deploy the new one' : ''}.`,
        ],
      }));
      status.textContent = 'The identity secret was rotated.';
    } catch (error) {
      status.textContent = `The identity secret was not rotated: ${error.message}`;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'identity-title' },
    h('h2', { id: 'identity-title', text: 'Identity secret' }),
    h('p', { text: `Your servers sign each user id with it, so nobody can answer surveys as someone else. Identity verification is ${ws.requireUserHash ? 'on' : 'off'} (Settings).` }),
    ws.previousIdentitySecretExpiresAt
      ? h('p', { class: 'notice warn', id: 'identity-previous', text: `The previous identity secret is still accepted until ${fmt.dateTime(ws.previousIdentitySecretExpiresAt)}.` })
      : null,
    rotate, holder);
}

export async function render(ctx, root) {
  const listed = await ctx.api.get('/v1/keys');
  if (!ctx.current()) return;
  const keys = [...(listed.items || [])].sort((a, b) => (a.revokedAt ? 1 : 0) - (b.revokedAt ? 1 : 0));
  const status = statusLine('keys-status');
  status.textContent = ctx.flash() || '';
  const kept = ctx.kept();

  const rows = keys.map((k) => h('tr', { class: k.revokedAt ? 'revoked' : null, dataset: { key: k.id } },
    h('th', { scope: 'row', class: 'wrap' }, k.name || h('span', { class: 'muted', text: 'no name' })),
    h('td', null, h('code', { text: k.hint })),
    h('td', { text: k.scope === 'read' ? 'Read' : 'Full' }),
    h('td', { text: fmt.dateTime(k.createdAt) }),
    h('td', { text: k.lastUsedAt ? fmt.dateTime(k.lastUsedAt) : 'never' }),
    h('td', { text: k.revokedAt ? `Revoked ${fmt.dateTime(k.revokedAt)}` : 'Active' }),
    h('td', null, k.revokedAt ? null : h('button', {
      type: 'button', class: 'button small danger', text: 'Revoke', 'aria-label': `Revoke ${k.name || k.hint}`,
      on: { click: async () => {
        const ok = await confirmAction({
          title: `Revoke ${k.name ? `“${k.name}”` : 'this key'} (${k.hint})?`,
          body: [
            'Every call with this key is refused from now on: servers and scripts that use it stop working at once. This cannot be undone.',
            `It was last used ${k.lastUsedAt ? fmt.dateTime(k.lastUsedAt) : 'never'}.`,
          ],
          confirm: 'Revoke key',
        });
        if (!ok) return;
        try {
          await ctx.api.delete(`/v1/keys/${encodeURIComponent(k.id)}`);
          ctx.set({}, { flash: `Revoked ${k.name ? `“${k.name}”` : k.hint}: calls with it are refused.` });
        } catch (error) {
          status.textContent = `The key was not revoked: ${error.message}`;
        }
      } },
    }))));

  mount(root,
    h('h1', { tabindex: -1, text: 'Keys' }),
    status,
    kept,
    h('section', { class: 'card', 'aria-labelledby': 'keys-title' },
      h('h2', { id: 'keys-title', text: 'Secret keys' }),
      h('p', { class: 'muted', text: 'Secret keys (sk_…) let your servers call the API; people sign in as members instead (Team). Pulse shows a key once, when it is created, and keeps only its hash; the list shows the last four characters. A read key cannot change anything.' }),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'keys-table' },
          h('caption', { class: 'visually-hidden', text: 'Secret keys with hint, scope, creation, last use and status' }),
          h('thead', null, h('tr', null, ['Name', 'Key', 'Scope', 'Created', 'Last used', 'Status', 'Action'].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', null, rows))),
      h('h3', { text: 'Create a key' }),
      createForm(ctx)),
    identitySection(ctx, status));
  ctx.announce(`Keys: ${keys.filter((k) => !k.revokedAt).length} active.`);
}

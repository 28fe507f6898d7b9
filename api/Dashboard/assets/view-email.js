// Email (every member): whether this server sends email, the member's own email preferences
// (follow-up emails, the digest's frequency, weekday, hour and time zone), a preview of their digest
// in a sandboxed iframe, and, for those who may read the audit log, the workspace's delivery log
// with a Retry button on failed or uncertain emails. Everything goes through /v1/email.

import { h, field, mount, uid } from './dom.js';
import * as fmt from './format.js';
import { formErrors, statusLine } from './ui.js';

export const title = 'Email';

export const LABELS = {
  followUpEmails: 'Email me the follow-ups assigned to me',
  digest: 'Digest',
  digestDay: 'Weekday',
  digestHour: 'Hour',
  timeZone: 'Time zone',
};

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const STATUS = { pending: 'Pending', sending: 'Sending', sent: 'Sent', failed: 'Failed', uncertain: 'Uncertain' };

function preferencesForm(ctx, prefs) {
  const form = h('form', { class: 'settings-form', id: 'email-preferences', novalidate: true, 'aria-label': 'Your email preferences' });
  const errors = formErrors(form, LABELS);
  const status = statusLine('email-status');
  const followUps = h('input', { type: 'checkbox', id: uid('f'), checked: prefs.followUpEmails });
  const digest = h('select', null, [['off', 'Off'], ['daily', 'Daily'], ['weekly', 'Weekly']]
    .map(([value, text]) => h('option', { value, text, selected: value === prefs.digest })));
  const day = h('select', null, DAYS.map((text, i) => h('option', { value: String(i), text, selected: i === prefs.digestDay })));
  const hour = h('input', { type: 'number', min: 0, max: 23, step: 1, value: prefs.digestHour, inputmode: 'numeric' });
  const zone = h('input', { type: 'text', value: prefs.timeZone, autocomplete: 'off', spellcheck: 'false' });
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    status.textContent = 'Saving…';
    try {
      await ctx.api.put('/dashboard/api/email/preferences', {
        followUpEmails: followUps.checked,
        digest: digest.value,
        digestDay: Number(day.value),
        digestHour: hour.value.trim() === '' ? null : Number(hour.value),
        timeZone: zone.value.trim(),
      });
      status.textContent = `Saved at ${new Date().toISOString().slice(11, 19)} UTC.`;
      const frame = document.getElementById('digest-preview');
      if (frame) frame.src = frame.src;
    } catch (error) {
      status.textContent = '';
      errors.showError(error, 'Your email preferences were not saved');
    }
  });
  mount(form,
    errors.summary,
    h('div', { class: 'field check', dataset: { field: 'followUpEmails' } },
      followUps, h('label', { for: followUps.id, text: LABELS.followUpEmails }), h('p', { class: 'error' })),
    h('div', { class: 'grid-2' },
      field(LABELS.digest, digest, { name: 'digest', hint: 'NPS and its change, answers, new detractors, overdue follow-ups, accounts whose health fell.' }),
      field(LABELS.digestDay, day, { name: 'digestDay', hint: 'For the weekly digest.' }),
      field(LABELS.digestHour, hour, { name: 'digestHour', hint: '0 to 23, in your time zone.' }),
      field(LABELS.timeZone, zone, { name: 'timeZone', hint: `An IANA name; this browser is in ${here}.` })),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Save email preferences' }), status));
  return form;
}

async function deliveryLog(ctx, holder) {
  const items = (await ctx.api.get('/v1/email/deliveries', { limit: 50 })).items || [];
  const retry = ctx.can('workspace:manage');
  mount(holder,
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Email delivery log' },
      h('table', { class: 'data deliveries', id: 'email-deliveries' },
        h('caption', { text: 'Emails of this workspace, newest first' }),
        h('thead', null, h('tr', null, ['Email', 'To', 'Status', 'Attempts', 'Error', 'Queued', 'Sent', 'Action'].map((c) =>
          h('th', { scope: 'col', class: c === 'Attempts' ? 'num' : null, text: c })))),
        h('tbody', null, items.length ? items.map((m) => h('tr', { dataset: { email: String(m.id), status: m.status } },
          h('th', { scope: 'row', class: 'wrap', text: m.subject }),
          h('td', { text: m.recipient }),
          h('td', null, h('span', { class: `badge ${m.status === 'sent' ? 'ok' : m.status === 'failed' || m.status === 'uncertain' ? 'risk' : 'paused'}`,
            text: STATUS[m.status] || m.status })),
          h('td', { class: 'num', text: String(m.attempts) }),
          h('td', { class: 'wrap', text: m.lastError || '—' }),
          h('td', { text: fmt.dateTime(m.createdAt) || '—' }),
          h('td', { text: fmt.dateTime(m.sentAt) || '—' }),
          h('td', null, retry && (m.status === 'failed' || m.status === 'uncertain')
            ? h('button', { type: 'button', class: 'button small', text: 'Retry', 'aria-label': `Send email ${m.id} again`,
              on: { click: async () => {
                await ctx.api.post(`/v1/email/deliveries/${m.id}/retry`);
                await deliveryLog(ctx, holder);
              } } })
            : null)))
          : h('tr', null, h('td', { colspan: 8, text: 'No email yet: invitations, password resets, follow-ups and digests appear here.' }))))));
}

export async function render(ctx, root) {
  const [status, prefs] = await Promise.all([ctx.api.get('/v1/email'), ctx.api.get('/dashboard/api/email/preferences')]);
  if (!ctx.current()) return;
  const log = h('div', { id: 'email-log' });
  mount(root,
    h('h1', { tabindex: -1, text: 'Email' }),
    h('section', { class: 'card', 'aria-labelledby': 'email-server-title' },
      h('h2', { id: 'email-server-title', text: 'Sending' }),
      status.configured
        ? h('p', { id: 'email-configured', text: `Pulse sends email from ${status.from}; links in it open ${status.dashboardUrl}.` })
        : h('p', { id: 'email-not-configured', text: 'Email is not configured on this server (Email:Smtp:Host and Email:Smtp:From), so nothing is sent: '
          + 'invitation and password reset links are shown to copy instead, and digests wait until it is.' })),
    h('section', { class: 'card', 'aria-labelledby': 'email-prefs-title' },
      h('h2', { id: 'email-prefs-title', text: 'Your email' }),
      preferencesForm(ctx, prefs)),
    h('section', { class: 'card', 'aria-labelledby': 'email-preview-title' },
      h('h2', { id: 'email-preview-title', text: 'Your digest, as it would be sent now' }),
      // The preview loads on request: a sandboxed frame (no scripts) is built only when asked for.
      h('button', { type: 'button', class: 'button', id: 'digest-preview-show', text: 'Show the preview', on: { click: (event) => {
        event.currentTarget.replaceWith(h('iframe', { id: 'digest-preview', class: 'email-preview', src: '/dashboard/api/email/digest/preview', sandbox: '', title: 'Preview of your digest' }));
      } } })),
    ctx.can('audit:read')
      ? h('section', { class: 'card', 'aria-labelledby': 'email-log-title' }, h('h2', { id: 'email-log-title', text: 'Delivery log' }), log)
      : null);
  if (ctx.can('audit:read')) await deliveryLog(ctx, log);
  ctx.announce('Email loaded.');
}

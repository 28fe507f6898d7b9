// Webhooks: create a subscription (JSON or Slack), send a test, read the delivery log with each
// attempt's status and error, retry a failed delivery, rotate the signing secret (shown once, with
// the rotation window) and delete — each through /v1/webhooks, destructive ones after asking. A
// trait filter ("only accounts where csm = Dana Lee") routes each CSM's accounts to their channel;
// it is set at creation and changed in place (PATCH) when accounts change hands.

import { h, field, mount } from './dom.js';
import * as fmt from './format.js';
import { confirmAction, formErrors, secretOnce, statusLine } from './ui.js';

export const title = 'Webhooks';

const EVENTS = [
  ['response.created', 'A user answers'],
  ['response.updated', 'An answer changes (a comment is added)'],
  ['decline.created', 'A user dismisses a survey'],
];
/**
 * The categories a subscription can filter on, for the kinds of the surveys it covers: one survey's
 * kind ("Dissatisfied (1–2)"), or for every survey each kind the workspace asks, named with its
 * ranges ("Neutral (CSAT 3, CES 4)"). Lowest first, kind by kind, as the API lists them.
 */
export function categoryOptions(kinds) {
  // In the order of fmt.KINDS, whatever the order of the surveys (eNPS shares NPS's categories).
  const asked = new Set(kinds.map((k) => (k === 'enps' ? 'nps' : k)));
  const names = Object.keys(fmt.KINDS).filter((k) => asked.has(k));
  const single = names.length === 1;
  const found = new Map();
  for (const name of names) {
    const K = fmt.kindOf(name);
    for (const [key, label, lo, hi] of K.categories) {
      const range = lo === hi ? String(lo) : `${lo}–${hi}`;
      const entry = found.get(key) || { label, ranges: [] };
      entry.ranges.push(single ? range : `${K.label} ${range}`);
      found.set(key, entry);
    }
  }
  return [...found].map(([key, { label, ranges }]) => [key, `${label} (${ranges.join(', ')})`]);
}

/** The kinds a subscription to `surveyId` ('' for every survey) can hear from. */
function kindsOf(ctx, surveyId) {
  const surveys = surveyId ? ctx.surveys.filter((sv) => sv.id === surveyId) : ctx.surveys;
  const kinds = surveys.map((sv) => sv.kind || 'nps');
  return kinds.length ? kinds : ['nps'];
}

export const LABELS = {
  url: 'Address (URL)',
  events: 'Send when',
  categories: 'Only these answers',
  surveyId: 'Survey',
  format: 'Format',
  where: 'Only accounts where',
};

const WHERE_HINT = 'trait=value pairs separated by ";" — e.g. csm=Dana Lee; plan=enterprise. Every pair must hold; empty: every account.';

/** "csm=Dana Lee; plan=pro" → { csm: 'Dana Lee', plan: 'pro' }, or null when empty; a pair without "=" is kept for the API to refuse. */
export function parseWhere(text) {
  const pairs = text.split(';').map((p) => p.trim()).filter(Boolean);
  if (!pairs.length) return null;
  return Object.fromEntries(pairs.map((p) => {
    const at = p.indexOf('=');
    return at < 0 ? [p, ''] : [p.slice(0, at).trim(), p.slice(at + 1).trim()];
  }));
}

/** { csm: 'Dana Lee' } → "csm=Dana Lee" (the form's own spelling). */
export function whereText(where) {
  return where ? Object.entries(where).map(([k, v]) => `${k}=${v}`).join('; ') : '';
}

const STATUS = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' };

/** A group of checkboxes as one field (fieldset + legend), named for the API's error keys. */
function checkboxes(name, legend, options, checked, hint) {
  const boxes = options.map(([value, label]) => {
    const input = h('input', { type: 'checkbox', name, value, id: `webhook-${name}-${value.replace('.', '-')}`, checked: checked.includes(value) });
    return h('span', { class: 'check' }, input, h('label', { for: input.id, text: label }));
  });
  const set = h('fieldset', { class: 'field checks', dataset: { field: name } },
    h('legend', { text: legend }), hint ? h('p', { class: 'hint', text: hint }) : null, boxes, h('p', { class: 'error' }));
  set.values = () => boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
  return set;
}

function createForm(ctx, done) {
  const form = h('form', { class: 'webhook-form', id: 'webhook-create', novalidate: true, 'aria-labelledby': 'webhook-create-title' });
  const errors = formErrors(form, LABELS);
  const url = h('input', { type: 'url', id: 'webhook-url', autocomplete: 'off', placeholder: 'https://hooks.example.com/pulse' });
  const formats = [['json', 'JSON, signed (Standard Webhooks)'], ['slack', 'Slack message (an incoming-webhook URL)']].map(([value, label], i) => {
    const input = h('input', { type: 'radio', name: 'format', value, id: `webhook-format-${value}`, checked: i === 0 });
    return h('span', { class: 'check' }, input, h('label', { for: input.id, text: label }));
  });
  const format = h('fieldset', { class: 'field checks', dataset: { field: 'format' } }, h('legend', { text: LABELS.format }), formats, h('p', { class: 'error' }));
  const events = checkboxes('events', LABELS.events, EVENTS, ['response.created']);
  const categoryBoxes = (surveyId, checked) =>
    checkboxes('categories', LABELS.categories, categoryOptions(kindsOf(ctx, surveyId)), checked, 'None ticked: every answer.');
  let categories = categoryBoxes('', []);
  const survey = h('select', { id: 'webhook-survey' },
    h('option', { value: '', text: 'All surveys' }), ctx.surveys.map((sv) => h('option', { value: sv.id, text: sv.name })));
  // The categories follow the chosen survey's kind; the ticks that still exist stay ticked.
  survey.addEventListener('change', () => {
    const next = categoryBoxes(survey.value, categories.values());
    categories.replaceWith(next);
    categories = next;
  });
  const where = h('input', { type: 'text', id: 'webhook-where', autocomplete: 'off', spellcheck: 'false', placeholder: 'csm=Dana Lee' });
  const status = statusLine('webhook-create-status');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    const picked = categories.values();
    const body = {
      url: url.value.trim(),
      format: form.querySelector('input[name=format]:checked').value,
      events: events.values(),
      categories: picked.length ? picked : null,
      surveyId: survey.value || null,
      where: parseWhere(where.value),
    };
    status.textContent = 'Creating…';
    try {
      const created = await ctx.api.post('/v1/webhooks', body);
      status.textContent = '';
      done(created);
    } catch (error) {
      status.textContent = '';
      errors.showError(error, 'The webhook was not created');
    }
  });
  mount(form,
    h('h2', { id: 'webhook-create-title', text: 'New webhook' }),
    errors.summary,
    field(LABELS.url, url, { name: 'url', hint: 'A public https address. Pulse POSTs each event to it as it happens.' }),
    format, events, categories,
    field(LABELS.surveyId, survey, { name: 'surveyId' }),
    field(LABELS.where, where, { name: 'where', hint: WHERE_HINT }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Create webhook' }), status));
  return form;
}

/**
 * Draws the delivery log of one webhook, newest first, with a Retry button on failed deliveries.
 * With `waitFor` ({ id, attempts }) it looks again for a few seconds until that delivery has made
 * one more attempt, and returns it (null when it did not in time).
 */
async function deliveryLog(ctx, hook, holder, waitFor) {
  const draw = (items) => mount(holder,
    // Focusable, so keyboard users can scroll a log wider than a phone.
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `Delivery log of ${hook.url}` },
      h('table', { class: 'data deliveries', id: `deliveries-${hook.id}` },
        h('caption', { text: `Deliveries to ${hook.url}, newest first` }),
        h('thead', null, h('tr', null, ['Event', 'Status', 'Attempts', 'Last answer', 'Error', 'Last attempt', 'Next attempt', 'Action'].map((c) =>
          h('th', { scope: 'col', class: c === 'Attempts' ? 'num' : null, text: c })))),
        h('tbody', null, items.length ? items.map((d) => h('tr', { dataset: { delivery: String(d.id), status: d.status } },
          h('th', { scope: 'row', text: d.eventType }),
          h('td', null, h('span', { class: `badge ${d.status === 'delivered' ? 'ok' : d.status === 'failed' ? 'risk' : 'paused'}`, text: STATUS[d.status] || d.status })),
          h('td', { class: 'num', text: String(d.attempts) }),
          h('td', { text: d.lastStatus ? `HTTP ${d.lastStatus}` : '—' }),
          h('td', { class: 'wrap', text: d.lastError || '—' }),
          h('td', { text: fmt.dateTime(d.lastAttemptAt) || '—' }),
          h('td', { text: d.status === 'pending' ? fmt.dateTime(d.nextAttemptAt) || 'now' : '—' }),
          h('td', null, d.status === 'failed'
            ? h('button', { type: 'button', class: 'button small', text: 'Retry', 'aria-label': `Retry delivery ${d.id}`,
              on: { click: async () => {
                await ctx.api.post(`/v1/webhooks/${encodeURIComponent(hook.id)}/deliveries/${d.id}/retry`);
                await deliveryLog(ctx, hook, holder, { id: d.id, attempts: d.attempts });
              } } })
            : null)))
          : h('tr', null, h('td', { colspan: 8, text: 'Nothing sent yet: answers matching this webhook, and tests, appear here.' }))))));
  for (let look = 0; ; look += 1) {
    const items = (await ctx.api.get(`/v1/webhooks/${encodeURIComponent(hook.id)}/deliveries`, { limit: 20 })).items || [];
    draw(items);
    if (!waitFor) return null;
    const watched = items.find((d) => d.id === waitFor.id);
    if (watched && watched.attempts > waitFor.attempts) return watched;
    if (look >= 20) return null;
    await new Promise((resolve) => { setTimeout(resolve, 750); });
  }
}

function webhookCard(ctx, hook, refresh) {
  const log = h('div', { class: 'delivery-log', id: `log-${hook.id}` });
  const status = statusLine(`webhook-status-${hook.id}`);
  const secretHolder = h('div');
  const survey = hook.surveyId ? (ctx.surveys.find((s) => s.id === hook.surveyId)?.name || hook.surveyId) : 'all surveys';
  const events = hook.events.map((e) => EVENTS.find(([k]) => k === e)?.[1] || e).join('; ');
  const labels = new Map(categoryOptions(kindsOf(ctx, hook.surveyId || '')));
  const categories = hook.categories ? hook.categories.map((c) => labels.get(c) || c).join('; ') : 'every answer';
  const id = encodeURIComponent(hook.id);

  const test = h('button', { type: 'button', class: 'button small', text: 'Send a test', 'aria-label': `Send a test to ${hook.url}` });
  test.addEventListener('click', async () => {
    test.disabled = true;
    status.textContent = 'Sending a test ping…';
    try {
      const queued = await ctx.api.post(`/v1/webhooks/${id}/test`);
      const outcome = await deliveryLog(ctx, hook, log, { id: queued.deliveryId, attempts: 0 });
      status.textContent = !outcome ? 'The test is queued; the log below shows when it is sent.'
        : outcome.status === 'delivered' ? `Test delivered: the receiver answered HTTP ${outcome.lastStatus}.`
          : `The test was not delivered: ${outcome.lastError || `HTTP ${outcome.lastStatus}`}${outcome.status === 'pending' ? '; Pulse tries again later.' : '.'}`;
    } catch (error) {
      status.textContent = `The test could not be sent: ${error.message}`;
    } finally {
      test.disabled = false;
    }
  });
  const showLog = h('button', { type: 'button', class: 'button small', text: 'Delivery log', 'aria-label': `Delivery log of ${hook.url}`,
    on: { click: () => deliveryLog(ctx, hook, log) } });
  const rotate = h('button', { type: 'button', class: 'button small', text: 'Rotate secret', 'aria-label': `Rotate secret of ${hook.url}`,
    on: { click: async () => {
      const ok = await confirmAction({
        title: 'Rotate the signing secret?',
        body: [
          `Pulse creates a new secret for ${hook.url} and shows it once.`,
          'For the rotation window (one day unless the server says otherwise) every request carries signatures with the new and the old secret, '
            + 'so your receiver keeps verifying while you deploy the new one. After the window only the new secret signs.',
        ],
        confirm: 'Rotate secret',
        danger: false,
      });
      if (!ok) return;
      try {
        const rotated = await ctx.api.post(`/v1/webhooks/${id}/rotate-secret`);
        mount(secretHolder, secretOnce({
          title: 'Copy the new signing secret now',
          value: rotated.secret,
          label: 'the new signing secret',
          notes: [
            `It is shown only now. The old secret keeps signing beside it until ${fmt.dateTime(rotated.previousSecretExpiresAt)}: deploy the new one to your receiver before then.`,
          ],
        }));
      } catch (error) {
        status.textContent = `The secret was not rotated: ${error.message}`;
      }
    } } });
  // The trait filter, changed in place: the subscription keeps its secret and its log.
  const whereInput = h('input', { type: 'text', id: `where-${hook.id}`, value: whereText(hook.where), autocomplete: 'off', spellcheck: 'false' });
  const whereForm = h('form', { class: 'inline-form where-form', novalidate: true, hidden: true, 'aria-label': `Accounts filter of ${hook.url}` },
    field(LABELS.where, whereInput, { name: 'where', hint: WHERE_HINT }),
    h('button', { type: 'submit', class: 'button small primary', text: 'Save filter' }));
  whereForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await ctx.api.patch(`/v1/webhooks/${id}`, { where: parseWhere(whereInput.value) });
      refresh(`Saved the accounts filter of the webhook to ${hook.url}.`);
    } catch (error) {
      const messages = error.fieldErrors ? Object.values(error.fieldErrors).flat().join(' ') : '';
      status.textContent = `The filter was not saved: ${messages || error.message}`;
    }
  });
  const editWhere = h('button', { type: 'button', class: 'button small', text: 'Edit accounts filter', 'aria-label': `Edit accounts filter of ${hook.url}`,
    'aria-expanded': 'false', on: { click: (event) => {
      whereForm.hidden = !whereForm.hidden;
      event.currentTarget.setAttribute('aria-expanded', String(!whereForm.hidden));
      if (!whereForm.hidden) whereInput.focus();
    } } });
  const remove = h('button', { type: 'button', class: 'button small danger', text: 'Delete', 'aria-label': `Delete the webhook to ${hook.url}`,
    on: { click: async () => {
      const ok = await confirmAction({
        title: 'Delete this webhook?',
        body: [`Pulse stops sending to ${hook.url} at once and drops the deliveries still waiting; its delivery log goes too.`,
          'Answers stay in Pulse. This cannot be undone.'],
        confirm: 'Delete webhook',
      });
      if (!ok) return;
      try {
        await ctx.api.delete(`/v1/webhooks/${id}`);
        refresh(`Deleted the webhook to ${hook.url}.`);
      } catch (error) {
        status.textContent = `The webhook was not deleted: ${error.message}`;
      }
    } } });

  return h('li', { class: 'card webhook', dataset: { webhook: hook.id } },
    h('h3', { class: 'wrap', text: hook.url }),
    h('dl', { class: 'facts' },
      h('dt', { text: 'Format' }), h('dd', { text: hook.format === 'slack' ? 'Slack message' : 'JSON, signed' }),
      h('dt', { text: 'Sends when' }), h('dd', { text: events }),
      h('dt', { text: 'Answers' }), h('dd', { text: categories }),
      h('dt', { text: 'Survey' }), h('dd', { text: survey }),
      h('dt', { text: 'Accounts' }), h('dd', { class: 'where', text: hook.where ? whereText(hook.where).replaceAll('=', ' = ') : 'every account' }),
      h('dt', { text: 'Created' }), h('dd', { text: fmt.dateTime(hook.createdAt) }),
      hook.previousSecretExpiresAt ? [h('dt', { text: 'Old secret' }), h('dd', { text: `still signs until ${fmt.dateTime(hook.previousSecretExpiresAt)}` })] : null),
    h('div', { class: 'actions' }, test, showLog, editWhere, rotate, remove),
    whereForm, status, secretHolder, log);
}

export async function render(ctx, root) {
  const listed = await ctx.api.get('/v1/webhooks');
  if (!ctx.current()) return;
  const hooks = listed.items || [];
  const flash = statusLine('webhooks-status');
  flash.textContent = ctx.flash() || '';
  const refresh = (message) => ctx.set({}, { flash: message });
  const created = h('div');
  const form = createForm(ctx, (hook) => {
    ctx.set({}, { flash: `Created the webhook to ${hook.url}.`, keep: secretOnce({
      title: 'Copy the signing secret now',
      value: hook.secret,
      label: 'the signing secret',
      notes: ['It is shown only now: Pulse keeps it to sign requests but never shows it again. '
        + 'Your receiver checks each request\'s webhook-signature header with it (see docs/api.md, Webhooks).'],
    }) });
  });
  const kept = ctx.kept();
  if (kept) created.append(kept);
  mount(root,
    h('h1', { tabindex: -1, text: 'Webhooks' }),
    flash,
    created,
    h('section', { class: 'card', 'aria-labelledby': 'webhooks-title' },
      h('h2', { id: 'webhooks-title', text: `Webhooks (${hooks.length})` }),
      h('p', { class: 'muted', text: 'Pulse calls these addresses the moment something happens, signed, and retries for about a day when they fail.' }),
      hooks.length ? h('ul', { class: 'webhooks', id: 'webhook-list' }, hooks.map((hook) => webhookCard(ctx, hook, refresh)))
        : h('p', { class: 'muted', text: 'No webhooks yet.' })),
    h('section', { class: 'card' }, form));
  ctx.announce(`Webhooks: ${hooks.length}.`);
}

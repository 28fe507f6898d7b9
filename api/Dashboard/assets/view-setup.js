// Setup: the snippet with this workspace's site key, the server-side userHash, and the survey
// settings editor, which shows the API's validation messages next to the fields they name.

import { ApiError } from './api.js';
import { field, h, mount, uid } from './dom.js';
import { scoreRange } from './format.js';

export const title = 'Setup';

const OPS = [['eq', 'equals'], ['neq', 'does not equal'], ['in', 'is one of'], ['nin', 'is none of'],
  ['exists', 'is set'], ['gte', 'is at least'], ['lte', 'is at most']];
const TEXT_FIELDS = [
  ['question', 'Question'], ['low', 'Label under 0'], ['high', 'Label under 10'],
  ['followUp.promoter', `Follow-up for promoters (${scoreRange('promoter')})`], ['followUp.passive', `Follow-up for passives (${scoreRange('passive')})`],
  ['followUp.detractor', `Follow-up for detractors (${scoreRange('detractor')})`], ['placeholder', 'Comment placeholder'],
  ['submit', 'Submit button'], ['dismiss', 'Close button label'], ['thanks', 'Thank-you message'],
];
const POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left', 'center'];

/** The snippet a vendor pastes: the widget's loader line with this server's URL, then init. */
export function snippet(siteKey, origin) {
  return `<script>
!function(w,d,s){w.pulse=w.pulse||function(){(w.pulse.q=w.pulse.q||[]).push(arguments)};s=d.createElement('script');s.async=1;s.src='${origin}/widget/v1/pulse.js';d.head.appendChild(s)}(window,document);
pulse('init', {
  siteKey: '${siteKey}',
  user: {
    id: 'u-123',                        // your id for the signed-in user
    email: 'ada@example.com',           // optional
    createdAt: '2026-01-02T00:00:00Z',  // sign-up: the first survey waits 30 days after it
    traits: { plan: 'premium', role: 'admin', csm: 'Dana', accountId: 'acme', accountName: 'Acme', arr: 48000 }
  },
  userHash: '…'                         // HMAC-SHA256 of the id, computed on your server (below)
});
</script>`;
}

const HASH_EXAMPLES = [
  ['C#', `using System.Security.Cryptography;
using System.Text;

static string UserHash(string identitySecret, string userId) =>
    Convert.ToHexStringLower(HMACSHA256.HashData(
        Encoding.UTF8.GetBytes(identitySecret), Encoding.UTF8.GetBytes(userId)));`],
  ['Node.js', `import { createHmac } from 'node:crypto';

const userHash = (identitySecret, userId) =>
  createHmac('sha256', identitySecret).update(userId).digest('hex');`],
  ['Python', `import hashlib, hmac

def user_hash(identity_secret: str, user_id: str) -> str:
    return hmac.new(identity_secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()`],
  ['Shell', `printf '%s' "$USER_ID" | openssl dgst -sha256 -hmac "$IDENTITY_SECRET" | cut -d' ' -f2`],
];

function copyButton(getText, label) {
  const status = h('span', { class: 'muted copy-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button small', text: 'Copy', 'aria-label': label });
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(getText());
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'Copy failed: select the text and copy it.';
    }
  });
  return h('span', { class: 'copy' }, button, status);
}

function codeBlock(text, label) {
  return h('div', { class: 'code' },
    copyButton(() => text, `Copy ${label}`),
    h('pre', { tabindex: 0, 'aria-label': label }, h('code', { text })));
}

/** Error keys as the API names them ("targeting[0].op", "$.texts.de.question") in one spelling. */
export function normalizeField(name) {
  return String(name).replace(/^\$\.?/, '').replace(/\[['"]?([^\]'"]+)['"]?\]/g, '.$1').replace(/^\./, '').toLowerCase();
}

function hashExamples() {
  const tabs = HASH_EXAMPLES.map(([lang, code]) => h('details', { class: 'example' },
    h('summary', { text: lang }), codeBlock(code, `userHash example in ${lang}`)));
  tabs[0].open = true;
  return tabs;
}

// ---- the survey editor ------------------------------------------------------------------------

function numberInput(value, attrs = {}) {
  return h('input', { type: 'number', inputmode: 'decimal', value: value ?? '', ...attrs });
}

function conditionRow(condition, index, onRemove) {
  const trait = h('input', { type: 'text', value: condition.trait ?? '', autocomplete: 'off', dataset: { part: 'trait' } });
  const op = h('select', { dataset: { part: 'op' } }, OPS.map(([v, label]) => h('option', { value: v, text: label, selected: v === condition.op })));
  const value = h('input', {
    type: 'text', autocomplete: 'off', dataset: { part: 'value' },
    value: Array.isArray(condition.values) ? condition.values.join(', ') : condition.value ?? '',
  });
  const syncValue = () => { value.disabled = op.value === 'exists'; };
  op.addEventListener('change', syncValue);
  syncValue();
  const row = h('fieldset', { class: 'condition' },
    h('legend', { text: `Condition ${index + 1}` }),
    field('Trait', trait, { name: `targeting[${index}].trait` }),
    field('Operator', op, { name: `targeting[${index}].op` }),
    field('Value', value, { name: `targeting[${index}].value`, hint: 'Comma-separated for "is one of" / "is none of".' }),
    h('button', { type: 'button', class: 'button small subtle', text: 'Remove', 'aria-label': `Remove condition ${index + 1}`, on: { click: onRemove } }));
  row.read = () => {
    const c = { trait: trait.value.trim(), op: op.value };
    if (op.value === 'in' || op.value === 'nin') c.values = value.value.split(',').map((v) => v.trim()).filter(Boolean);
    else if (op.value === 'gte' || op.value === 'lte') c.value = value.value.trim() === '' ? null : Number(value.value);
    else if (op.value !== 'exists') c.value = value.value;
    return c;
  };
  return row;
}

function localeBlock(locale, texts, onRemove) {
  const inputs = TEXT_FIELDS.map(([key, label]) => {
    const [a, b] = key.split('.');
    const current = b ? texts?.[a]?.[b] : texts?.[a];
    const control = key === 'question' || key.startsWith('followUp')
      ? h('textarea', { rows: 2, dataset: { key } }, current ?? '')
      : h('input', { type: 'text', value: current ?? '', dataset: { key } });
    return field(label, control, { name: `texts.${locale}.${key}` });
  });
  const block = h('fieldset', { class: 'locale', dataset: { locale } },
    h('legend', { text: `Texts for ${locale}` }),
    h('p', { class: 'hint', text: 'Leave a field empty to use the built-in translation. {product} is replaced by your product name.' }),
    h('div', { class: 'grid-2' }, inputs),
    h('button', { type: 'button', class: 'button small subtle', text: `Remove ${locale}`, on: { click: onRemove } }));
  block.read = () => {
    const out = {};
    for (const el of block.querySelectorAll('[data-key]')) {
      const v = el.value.trim();
      if (!v) continue;
      const [a, b] = el.dataset.key.split('.');
      if (b) { out[a] = out[a] || {}; out[a][b] = v; } else out[a] = v;
    }
    return out;
  };
  return block;
}

function surveyEditor(ctx, survey) {
  const form = h('form', { class: 'survey-form', novalidate: true, 'aria-labelledby': 'survey-form-title' });
  const summary = h('div', { class: 'error-summary', role: 'alert', hidden: true, tabindex: -1 });
  const saved = h('p', { class: 'muted', role: 'status' });

  const name = h('input', { type: 'text', value: survey.name ?? '', required: true });
  const active = h('input', { type: 'checkbox', checked: !!survey.active });
  const priority = numberInput(survey.priority, { step: 1 });
  const trigger = h('input', { type: 'text', value: survey.trigger ?? '', autocomplete: 'off', placeholder: 'any page view' });
  const delay = numberInput(survey.firstSurveyDelayDays, { min: 0, step: 1 });
  const resurvey = numberInput(survey.resurveyDays, { min: 0, step: 1 });
  const cooldown = numberInput(survey.declineCooldownDays, { min: 0, step: 1 });
  const reshow = numberInput(survey.reshowAfterIgnoredDays, { min: 0, step: 1 });
  const sample = numberInput(survey.samplePercent, { min: 0, max: 100, step: 0.1 });
  const cap = numberInput(survey.dailyCap, { min: 1, step: 1, placeholder: 'no cap' });
  const domains = h('textarea', { rows: 2 }, (survey.excludeEmailDomains || []).join(', '));
  const color = h('input', { type: 'color', value: /^#[0-9a-f]{6}$/i.test(survey.theme?.color || '') ? survey.theme.color : '#4f46e5' });
  const position = h('select', null, POSITIONS.map((p) => h('option', { value: p, text: p, selected: p === (survey.theme?.position || 'bottom-right') })));

  const conditions = h('div', { class: 'conditions' });
  let conditionRows = [];
  const drawConditions = (list) => {
    conditionRows = list.map((c, i) => conditionRow(c, i, () => drawConditions(readConditions().filter((_, j) => j !== i))));
    mount(conditions, conditionRows.length ? conditionRows : h('p', { class: 'muted', text: 'Everyone is targeted.' }));
  };
  const readConditions = () => conditionRows.map((r) => r.read());
  drawConditions(survey.targeting || []);
  const addCondition = h('button', { type: 'button', class: 'button small', text: 'Add condition',
    on: { click: () => drawConditions([...readConditions(), { trait: '', op: 'eq', value: '' }]) } });

  const locales = h('div', { class: 'locales' });
  let localeBlocks = [];
  const readTexts = () => Object.fromEntries(localeBlocks.map((b) => [b.dataset.locale, b.read()]));
  const drawLocales = (texts) => {
    localeBlocks = Object.entries(texts).map(([loc, t]) => localeBlock(loc, t, () => {
      const next = readTexts();
      delete next[loc];
      drawLocales(next);
    }));
    mount(locales, localeBlocks.length ? localeBlocks : h('p', { class: 'muted', text: 'Built-in translations in every locale; no overrides.' }));
  };
  drawLocales(survey.texts || {});
  const newLocale = h('input', { type: 'text', autocomplete: 'off', placeholder: 'de, pt-BR, ja…', size: 8 });
  const addLocale = h('button', { type: 'button', class: 'button small', text: 'Add locale' });
  addLocale.addEventListener('click', () => {
    const loc = newLocale.value.trim();
    if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(loc)) { newLocale.setAttribute('aria-invalid', 'true'); newLocale.focus(); return; }
    newLocale.removeAttribute('aria-invalid');
    const texts = readTexts();
    if (!(loc in texts)) texts[loc] = {};
    drawLocales(texts);
    newLocale.value = '';
  });

  const toNumber = (input) => (input.value.trim() === '' ? null : Number(input.value));
  const read = () => ({
    ...survey,
    name: name.value.trim(),
    active: active.checked,
    priority: toNumber(priority) ?? 0,
    trigger: trigger.value.trim() || null,
    firstSurveyDelayDays: toNumber(delay),
    resurveyDays: toNumber(resurvey),
    declineCooldownDays: toNumber(cooldown),
    reshowAfterIgnoredDays: toNumber(reshow),
    samplePercent: toNumber(sample),
    dailyCap: toNumber(cap),
    targeting: readConditions(),
    excludeEmailDomains: domains.value.split(/[\s,]+/).map((d) => d.trim()).filter(Boolean),
    texts: readTexts(),
    theme: { ...(survey.theme || {}), color: color.value, position: position.value },
  });

  const clearErrors = () => {
    for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    for (const el of form.querySelectorAll('.field .error')) el.textContent = '';
    summary.hidden = true;
    mount(summary);
  };
  const showErrors = (errors, detail) => {
    const fields = [...form.querySelectorAll('.field[data-field]')];
    const items = [];
    for (const [key, messages] of Object.entries(errors)) {
      const k = normalizeField(key);
      const target = fields.find((f) => normalizeField(f.dataset.field) === k)
        || fields.find((f) => normalizeField(f.dataset.field).startsWith(`${k}.`))
        || fields.find((f) => k.startsWith(`${normalizeField(f.dataset.field)}.`));
      const text = messages.join(' ');
      if (target) {
        target.classList.add('invalid');
        const control = target.querySelector('input, select, textarea');
        control.setAttribute('aria-invalid', 'true');
        const error = target.querySelector('.error');
        error.textContent = error.textContent ? `${error.textContent} ${text}` : text;
        items.push(h('li', null, h('button', { type: 'button', class: 'link', text: `${target.querySelector('label').textContent}: ${text}`, on: { click: () => control.focus() } })));
      } else {
        items.push(h('li', { text }));
      }
    }
    if (!items.length && detail) items.push(h('li', { text: detail }));
    mount(summary, h('h3', { text: 'The survey was not saved' }), h('ul', null, items));
    summary.hidden = false;
    summary.focus();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    saved.textContent = 'Saving…';
    try {
      const result = await ctx.api.put(`/v1/surveys/${encodeURIComponent(survey.id)}`, read());
      Object.assign(survey, result);
      saved.textContent = `Saved at ${new Date().toISOString().slice(11, 19)} UTC.`;
    } catch (error) {
      saved.textContent = '';
      if (error instanceof ApiError) showErrors(error.fieldErrors, error.message);
      else showErrors({}, String(error.message || error));
    }
  });

  mount(form,
    h('h3', { id: 'survey-form-title', text: `Survey settings: ${survey.name}` }),
    summary,
    h('fieldset', null, h('legend', { text: 'Survey' }),
      h('div', { class: 'grid-2' },
        field('Name', name, { name: 'name' }),
        field('Priority', priority, { name: 'priority', hint: 'Lower numbers are asked first when several surveys apply.' }),
        field('Trigger event', trigger, { name: 'trigger', hint: 'Empty: any page view. Or an event such as support_case_closed, sent with pulse(\'track\', …).' }),
        h('div', { class: 'field check', dataset: { field: 'active' } }, active, h('label', { for: active.id || (active.id = uid('f')), text: 'Active' }), h('p', { class: 'error' })))),
    h('fieldset', null, h('legend', { text: 'Timing and throttles' }),
      h('div', { class: 'grid-2' },
        field('First survey after sign-up (days)', delay, { name: 'firstSurveyDelayDays' }),
        field('Ask again after a response (days)', resurvey, { name: 'resurveyDays' }),
        field('Wait after a dismissal (days)', cooldown, { name: 'declineCooldownDays' }),
        field('Show again after an ignored survey (days)', reshow, { name: 'reshowAfterIgnoredDays' }),
        field('Sample (% of eligible users)', sample, { name: 'samplePercent', hint: '0 to 100; the same user keeps the same answer within a cycle.' }),
        field('Daily cap (surveys shown per day)', cap, { name: 'dailyCap', hint: 'Empty: no cap.' }))),
    h('fieldset', null, h('legend', { text: 'Targeting' }),
      h('p', { class: 'hint', text: 'All conditions must hold. Traits come from pulse(\'init\', { user: { traits } }).' }),
      conditions, addCondition,
      field('Never survey these email domains', domains, { name: 'excludeEmailDomains', hint: 'Comma-separated, e.g. your own company\'s domain.' })),
    h('fieldset', null, h('legend', { text: 'Texts per locale' }),
      locales,
      h('div', { class: 'inline-form' }, field('New locale', newLocale), addLocale)),
    h('fieldset', null, h('legend', { text: 'Look' }),
      h('div', { class: 'grid-2' }, field('Colour', color, { name: 'theme.color' }), field('Position', position, { name: 'theme.position' }))),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Save survey' }), saved));
  return form;
}

async function surveySection(ctx) {
  const section = h('section', { class: 'card', 'aria-labelledby': 'surveys-title' }, h('h2', { id: 'surveys-title', text: 'Survey settings' }));
  let surveys;
  try {
    const listed = await ctx.api.get('/v1/surveys');
    surveys = Array.isArray(listed) ? listed : listed.items || [];
  } catch (error) {
    section.append(h('p', { class: 'notice warn', text: `The survey settings could not be loaded (${error.message}).` }));
    return section;
  }
  if (!surveys.length) {
    section.append(h('p', { class: 'muted', text: 'This workspace has no survey yet.' }));
    return section;
  }
  const holder = h('div');
  const show = async (id) => {
    mount(holder, h('p', { class: 'muted', text: 'Loading…' }));
    const survey = await ctx.api.get(`/v1/surveys/${encodeURIComponent(id)}`);
    mount(holder, surveyEditor(ctx, survey));
  };
  if (surveys.length > 1) {
    const picker = h('select', { id: 'setup-survey' }, surveys.map((sv) => h('option', { value: sv.id, text: `${sv.name}${sv.active ? '' : ' (inactive)'}` })));
    picker.addEventListener('change', () => show(picker.value));
    section.append(h('div', { class: 'control' }, h('label', { for: picker.id, text: 'Survey' }), picker));
  }
  section.append(holder);
  await show(surveys[0].id);
  return section;
}

export async function render(ctx, root) {
  const ws = ctx.workspace;
  const surveys = await surveySection(ctx);
  if (!ctx.current()) return;
  mount(root,
    h('h1', { tabindex: -1, text: 'Setup' }),
    h('section', { class: 'card', 'aria-labelledby': 'snippet-title' },
      h('h2', { id: 'snippet-title', text: 'Paste the snippet' }),
      h('p', { text: `Put this before </body> on every page of ${ws.productName} where signed-in users should be asked. Your site key is filled in; it is public and only works from your allowed origins.` }),
      codeBlock(snippet(ws.siteKey, location.origin), 'the snippet'),
      h('p', { class: 'muted', text: `Allowed origins: ${ws.allowedOrigins.length ? ws.allowedOrigins.join(', ') : 'none yet — add them with PUT /v1/workspace'}.` })),
    h('section', { class: 'card', 'aria-labelledby': 'hash-title' },
      h('h2', { id: 'hash-title', text: 'Sign user ids on your server' }),
      h('p', { text: 'userHash = lowercase hex HMAC-SHA256(identity secret, user id). Compute it on your server and render it into the page; never ship the identity secret to the browser.' }),
      h('p', { class: ws.requireUserHash ? 'muted' : 'notice warn', text: ws.requireUserHash
        ? 'This workspace requires userHash: calls without a valid one are refused.'
        : 'This workspace does not require userHash: anyone could answer as any user id. Turn requireUserHash on before going live.' }),
      hashExamples()),
    surveys);
  ctx.announce('Setup loaded.');
}

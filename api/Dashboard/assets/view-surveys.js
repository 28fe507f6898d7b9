// Surveys: the workspace's surveys with status, kind, trigger and priority; create, duplicate,
// pause/resume, delete (asking first, and saying that answers stay in reports), and an editor for
// every field of the API, which shows the API's validation messages next to the fields in plain words.

import { h, field, mount, uid } from './dom.js';
import * as fmt from './format.js';
import { confirmAction, formErrors, statusLine } from './ui.js';

export const title = 'Surveys';

const OPS = [['eq', 'equals'], ['neq', 'does not equal'], ['in', 'is one of'], ['nin', 'is none of'],
  ['exists', 'is set'], ['gte', 'is at least'], ['lte', 'is at most']];
/** The kinds a survey can ask, in the order of the API's docs (the kind is fixed once the survey exists). */
const KIND_CHOICES = [['nps', 'NPS: how likely to recommend, 0–10'], ['csat', 'CSAT: how satisfied, 1–5'],
  ['ces', 'CES: how easy, 1–7'], ['enps', 'eNPS: recommend as a place to work, 0–10']];

/** The text fields of a kind: its scale's end labels and one follow-up per category, highest first. */
function textFields(kind) {
  const K = fmt.kindOf(kind);
  return [
    ['question', 'Question'], ['low', `Label under ${K.min}`], ['high', `Label under ${K.max}`],
    ...[...K.categories].reverse().map(([key, name]) => [`followUp.${key}`, `Follow-up for ${name.toLowerCase()} (${fmt.categoryInfo(K.name, key).range})`]),
    ['placeholder', 'Comment placeholder'],
    ['submit', 'Submit button'], ['dismiss', 'Close button label'], ['thanks', 'Thank-you message'],
    ['optOut', '“Don’t ask me again” link'],
    ['reasons.question', 'Reasons question'], ['reasons.other', '“Other” reason'], ['reasons.placeholder', '“Other” placeholder'],
  ];
}
const POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left', 'center'];

/** The API's field names and the labels people see: errors name the label, never the API field. */
export const LABELS = {
  survey: 'Survey',
  name: 'Name',
  kind: 'Kind',
  active: 'Active',
  priority: 'Priority',
  trigger: 'Trigger event',
  firstSurveyDelayDays: 'First survey after sign-up (days)',
  resurveyDays: 'Ask again after a response (days)',
  declineCooldownDays: 'Wait after a dismissal (days)',
  reshowAfterIgnoredDays: 'Show again after an ignored survey (days)',
  samplePercent: 'Sample (% of eligible users)',
  dailyCap: 'Daily cap (surveys shown per day)',
  emailFallbackDays: 'Email fallback (days after an ignored in-app survey)',
  targeting: 'Targeting',
  excludeEmailDomains: 'Never survey these email domains',
  texts: 'Texts per locale',
  variants: 'A/B variants',
  reasons: 'Reasons question',
  theme: 'Look',
  'theme.color': 'Colour',
  'theme.position': 'Position',
};

const triggerText = (s) => (s.trigger ? `Event “${s.trigger}”` : 'Every page view');

// ---- the editor ---------------------------------------------------------------------------------

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

function localeBlock(locale, texts, onRemove, prefix, kind) {
  const inputs = textFields(kind).map(([key, label]) => {
    const [a, b] = key.split('.');
    const current = b ? texts?.[a]?.[b] : texts?.[a];
    const control = key === 'question' || key.startsWith('followUp')
      ? h('textarea', { rows: 2, dataset: { key } }, current ?? '')
      : h('input', { type: 'text', value: current ?? '', dataset: { key } });
    return field(label, control, { name: `${prefix}.${locale}.${key}` });
  });
  const own = prefix === 'texts';
  const dir = own && h('select', null, [['', 'the language’s own'], ['ltr', 'left to right'], ['rtl', 'right to left']]
    .map(([v, label]) => h('option', { value: v, text: label, selected: v === (texts?.dir || '') })));
  const block = h('fieldset', { class: 'locale', dataset: { locale } },
    h('legend', { text: `Texts for ${locale}` }),
    h('p', { class: 'hint', text: own
      ? 'Leave a field empty to use the built-in translation. For a language Pulse does not ship (a custom locale), fill in every field. {product} is replaced by your product name.'
      : 'Only the texts this variant changes; empty fields keep the survey’s wording.' }),
    h('div', { class: 'grid-2' }, inputs, dir && field('Direction (custom locales only)', dir, { name: `${prefix}.${locale}.dir` })),
    h('button', { type: 'button', class: 'button small subtle', text: `Remove ${locale}`, on: { click: onRemove } }));
  block.read = () => {
    const out = {};
    for (const el of block.querySelectorAll('[data-key]')) {
      const v = el.value.trim();
      if (!v) continue;
      const [a, b] = el.dataset.key.split('.');
      if (b) { out[a] = out[a] || {}; out[a][b] = v; } else out[a] = v;
    }
    if (dir && dir.value) out.dir = dir.value;
    return out;
  };
  return block;
}

/** Texts per locale with an "Add locale" control; prefix names the API field (texts, variants[0].texts). */
function localeList(initial, prefix, empty, kind) {
  const locales = h('div', { class: 'locales' });
  let blocks = [];
  const read = () => Object.fromEntries(blocks.map((b) => [b.dataset.locale, b.read()]));
  const draw = (texts) => {
    blocks = Object.entries(texts).map(([loc, t]) => localeBlock(loc, t, () => {
      const next = read();
      delete next[loc];
      draw(next);
    }, prefix, kind));
    mount(locales, blocks.length ? blocks : h('p', { class: 'muted', text: empty }));
  };
  draw(initial || {});
  const newLocale = h('input', { type: 'text', autocomplete: 'off', placeholder: 'de, pt-BR, sw…', size: 8 });
  const add = h('button', { type: 'button', class: 'button small', text: 'Add locale' });
  add.addEventListener('click', () => {
    const loc = newLocale.value.trim();
    if (!/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(loc)) { newLocale.setAttribute('aria-invalid', 'true'); newLocale.focus(); return; }
    newLocale.removeAttribute('aria-invalid');
    const texts = read();
    if (!(loc in texts)) texts[loc] = {};
    draw(texts);
    newLocale.value = '';
  });
  const element = h('div', null, locales, h('div', { class: 'inline-form' }, field('New locale', newLocale), add));
  return { element, read };
}

function variantBlock(variant, index, onRemove, kind) {
  const key = h('input', { type: 'text', value: variant.key ?? '', autocomplete: 'off', size: 10 });
  const weight = numberInput(variant.weight ?? 50, { min: 1, max: 100, step: 1 });
  const texts = localeList(variant.texts, `variants[${index}].texts`, 'The survey’s wording; add a locale to change it in this variant.', kind);
  const block = h('fieldset', { class: 'variant' },
    h('legend', { text: `Variant ${index + 1}` }),
    h('div', { class: 'grid-2' },
      field('Key', key, { name: `variants[${index}].key`, hint: 'a, b, short-question… (a-z, 0-9, _ and -); the variant whose key sorts first is the baseline.' }),
      field('Weight', weight, { name: `variants[${index}].weight`, hint: '1 to 100, relative to the other variants.' })),
    texts.element,
    h('button', { type: 'button', class: 'button small subtle', text: `Remove variant ${index + 1}`, on: { click: onRemove } }));
  // A variant's own reasons question (set through the API) is kept as it is.
  block.read = () => ({ key: key.value.trim(), weight: weight.value.trim() === '' ? null : Number(weight.value), texts: texts.read(), reasons: variant.reasons ?? null });
  return block;
}


/**
 * The reasons question: single or multiple choice, "Other", and one list per category written
 * as "id: label" lines (an empty list is not asked). Labels per locale set through the API are kept.
 */
function reasonsEditor(reasons, kind, typed = null) {
  const known = new Map();
  for (const r of [...(reasons?.options || []), ...Object.values(reasons?.byCategory || {}).flat()]) known.set(r.id, r);
  const multiple = h('input', { type: 'checkbox', checked: reasons ? !!reasons.multiple : true, id: uid('f') });
  const other = h('input', { type: 'checkbox', checked: !!reasons?.other, id: uid('f') });
  const K = fmt.kindOf(kind);
  // One list per category of the kind, lowest first; typed: the lists' text before the kind was changed, by rank.
  const lists = K.categories.map(([category, name, lo, hi], rank) => {
    const label = `${name} (${lo === hi ? lo : `${lo}–${hi}`})`;
    const list = reasons ? (reasons.byCategory?.[category] ?? reasons.options ?? []) : [];
    const area = h('textarea', { rows: 4, spellcheck: 'false' }, typed ? typed[rank] : list.map((r) => `${r.id}: ${r.label}`).join('\n'));
    return { category, area, element: field(label, area, { name: `reasons.byCategory.${category}`, hint: 'One reason a line, “id: label”, e.g. “price: Too expensive”. Empty: not asked.' }) };
  });
  const parse = (text) => text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const at = line.indexOf(':');
    const id = (at < 0 ? line : line.slice(0, at)).trim();
    const label = (at < 0 ? line : line.slice(at + 1)).trim();
    const labels = known.get(id)?.labels;
    return labels ? { id, label, labels } : { id, label };
  });
  const read = () => {
    const byCategory = Object.fromEntries(lists.map((l) => [l.category, parse(l.area.value)]));
    if (Object.values(byCategory).every((l) => l.length === 0)) return null;
    return { multiple: multiple.checked, other: other.checked, options: [], byCategory };
  };
  const element = h('div', { class: 'reasons-editor' },
    h('div', { class: 'field', dataset: { field: 'reasons' } }, h('p', { class: 'error' })),
    h('div', { class: 'check' }, multiple, h('label', { for: multiple.id, text: 'Several reasons may be chosen (checkboxes; else one, radio buttons)' })),
    h('div', { class: 'check' }, other, h('label', { for: other.id, text: 'Offer “Other” with a text field' })),
    lists.map((l) => l.element));
  return { element, read, typed: () => lists.map((l) => l.area.value) };
}

/** The editor of one survey; survey is null to create one. onSaved(result, created) runs after a save. */
function surveyEditor(ctx, survey, onSaved) {
  const creating = !survey;
  const s = survey || { active: true, priority: 0, targeting: [], excludeEmailDomains: [], texts: {}, theme: {}, variants: [] };
  const form = h('form', { class: 'survey-form', novalidate: true, 'aria-labelledby': 'survey-form-title' });
  const errors = formErrors(form, LABELS);
  const saved = statusLine('survey-saved');

  const name = h('input', { type: 'text', value: s.name ?? '', required: true, autocomplete: 'off' });
  const active = h('input', { type: 'checkbox', checked: !!s.active, id: uid('f') });
  const priority = numberInput(s.priority, { step: 1 });
  const trigger = h('input', { type: 'text', value: s.trigger ?? '', autocomplete: 'off', placeholder: 'any page view' });
  const defaultHint = creating ? { placeholder: 'default' } : {};
  const delay = numberInput(s.firstSurveyDelayDays, { min: 0, step: 1, ...defaultHint });
  const resurvey = numberInput(s.resurveyDays, { min: 0, step: 1, ...defaultHint });
  const cooldown = numberInput(s.declineCooldownDays, { min: 0, step: 1, ...defaultHint });
  const reshow = numberInput(s.reshowAfterIgnoredDays, { min: 0, step: 1, ...defaultHint });
  const sample = numberInput(s.samplePercent, { min: 0, max: 100, step: 0.1, ...defaultHint });
  const cap = numberInput(s.dailyCap, { min: 1, step: 1, placeholder: 'no cap' });
  const fallback = numberInput(s.emailFallbackDays, { min: 1, max: 90, step: 1, placeholder: 'off' });
  const domains = h('textarea', { rows: 2 }, (s.excludeEmailDomains || []).join(', '));
  const color = h('input', { type: 'color', value: /^#[0-9a-f]{6}$/i.test(s.theme?.color || '') ? s.theme.color : '#4f46e5' });
  const position = h('select', null, POSITIONS.map((p) => h('option', { value: p, text: p, selected: p === (s.theme?.position || 'bottom-right') })));

  const conditions = h('div', { class: 'conditions' });
  let conditionRows = [];
  const readConditions = () => conditionRows.map((r) => r.read());
  const drawConditions = (list) => {
    conditionRows = list.map((c, i) => conditionRow(c, i, () => drawConditions(readConditions().filter((_, j) => j !== i))));
    mount(conditions, conditionRows.length ? conditionRows : h('p', { class: 'muted', text: 'Everyone is targeted.' }));
  };
  drawConditions(s.targeting || []);
  const addCondition = h('button', { type: 'button', class: 'button small', text: 'Add condition',
    on: { click: () => drawConditions([...readConditions(), { trait: '', op: 'eq', value: '' }]) } });

  // The kind is chosen when the survey is created, then fixed (the API refuses a change: answers are on one scale).
  const kind = h('select', { disabled: !creating },
    KIND_CHOICES.map(([value, text]) => h('option', { value, text, selected: value === (s.kind || 'nps') })));
  let texts = localeList(s.texts, 'texts', 'Built-in translations in every locale; no overrides.', kind.value);
  let reasons = reasonsEditor(s.reasons, kind.value);
  const textsSlot = h('div', null, texts.element);
  const reasonsSlot = h('div', null, reasons.element);

  const variants = h('div', { class: 'variants' });
  let variantBlocks = [];
  const readVariants = () => variantBlocks.map((b) => b.read());
  const drawVariants = (list) => {
    variantBlocks = list.map((v, i) => variantBlock(v, i, () => drawVariants(readVariants().filter((_, j) => j !== i)), kind.value));
    mount(variants, variantBlocks.length ? variantBlocks : h('p', { class: 'muted', text: 'No variants: everyone sees the same wording.' }));
  };
  drawVariants(s.variants || []);
  const addVariant = h('button', { type: 'button', class: 'button small', text: 'Add variant',
    on: { click: () => drawVariants([...readVariants(), { key: String.fromCharCode(97 + variantBlocks.length), weight: 50, texts: {} }]) } });

  // Another kind has other end labels, follow-up categories and reasons lists: redraw them, keeping what was typed.
  kind.addEventListener('change', () => {
    const typed = reasons.typed();
    texts = localeList(texts.read(), 'texts', 'Built-in translations in every locale; no overrides.', kind.value);
    mount(textsSlot, texts.element);
    reasons = reasonsEditor(reasons.read(), kind.value, typed);
    mount(reasonsSlot, reasons.element);
    drawVariants(readVariants());
  });

  const toNumber = (input) => (input.value.trim() === '' ? null : Number(input.value));
  /** The body: every field the API has (not the id). Creating, empty numbers are left out so the defaults apply. */
  const read = () => {
    const body = {
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
      emailFallbackDays: toNumber(fallback),
      targeting: readConditions(),
      excludeEmailDomains: domains.value.split(/[\s,]+/).map((d) => d.trim()).filter(Boolean),
      texts: texts.read(),
      theme: { color: color.value, position: position.value },
      variants: readVariants(),
      reasons: reasons.read(),
    };
    if (creating) {
      body.kind = kind.value;
      for (const key of ['firstSurveyDelayDays', 'resurveyDays', 'declineCooldownDays', 'reshowAfterIgnoredDays', 'samplePercent']) {
        if (body[key] === null) delete body[key];
      }
    }
    return body;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    saved.textContent = 'Saving…';
    try {
      const result = creating
        ? await ctx.api.post('/v1/surveys', read())
        : await ctx.api.put(`/v1/surveys/${encodeURIComponent(s.id)}`, read());
      Object.assign(s, result);
      saved.textContent = `Saved at ${new Date().toISOString().slice(11, 19)} UTC.`;
      await onSaved(result, creating);
    } catch (error) {
      saved.textContent = '';
      errors.showError(error, creating ? 'The survey was not created' : 'The survey was not saved');
    }
  });

  mount(form,
    h('h2', { id: 'survey-form-title', text: creating ? 'New survey' : `Edit “${s.name}”` }),
    errors.summary,
    h('fieldset', null, h('legend', { text: 'Survey' }),
      h('div', { class: 'grid-2' },
        field(LABELS.name, name, { name: 'name' }),
        field(LABELS.kind, kind, { name: 'kind', hint: creating
          ? 'The question and its scale. It cannot be changed once the survey exists: its answers are on one scale.'
          : 'Fixed when the survey was created; create a new survey to ask another kind.' }),
        field(LABELS.priority, priority, { name: 'priority', hint: 'When several surveys could be shown, the one with the highest priority is asked first.' }),
        field(LABELS.trigger, trigger, { name: 'trigger', hint: 'Empty: any page view. Or an event such as support_case_closed, sent with pulse(\'track\', …).' }),
        h('div', { class: 'field check', dataset: { field: 'active' } }, active, h('label', { for: active.id, text: 'Active (shown to users)' }), h('p', { class: 'error' })))),
    h('fieldset', null, h('legend', { text: 'Timing and throttles' }),
      h('div', { class: 'grid-2' },
        field(LABELS.firstSurveyDelayDays, delay, { name: 'firstSurveyDelayDays', hint: creating ? 'Empty: 30.' : null }),
        field(LABELS.resurveyDays, resurvey, { name: 'resurveyDays', hint: creating ? 'Empty: 90.' : null }),
        field(LABELS.declineCooldownDays, cooldown, { name: 'declineCooldownDays', hint: creating ? 'Empty: 30.' : null }),
        field(LABELS.reshowAfterIgnoredDays, reshow, { name: 'reshowAfterIgnoredDays', hint: creating ? 'Empty: 1.' : null }),
        field(LABELS.samplePercent, sample, { name: 'samplePercent', hint: '0 to 100; the same user keeps the same answer within a cycle.' }),
        field(LABELS.dailyCap, cap, { name: 'dailyCap', hint: 'Empty: no cap.' }),
        field(LABELS.emailFallbackDays, fallback, { name: 'emailFallbackDays', hint: 'Empty: off. Users who ignored the survey in the product get it by email once per cycle (needs SMTP).' }))),
    h('fieldset', null, h('legend', { text: LABELS.targeting }),
      h('p', { class: 'hint', text: 'All conditions must hold. Traits come from pulse(\'init\', { user: { traits } }).' }),
      conditions, addCondition,
      field(LABELS.excludeEmailDomains, domains, { name: 'excludeEmailDomains', hint: 'Comma-separated, e.g. your own company\'s domain.' })),
    h('fieldset', null, h('legend', { text: LABELS.texts }), textsSlot),
    h('fieldset', null, h('legend', { text: LABELS.reasons }),
      h('p', { class: 'hint', text: 'Asked after the score: why? Answers keep the id, so change a label freely but keep its id.' }),
      reasonsSlot),
    h('fieldset', null, h('legend', { text: LABELS.variants }),
      h('p', { class: 'hint', text: 'None, or 2 to 4 wordings; each user always sees the same one. Compare them under Segments with “variant”.' }),
      h('div', { class: 'field', dataset: { field: 'variants' } }, h('p', { class: 'error' })),
      variants, addVariant),
    h('fieldset', null, h('legend', { text: LABELS.theme }),
      h('div', { class: 'grid-2' }, field(LABELS['theme.color'], color, { name: 'theme.color' }), field(LABELS['theme.position'], position, { name: 'theme.position' }))),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'button primary', text: creating ? 'Create survey' : 'Save survey' }),
      h('a', { href: '#/surveys', class: 'button subtle', text: 'Back to the list' }),
      saved));
  return form;
}

// ---- the list -----------------------------------------------------------------------------------

/** How many answers a survey collected (all time): deleting it keeps them, and the dialog says how many. */
async function answersOf(ctx, survey) {
  try {
    const m = await ctx.api.get(fmt.kindOf(survey.kind).path, { surveyId: survey.id, from: '2000-01-01', to: new Date().toISOString().slice(0, 10) });
    return m.responses;
  } catch {
    return null;
  }
}

async function list(ctx, root, flash) {
  const listed = await ctx.api.get('/v1/surveys');
  if (!ctx.current()) return;
  const surveys = listed.items || [];
  const status = statusLine('surveys-status');
  if (flash) status.textContent = flash;
  const act = async (work, done) => {
    status.textContent = 'Working…';
    try {
      await work();
      await ctx.reloadSurveys();
      ctx.set({ edit: '' }, { rerender: true, flash: done });
    } catch (error) {
      status.textContent = `That did not work: ${error.message}`;
    }
  };

  const rows = surveys.map((s) => h('tr', { dataset: { survey: s.id } },
    h('th', { scope: 'row', class: 'wrap' }, h('a', { href: `#/surveys?edit=${encodeURIComponent(s.id)}`, text: s.name })),
    h('td', null, h('span', { class: `badge ${s.active ? 'ok' : 'paused'}`, text: s.active ? 'Active' : 'Paused' })),
    h('td', { text: s.kind.toUpperCase() }),
    h('td', { text: triggerText(s) }),
    h('td', { class: 'num', text: String(s.priority) }),
    h('td', { class: 'actions-cell' },
      h('button', { type: 'button', class: 'button small', text: s.active ? 'Pause' : 'Resume', 'aria-label': `${s.active ? 'Pause' : 'Resume'} ${s.name}`,
        on: { click: () => act(() => ctx.api.put(`/v1/surveys/${encodeURIComponent(s.id)}`, { active: !s.active }),
          s.active ? `Paused “${s.name}”: it is not shown until you resume it.` : `Resumed “${s.name}”.`) } }),
      h('button', { type: 'button', class: 'button small', text: 'Duplicate', 'aria-label': `Duplicate ${s.name}`,
        on: { click: () => act(async () => {
          const { id, ...fields } = s;
          await ctx.api.post('/v1/surveys', { ...fields, name: `Copy of ${s.name}`.slice(0, 100), active: false });
        }, `Duplicated “${s.name}” as a paused copy: edit it, then resume it.`) } }),
      h('button', { type: 'button', class: 'button small danger', text: 'Delete', 'aria-label': `Delete ${s.name}`,
        on: { click: async () => {
          const answers = await answersOf(ctx, s);
          const ok = await confirmAction({
            title: `Delete “${s.name}”?`,
            body: [
              'It is never shown to anyone again, and it cannot be restored.',
              `Its ${answers === null ? '' : `${fmt.count(answers)} `}answers stay in your reports: Overview, Segments, Accounts, Comments and the CSV export still count them.`,
            ],
            confirm: 'Delete survey',
          });
          if (ok) await act(() => ctx.api.delete(`/v1/surveys/${encodeURIComponent(s.id)}`), `Deleted “${s.name}”; its answers stay in reports.`);
        } } }))));

  mount(root,
    h('h1', { tabindex: -1, text: 'Surveys' }),
    h('section', { class: 'card', 'aria-labelledby': 'surveys-title' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'surveys-title', text: `Surveys (${surveys.length})` }),
        h('a', { href: '#/surveys?edit=new', class: 'button primary', id: 'survey-new', text: 'New survey' })),
      h('p', { class: 'muted', text: 'When several surveys could be shown to a user, the active one with the highest priority is asked first.' }),
      status,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'surveys-table' },
          h('caption', { class: 'visually-hidden', text: 'Surveys with status, kind, trigger and priority' }),
          h('thead', null, h('tr', null, ['Name', 'Status', 'Kind', 'Trigger', 'Priority', 'Actions'].map((c) =>
            h('th', { scope: 'col', class: c === 'Priority' ? 'num' : null, text: c })))),
          h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 6, text: 'No surveys yet: create one.' })))))));
  ctx.announce(`Surveys: ${surveys.length}.`);
}

export async function render(ctx, root) {
  const { edit } = ctx.state;
  if (!edit) {
    await list(ctx, root, ctx.flash());
    return;
  }
  const survey = edit === 'new' ? null : await ctx.api.get(`/v1/surveys/${encodeURIComponent(edit)}`);
  if (!ctx.current()) return;
  const editor = surveyEditor(ctx, survey, async (result, created) => {
    await ctx.reloadSurveys();
    if (created) ctx.set({ edit: '' }, { flash: `Created “${result.name}”.` });
  });
  mount(root,
    h('h1', { tabindex: -1, text: 'Surveys' }),
    h('p', null, h('a', { href: '#/surveys', text: '← All surveys' })),
    h('section', { class: 'card' }, editor));
  ctx.announce(survey ? `Editing ${survey.name}.` : 'New survey.');
}

// Accounts: ARR × NPS quadrant scatter and the sortable table behind it; the big accounts with low
// NPS (high ARR, low NPS) are called out first. The quadrant lines are stated and adjustable; by
// default the ARR line is the median ARR of all accounts in the range — whatever trait filter is
// applied — so an account keeps its quadrant when the reader filters by CSM. An account with fewer
// than 30 responses is never called "At risk" on that evidence alone. Each account also has a
// health band (GET /v1/accounts `health`): the table shows the score, the band and, on request, the
// parts it is made of; a band filter narrows the list to one band.

import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { accountScatter, quadrantSwatch } from './charts.js';

export const title = 'Accounts';

/** The API's quadrant labels (GET /v1/accounts) and how the dashboard names them, in one spelling. */
export const NAMES = { champion: 'Champion', at_risk: 'At risk', grow: 'Grow', monitor: 'Monitor' };
const DESCRIPTIONS = {
  champion: 'high ARR, high NPS',
  at_risk: 'high ARR, low NPS',
  grow: 'low ARR, high NPS',
  monitor: 'low ARR, low NPS',
};
/** A high-ARR, low-NPS account with fewer than 30 responses: worth a question, not an alarm. */
export const UNCLEAR = 'Low NPS, low sample';

/** Default NPS line: accounts above 0 (more promoters than detractors) have high NPS. */
export const DEFAULT_NPS_LINE = 0;

/**
 * The API's npsThreshold counts an NPS "at or above" it as high; the page states "above" the line,
 * so NPS exactly at the line is low. NPS comes rounded to 0.1, so "above v" is "at least v + 0.1".
 */
const atLeast = (line) => Math.round((line + 0.1) * 10) / 10;

const COLUMNS = [
  ['accountName', 'Account', (a) => a.accountName.toLowerCase()],
  ['arr', 'ARR', (a) => a.arr ?? -1],
  ['nps', 'NPS', (a) => a.nps ?? -1000],
  ['marginOfError', 'Margin', (a) => a.marginOfError ?? 1000],
  ['responses', 'Responses', (a) => a.responses],
  ['health', 'Health', (a) => a.health?.score ?? -1],
  ['quadrant', 'Quadrant', (a) => a.status || ''],
];

/** The API's health bands and how the dashboard names them. */
export const BANDS = { healthy: 'Healthy', watch: 'Watch', at_risk: 'At risk' };
const PARTS = [
  ['nps', 'NPS, last 90 days', (v) => fmt.nps(v)],
  ['trend', 'Trend against the 90 days before', (v) => fmt.delta(v)],
  ['responseRate', 'Response rate', (v) => fmt.pct(v)],
  ['overdueFollowUps', 'Overdue detractor follow-ups', (v) => fmt.count(v)],
];

/** The health cell: score and band, and the parts behind them in a disclosure. */
function healthCell(a) {
  const health = a.health;
  if (!health || health.score === null || health.score === undefined) return h('td', { class: 'num muted', text: '—' });
  const parts = PARTS.map(([key, label, show]) => {
    const part = health.parts?.[key];
    return h('li', null, h('span', { text: `${label}: ` }),
      part && part.value !== null && part.value !== undefined
        ? h('span', { text: `${show(part.value)} → ${part.points} points × weight ${part.weight}` })
        : h('span', { class: 'muted', text: 'no data (left out)' }));
  });
  return h('td', { class: 'num health' },
    h('span', { class: 'health-score', text: String(health.score) }),
    h('span', { class: `badge band-${health.band}`, text: BANDS[health.band] || health.band }),
    health.lowSample ? h('span', { class: 'badge band-low', text: 'Few answers' }) : null,
    h('details', { class: 'health-parts' }, h('summary', { text: 'Why' }),
      h('ul', null, parts,
        h('li', { class: 'muted', text: `${fmt.count(health.parts?.responses ?? 0)} answers in the last 90 days, ${fmt.count(health.parts?.previousResponses ?? 0)} in the 90 before` }))));
}

const number = (text) => (text !== undefined && text !== '' && Number.isFinite(Number(text)) ? Number(text) : null);

export async function render(ctx, root) {
  const { state } = ctx;
  const filtered = Object.keys(state.where || {}).length > 0;
  const npsLine = number(state.npsLine) ?? DEFAULT_NPS_LINE;
  let arrLine = number(state.arrLine);
  let arrSource = 'chosen';
  if (arrLine === null) {
    // The median ARR of every account in the range, not of the filtered ones: a stable line.
    const everyone = filtered
      ? await ctx.api.get('/v1/accounts', ctx.filters({ where: {}, limit: 1 }))
      : null;
    arrLine = everyone ? everyone.arrThreshold : null;
    arrSource = 'median';
  }
  const band = state.band in BANDS ? state.band : '';
  const response = await ctx.api.get('/v1/accounts', ctx.filters({
    limit: 1000, npsThreshold: atLeast(npsLine), arrThreshold: arrLine ?? undefined, band: band || undefined,
  }));
  if (!ctx.current()) return;
  arrLine = arrLine ?? response.arrThreshold ?? 0;
  const items = (response.items || []).map((a) => {
    const kind = a.quadrant in NAMES ? a.quadrant : null; // the API decides the quadrant (null without ARR)
    const unclear = kind === 'at_risk' && a.lowSample;
    return { ...a, accountName: a.accountName || a.accountId, kind, unclear, status: kind ? (unclear ? UNCLEAR : NAMES[kind]) : null };
  });

  const sortKey = COLUMNS.some(([k]) => k === state.sort) ? state.sort : 'arr';
  const dir = state.dir === 'asc' ? 'asc' : 'desc';
  const [, , keyOf] = COLUMNS.find(([k]) => k === sortKey);
  const sorted = [...items].sort((a, b) => {
    const x = keyOf(a);
    const y = keyOf(b);
    const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return dir === 'asc' ? c : -c;
  });
  const atRisk = items.filter((a) => a.kind === 'at_risk' && !a.lowSample).sort((a, b) => (b.arr ?? 0) - (a.arr ?? 0));
  const unclear = items.filter((a) => a.unclear).sort((a, b) => (b.arr ?? 0) - (a.arr ?? 0));
  const atRiskArr = atRisk.reduce((sum, a) => sum + (a.arr || 0), 0);

  const header = COLUMNS.map(([key, label]) => {
    const active = key === sortKey;
    const next = active && dir === 'desc' ? 'asc' : 'desc';
    return h('th', { scope: 'col', class: key === 'accountName' || key === 'quadrant' ? null : 'num', 'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : null },
      h('button', {
        type: 'button', class: 'sort', text: label,
        'aria-label': `${label}: sort ${next === 'asc' ? 'ascending' : 'descending'}`,
        on: { click: () => ctx.set({ sort: key, dir: next }) },
      }, h('span', { class: 'sort-mark', 'aria-hidden': 'true', text: active ? (dir === 'asc' ? ' ▲' : ' ▼') : '' })));
  });
  const FIRST = 25;
  const rows = sorted.map((a) => h('tr', { class: a.kind === 'at_risk' && !a.lowSample ? 'at-risk' : null, dataset: { account: a.accountId } },
    h('th', { scope: 'row', class: 'wrap' }, a.accountName,
      a.kind === 'at_risk' && !a.lowSample ? h('span', { class: 'badge risk', text: NAMES.at_risk }) : null),
    h('td', { class: 'num', text: fmt.usd(a.arr) }),
    h('td', { class: 'num', text: fmt.nps(a.nps) }),
    h('td', { class: 'num', text: fmt.moe(a.marginOfError) }),
    h('td', { class: 'num' }, fmt.count(a.responses), a.lowSample ? h('span', { class: 'badge warn', text: 'Low sample' }) : null),
    healthCell(a),
    h('td', null, a.kind ? [quadrantSwatch(a.kind), ` ${a.status}`] : h('span', { class: 'muted', text: 'no ARR' }))));

  // The table shows the first rows in the chosen order; the rest on request (hidden rows stay in the DOM).
  rows.slice(FIRST).forEach((r) => { r.hidden = true; });
  const showAll = rows.length > FIRST
    ? h('button', { type: 'button', class: 'button', id: 'accounts-show-all', text: `Show all ${rows.length} accounts`,
      on: { click: (event) => { rows.forEach((r) => { r.hidden = false; }); rows[FIRST].querySelector('th').setAttribute('tabindex', '-1'); rows[FIRST].querySelector('th').focus(); event.currentTarget.remove(); } } })
    : null;

  const arrInput = h('input', { id: 'accounts-arr-line', name: 'arrLine', type: 'number', min: 0, step: 'any', value: String(arrLine), inputmode: 'decimal' });
  const npsInput = h('input', { id: 'accounts-nps-line', name: 'npsLine', type: 'number', min: -100, max: 99.9, step: 0.1, value: String(npsLine), inputmode: 'decimal' });
  const lines = h('form', { class: 'inline-form quadrant-lines', 'aria-label': 'Quadrant lines' },
    h('div', { class: 'control' }, h('label', { for: arrInput.id, text: 'High ARR: at least ($)' }), arrInput),
    h('div', { class: 'control' }, h('label', { for: npsInput.id, text: 'High NPS: above' }), npsInput),
    h('button', { type: 'submit', class: 'button', text: 'Move the lines' }),
    h('button', { type: 'button', class: 'button subtle', text: 'Default lines', on: { click: () => ctx.set({ arrLine: '', npsLine: '' }) } }));
  lines.addEventListener('submit', (event) => {
    event.preventDefault();
    const arr = number(arrInput.value);
    const nps = number(npsInput.value);
    if (arr === null || arr < 0) { arrInput.setAttribute('aria-invalid', 'true'); arrInput.focus(); return; }
    if (nps === null || nps < -100 || nps >= 100) { npsInput.setAttribute('aria-invalid', 'true'); npsInput.focus(); return; }
    ctx.set({ arrLine: String(arr), npsLine: String(nps) });
  });
  const rule = h('p', { class: 'muted', id: 'quadrant-rule',
    text: `An account has high ARR at ${fmt.usd(arrLine)} or more (${arrSource === 'median'
      ? `the median ARR of all accounts in this range${filtered ? ', before the filters' : ''}` : 'your choice'}), and high NPS above ${fmt.nps(npsLine)}. `
      + `${NAMES.at_risk} means high ARR and low NPS from at least 30 responses; with fewer, the account is marked “${UNCLEAR}”.` });

  const bands = Object.fromEntries(Object.keys(BANDS).map((b) => [b, items.filter((a) => a.health?.band === b).length]));
  const bandSelect = h('select', { id: 'accounts-band', name: 'band' },
    h('option', { value: '', text: 'Every band', selected: !band }),
    Object.entries(BANDS).map(([value, name]) => h('option', { value, text: name, selected: value === band })));
  bandSelect.addEventListener('change', () => ctx.set({ band: bandSelect.value }));
  const healthCard = h('section', { class: 'card', 'aria-labelledby': 'health-title' },
    h('h2', { id: 'health-title', text: 'Health' }),
    h('p', { class: 'muted', id: 'health-rule',
      text: 'Health (0–100) weighs each account’s NPS of the last 90 days, its trend against the 90 days before, its response rate and its overdue detractor follow-ups (the weights are in the follow-up settings). '
        + 'An account with too few answers is at most “Watch”.' }),
    h('ul', { class: 'legend', id: 'health-bands' }, Object.entries(BANDS).map(([b, name]) => h('li', { dataset: { band: b } },
      h('span', { class: `badge band-${b}`, text: name }), h('span', { text: ` ${fmt.count(bands[b])} ${bands[b] === 1 ? 'account' : 'accounts'}` })))),
    h('div', { class: 'inline-form' }, h('div', { class: 'control' }, h('label', { for: bandSelect.id, text: 'Show' }), bandSelect)));

  mount(root,
    h('h1', { tabindex: -1, text: 'Accounts' }),
    atRisk.length || unclear.length
      ? h('section', { class: 'card callout', 'aria-labelledby': 'risk-title' },
        h('h2', { id: 'risk-title', text: `${NAMES.at_risk}: ${atRisk.length} ${atRisk.length === 1 ? 'account' : 'accounts'} · ${fmt.usd(atRiskArr)} ARR` }),
        h('p', { class: 'muted', text: 'High ARR and low NPS from at least 30 responses: call them first.' }),
        atRisk.length
          ? h('ol', { class: 'risk-list' }, atRisk.slice(0, 5).map((a) => h('li', null,
            h('strong', { text: a.accountName }),
            h('span', { text: ` — ${fmt.usd(a.arr)} ARR, NPS ${fmt.nps(a.nps)} ${fmt.moe(a.marginOfError)}, ${fmt.count(a.responses)} responses` }))))
          : h('p', { text: `No account is ${NAMES.at_risk.toLowerCase()} on enough evidence.` }),
        unclear.length
          ? h('p', { class: 'notice warn', id: 'risk-unclear', text: `${unclear.length} more high-ARR ${unclear.length === 1 ? 'account has' : 'accounts have'} low NPS from fewer than 30 responses `
            + `(${unclear.slice(0, 3).map((a) => `${a.accountName}: NPS ${fmt.nps(a.nps)} ${fmt.moe(a.marginOfError)}, n = ${a.responses}`).join('; ')}${unclear.length > 3 ? '; …' : ''}): `
            + 'too few to call them at risk — ask more of their users.' })
          : null)
      : null,
    healthCard,
    h('section', { class: 'card', 'aria-labelledby': 'scatter-title' },
      h('h2', { id: 'scatter-title', text: 'ARR × NPS' }),
      rule,
      lines,
      accountScatter({
        title: `Accounts by ARR and NPS, ${state.from} to ${state.to}`,
        accounts: items, arrThreshold: arrLine, npsThreshold: npsLine, quadrantNames: NAMES,
      }),
      h('ul', { class: 'legend' }, Object.entries(NAMES).map(([kind, name]) => h('li', null,
        quadrantSwatch(kind), h('span', { text: `${name} (${DESCRIPTIONS[kind]})` }))),
      h('li', null, h('span', { class: 'hollow', 'aria-hidden': 'true' }), h('span', { text: 'Hollow: fewer than 30 responses' })))),
    h('section', { class: 'card', 'aria-labelledby': 'accounts-table-title' },
      h('h2', { id: 'accounts-table-title', text: `${band ? `${BANDS[band]} accounts` : 'All accounts'} (${items.length})` }),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'accounts-table' },
          h('caption', { class: 'visually-hidden', text: 'Accounts with ARR, NPS, margin of error, responses, health and quadrant; column headers sort' }),
          h('thead', null, h('tr', null, header)),
          h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: COLUMNS.length, text: 'No accounts with responses in this range.' }))))),
      showAll));
  ctx.announce(`Accounts: ${items.length}, ${atRisk.length} ${NAMES.at_risk.toLowerCase()}; health: ${bands.healthy} healthy, ${bands.watch} watch, ${bands.at_risk} at risk.`);
}

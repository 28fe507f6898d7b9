// Accounts: ARR × NPS quadrant scatter and the sortable table behind it; the at-risk big
// accounts (high ARR, low NPS) are called out first.

import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { accountScatter, quadrantSwatch } from './charts.js';

export const title = 'Accounts';

/** The API's quadrant labels (GET /v1/accounts) and how the dashboard names them. */
const NAMES = { champion: 'Champions', at_risk: 'At risk', grow: 'Grow', monitor: 'Monitor' };
const DESCRIPTIONS = {
  champion: 'high ARR, high NPS',
  at_risk: 'high ARR, low NPS',
  grow: 'low ARR, high NPS',
  monitor: 'low ARR, low NPS',
};

/** Where the quadrant lines go: the thresholds the API used (median ARR and NPS 0 by default). */
function thresholds(response) {
  return { arr: response.arrThreshold ?? 0, nps: response.npsThreshold ?? 0 };
}

const COLUMNS = [
  ['accountName', 'Account', (a) => a.accountName.toLowerCase()],
  ['arr', 'ARR', (a) => a.arr ?? -1],
  ['nps', 'NPS', (a) => a.nps ?? -1000],
  ['respondents', 'Respondents', (a) => a.respondents],
  ['quadrant', 'Quadrant', (a) => NAMES[a.kind] || ''],
];

export async function render(ctx, root) {
  const { state } = ctx;
  const response = await ctx.api.get('/v1/accounts', ctx.filters({ limit: 1000 }));
  if (!ctx.current()) return;
  const items = (response.items || []).map((a) => ({
    ...a,
    accountName: a.accountName || a.accountId,
  }));
  const t = thresholds(response);
  // The API decides the quadrant (null without ARR); the dashboard only names it.
  for (const a of items) a.kind = a.quadrant in NAMES ? a.quadrant : null;

  const sortKey = COLUMNS.some(([k]) => k === state.sort) ? state.sort : 'arr';
  const dir = state.dir === 'asc' ? 'asc' : 'desc';
  const [, , keyOf] = COLUMNS.find(([k]) => k === sortKey);
  const sorted = [...items].sort((a, b) => {
    const x = keyOf(a);
    const y = keyOf(b);
    const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return dir === 'asc' ? c : -c;
  });
  const atRisk = items.filter((a) => a.kind === 'at_risk').sort((a, b) => (b.arr ?? 0) - (a.arr ?? 0));
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
  const rows = sorted.map((a) => h('tr', { class: a.kind === 'at_risk' ? 'at-risk' : null, dataset: { account: a.accountId } },
    h('th', { scope: 'row' }, a.accountName, a.kind === 'at_risk' ? h('span', { class: 'badge risk', text: 'At risk' }) : null),
    h('td', { class: 'num', text: fmt.usd(a.arr) }),
    h('td', { class: 'num', text: fmt.nps(a.nps) }),
    h('td', { class: 'num', text: fmt.count(a.respondents) }),
    h('td', null, a.kind ? [quadrantSwatch(a.kind), ` ${NAMES[a.kind]}`] : h('span', { class: 'muted', text: 'no ARR' }))));

  // The table shows the first rows in the chosen order; the rest on request (hidden rows stay in the DOM).
  rows.slice(FIRST).forEach((r) => { r.hidden = true; });
  const showAll = rows.length > FIRST
    ? h('button', { type: 'button', class: 'button', id: 'accounts-show-all', text: `Show all ${rows.length} accounts`,
      on: { click: (event) => { rows.forEach((r) => { r.hidden = false; }); rows[FIRST].querySelector('th').setAttribute('tabindex', '-1'); rows[FIRST].querySelector('th').focus(); event.currentTarget.remove(); } } })
    : null;

  mount(root,
    h('h1', { tabindex: -1, text: 'Accounts' }),
    atRisk.length
      ? h('section', { class: 'card callout', 'aria-labelledby': 'risk-title' },
        h('h2', { id: 'risk-title', text: `${atRisk.length} accounts at risk · ${fmt.usd(atRiskArr)} ARR` }),
        h('p', { class: 'muted', text: 'High ARR and low NPS: call them first.' }),
        h('ol', { class: 'risk-list' }, atRisk.slice(0, 5).map((a) => h('li', null,
          h('strong', { text: a.accountName }),
          h('span', { text: ` — ${fmt.usd(a.arr)} ARR, NPS ${fmt.nps(a.nps)}, ${fmt.count(a.respondents)} respondents` })))))
      : null,
    h('section', { class: 'card', 'aria-labelledby': 'scatter-title' },
      h('h2', { id: 'scatter-title', text: 'ARR × NPS' }),
      accountScatter({
        title: `Accounts by ARR and NPS, ${state.from} to ${state.to}`,
        accounts: items, arrThreshold: t.arr, npsThreshold: t.nps, quadrantNames: NAMES,
      }),
      h('ul', { class: 'legend' }, Object.entries(NAMES).map(([kind, name]) => h('li', null,
        quadrantSwatch(kind), h('span', { text: `${name} (${DESCRIPTIONS[kind]})` }))))),
    h('section', { class: 'card', 'aria-labelledby': 'accounts-table-title' },
      h('h2', { id: 'accounts-table-title', text: `All accounts (${items.length})` }),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'accounts-table' },
          h('caption', { class: 'visually-hidden', text: 'Accounts with ARR, NPS, respondents and quadrant; column headers sort' }),
          h('thead', null, h('tr', null, header)),
          h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 5, text: 'No accounts with responses in this range.' }))))),
      showAll));
  ctx.announce(`Accounts: ${items.length}, ${atRisk.length} at risk.`);
}

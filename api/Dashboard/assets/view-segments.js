// Segments: the selected survey's metric (NPS, eNPS, CSAT, CES) per value of one trait, side by side
// with margins and a low-sample flag. Traits with many values show the 20 with the most responses
// first; numeric traits (ARR, …) are grouped into bands whose edges the reader can change. Below,
// the top reasons of the kind's negative category per value, with counts, shares and their change.

import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { segmentChart } from './charts.js';
import { previousRange } from './compare.js';

export const title = 'Segments';

/** Values shown before "Show all". */
export const TOP = 20;

/** Band edges of ARR unless the reader chooses others: < $1K, $1K–10K, $10K–100K, $100K–1M, ≥ $1M. */
export const ARR_BANDS = [1000, 10000, 100000, 1000000];

/** A numeric trait with more values than this is banded by default. */
const BAND_ABOVE = 12;

const ORDERS = [['n', 'Most responses first'], ['nps', 'Highest score first']];

/** Reasons shown per segment value in the reasons table. */
export const REASONS_PER_VALUE = 3;

const isNumber = (v) => v !== '' && Number.isFinite(Number(v));

/** Powers of ten between the smallest and largest value: the default bands of a numeric trait. */
export function defaultBands(trait, values) {
  if (trait === 'arr') return ARR_BANDS;
  const numbers = values.filter(isNumber).map(Number).filter((v) => v > 0);
  if (!numbers.length) return [];
  const lo = Math.floor(Math.log10(Math.min(...numbers)));
  const hi = Math.ceil(Math.log10(Math.max(...numbers)));
  const edges = [];
  for (let p = Math.max(lo, 0) + 1; p < hi; p += 1) edges.push(10 ** p);
  return edges.length ? edges : [10 ** Math.max(lo, 1)];
}

/** Edges from the text field: numbers separated by commas or spaces, ascending, at most 20. */
export function parseBands(text) {
  const edges = String(text).split(/[\s,;]+/).filter(Boolean).map((t) => Number(t.replace(/[$_]/g, '').replace(/k$/i, 'e3').replace(/m$/i, 'e6')));
  if (!edges.length || edges.length > 20 || edges.some((e) => !Number.isFinite(e))) return null;
  for (let i = 1; i < edges.length; i += 1) if (edges[i] <= edges[i - 1]) return null;
  return edges;
}

/** A band's label: "< $1K", "$1K–10K", "≥ $1M" for ARR; the same without "$" otherwise. */
export function bandLabel(trait, from, to) {
  const num = (v) => (trait === 'arr' ? fmt.usd(v, true) : new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(v));
  const bare = (v) => num(v).replace('$', '');
  if (from === null || from === undefined) return `< ${num(to)}`;
  if (to === null || to === undefined) return `≥ ${num(from)}`;
  return `${num(from)}–${bare(to)}`;
}

/** "Too expensive: 12 · 40.0% (+5.0 pts)": a reason's count, share of the value's respondents and change in points. */
function reasonCell(r) {
  return h('td', { class: 'wrap', dataset: { reason: r.id, count: String(r.count), share: String(r.share), change: r.change === null ? '' : String(r.change) } },
    h('span', { class: 'reason-name', text: r.label ?? r.id }),
    h('span', { class: 'muted', text: ` ${fmt.count(r.count)} · ${r.share.toFixed(1)}% (${r.change === null ? 'new' : `${fmt.delta(r.change)} pts`})` }));
}

/**
 * "Top reasons among detractors, by plan": per value of the trait (most respondents first, the
 * same values as the API groups), the reasons most chosen with count, share and change against the
 * previous period of equal length. who: the negative category's name ("Detractors").
 */
function reasonsCard(who, report, trait, days) {
  const lower = who.toLowerCase();
  const groups = (report.groups || []).filter((g) => g.respondents > 0).slice(0, TOP);
  const head = ['Value', who, ...Array.from({ length: REASONS_PER_VALUE }, (_, i) => (i ? `Reason ${i + 1}` : 'Top reason'))];
  return h('section', { class: 'card', 'aria-labelledby': 'segment-reasons-title' },
    h('h2', { id: 'segment-reasons-title', text: `Top reasons among ${lower}, by ${fmt.traitLabel(trait)}` }),
    h('p', { class: 'muted', text: `${fmt.count(report.respondents)} ${lower} chose a reason in this range. Each reason: ${lower} who chose it · their share of the value's ${lower} who answered the question (change in points against the previous ${fmt.count(days)} days).` }),
    groups.length
      ? h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Top reasons by segment (scrolls sideways)' },
        h('table', { class: 'data', id: 'segment-reasons' },
          h('caption', { class: 'visually-hidden', text: `Top reasons among ${lower}, by ${fmt.traitLabel(trait)}` }),
          h('thead', null, h('tr', null, head.map((text, i) => h('th', { scope: 'col', class: i === 1 ? 'num' : null, text })))),
          h('tbody', null, groups.map((g) => h('tr', { dataset: { value: String(g.value), respondents: String(g.respondents) } },
            h('th', { scope: 'row', class: 'wrap', text: String(g.value) }),
            h('td', { class: 'num', text: fmt.count(g.respondents) }),
            Array.from({ length: REASONS_PER_VALUE }, (_, i) => (g.reasons[i] ? reasonCell(g.reasons[i]) : h('td', { class: 'muted', text: '—' }))))))))
      : h('p', { class: 'hint', id: 'segment-reasons-none', text: `No reason was chosen by ${lower} in this range (add a reasons question to a survey in Surveys).` }));
}

export async function render(ctx, root) {
  const { state } = ctx;
  const trait = state.trait || 'plan';
  const K = ctx.kind;
  const [negative, negativeName] = K.categories[0];
  const reasonsCall = ctx.api.get('/v1/metrics/reasons', ctx.filters({ category: negative, groupBy: trait }));
  // A page of recent responses tells which other trait keys this workspace sends.
  const recentCall = ctx.api.get('/v1/responses', { ...ctx.filters(), limit: 100 });
  const custom = state.bands && state.bands !== 'off' ? parseBands(state.bands) : null;
  let bands = state.bands === 'off' ? null : custom || (trait === 'arr' ? ARR_BANDS : null);
  let metrics = await ctx.api.get(K.path, ctx.filters({ groupBy: trait, bands: bands?.join(',') }));
  const rawValues = (metrics.groups || []).map((g) => String(g.value));
  const numeric = bands !== null || (rawValues.length > 0 && rawValues.every(isNumber));
  if (!bands && numeric && state.bands !== 'off' && rawValues.length > BAND_ABOVE) {
    bands = defaultBands(trait, rawValues);
    metrics = await ctx.api.get(K.path, ctx.filters({ groupBy: trait, bands: bands.join(',') }));
  }
  const recent = await recentCall;
  const reasons = await reasonsCall;
  if (!ctx.current()) return;
  ctx.rememberTraits(recent.items.flatMap((i) => Object.keys(i.traits || {})));

  const banded = bands !== null;
  const overall = fmt.metricOf(K.name, metrics);
  const all = (metrics.groups || []).map((g) => ({
    ...fmt.metricOf(K.name, g),
    label: banded && (g.bandFrom != null || g.bandTo != null) ? bandLabel(trait, g.bandFrom, g.bandTo) : String(g.value),
  }));
  // The values with the most responses (the API's order), then the reader's order among them.
  const showAll = state.all === '1' || all.length <= TOP;
  const shown = showAll ? all : all.slice(0, TOP);
  const order = ORDERS.some(([k]) => k === state.order) ? state.order : (banded ? 'band' : 'n');
  const groups = [...shown].sort((a, b) => {
    if (order === 'nps') return ((b.metric ?? -1000) - (a.metric ?? -1000)) || (b.responses - a.responses);
    // Bands in ascending order (the lowest has no lower edge); values that are not numbers last.
    const start = (g) => g.bandFrom ?? (g.bandTo != null ? -Infinity : Infinity);
    if (order === 'band') return (start(a) - start(b)) || (b.responses - a.responses);
    return (b.responses - a.responses) || ((b.metric ?? -1000) - (a.metric ?? -1000));
  });

  const picker = h('select', { id: 'segment-trait', name: 'trait' },
    ctx.traits.map((k) => h('option', { value: k, text: fmt.traitLabel(k), selected: k === trait })));
  if (!ctx.traits.includes(trait)) picker.append(h('option', { value: trait, text: fmt.traitLabel(trait), selected: true }));
  picker.addEventListener('change', () => ctx.set({ trait: picker.value, bands: '', all: '', order: '' }));

  const orders = banded ? [['band', 'Band order'], ...ORDERS] : ORDERS;
  const sorter = h('select', { id: 'segment-order', name: 'order' },
    orders.map(([value, label]) => h('option', { value, text: label.replace('score', K.label), selected: value === order })));
  sorter.addEventListener('change', () => ctx.set({ order: sorter.value }));

  let bandForm = null;
  if (numeric) {
    const edges = h('input', { id: 'segment-bands', name: 'bands', type: 'text', autocomplete: 'off', inputmode: 'decimal',
      value: (bands || defaultBands(trait, rawValues)).join(', '), 'aria-describedby': 'segment-bands-hint segment-bands-error' });
    const error = h('p', { class: 'error', id: 'segment-bands-error', role: 'alert' });
    bandForm = h('form', { class: 'inline-form bands', 'aria-label': 'Bands' },
      h('div', { class: 'control grow' }, h('label', { for: edges.id, text: 'Band edges' }), edges,
        h('p', { class: 'hint', id: 'segment-bands-hint', text: 'Ascending numbers separated by commas, e.g. 1000, 10000, 100000 (1K and 1M work too).' }),
        error),
      h('button', { type: 'submit', class: 'button', text: 'Group into bands' }),
      h('button', { type: 'button', class: 'button subtle', text: banded ? 'One row per value' : 'Bands are off',
        disabled: !banded, on: { click: () => ctx.set({ bands: 'off', order: '', all: '' }) } }));
    bandForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const parsed = parseBands(edges.value);
      if (!parsed) {
        error.textContent = 'Write ascending numbers separated by commas, such as 1000, 10000, 100000.';
        edges.setAttribute('aria-invalid', 'true');
        edges.focus();
        return;
      }
      ctx.set({ bands: parsed.join(','), order: '', all: '' });
    });
  }

  const lowCount = all.filter((g) => g.lowSample).length;
  const rows = groups.map((g) => h('tr', { class: g.lowSample ? 'low-sample' : null },
    h('th', { scope: 'row', class: 'wrap', text: g.label }),
    h('td', { class: 'num', text: K.format(g.metric) }),
    h('td', { class: 'num', text: K.margin(g.margin) }),
    h('td', { class: 'num', text: fmt.count(g.responses) }),
    h('td', { class: 'num', text: fmt.pct(g.responseRate) }),
    h('td', { class: 'sample' }, h('span', { text: `n = ${fmt.count(g.responses)}` }),
      g.lowSample ? h('span', { class: 'badge warn', text: 'Low sample' }) : null),
    h('td', null, banded
      ? h('span', { class: 'muted', text: '—' })
      : state.where[trait] === String(g.value) ? h('span', { class: 'muted', text: 'Filtered' }) : h('button', {
        type: 'button', class: 'button small', text: 'Filter to this',
        'aria-label': `Filter to this: ${fmt.traitLabel(trait)} = ${g.value}`,
        on: { click: () => ctx.set({ where: { ...state.where, [trait]: String(g.value) } }) },
      }))));

  const more = showAll
    ? (all.length > TOP ? h('button', { type: 'button', class: 'button', id: 'segments-top', text: `Show the top ${TOP} only`, on: { click: () => ctx.set({ all: '' }) } }) : null)
    : h('button', { type: 'button', class: 'button', id: 'segments-show-all', text: `Show all ${fmt.count(all.length)} values`, on: { click: () => ctx.set({ all: '1' }) } });

  // groupBy=variant: each variant against the baseline, with the 95 % intervals and the API's verdict.
  const interval = (d, show) => (d.estimate == null ? 'no data' : `${show(d.estimate)} (95 % interval ${show(d.low)} to ${show(d.high)})`);
  const points = (v) => fmt.nps(v);
  const comparisons = (metrics.comparisons || []).length ? h('section', { class: 'card', 'aria-labelledby': 'variants-title' },
    h('h2', { id: 'variants-title', text: 'Variants compared' }),
    h('ul', { id: 'variant-comparisons' }, metrics.comparisons.map((c) => h('li', null,
      h('strong', { text: `${c.variant} against ${c.baseline}: ${c.verdict}.` }),
      h('span', { text: ` NPS ${interval(c.nps, points)}; response rate ${interval(c.responseRate, (v) => `${fmt.nps(v * 100)} pts`)}.` })))))
    : null;

  mount(root,
    h('h1', { tabindex: -1, text: 'Segments' }),
    h('section', { class: 'card', 'aria-labelledby': 'segments-title' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'segments-title', text: `${K.label} by ${fmt.traitLabel(trait)}` }),
        h('div', { class: 'inline-form' },
          h('div', { class: 'control' }, h('label', { for: picker.id, text: 'Segment by' }), picker),
          h('div', { class: 'control' }, h('label', { for: sorter.id, text: 'Order' }), sorter))),
      bandForm,
      h('p', { class: 'muted', id: 'segments-overall', text: `Overall ${K.title} ${K.format(overall.metric)} ${K.margin(overall.margin)} from ${fmt.count(metrics.responses)} responses. `
        + 'Segments use the traits users had when they were surveyed.' }),
      showAll ? null : h('p', { class: 'notice', id: 'segments-top-note', text: `Showing the ${TOP} values with the most responses of ${fmt.count(all.length)}.` }),
      lowCount ? h('p', { class: 'notice warn', text: `${lowCount} of ${all.length} segments have fewer than 30 responses: read them with care.` }) : null,
      segmentChart({ title: `${K.title} by ${fmt.traitLabel(trait)}, ${state.from} to ${state.to}`, trait: fmt.traitLabel(trait), groups, kind: K.name }),
      more),
    comparisons,
    h('section', { class: 'card', 'aria-labelledby': 'segments-table-title' },
      h('h2', { id: 'segments-table-title', text: 'Segment details' }),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'segments-table' },
          h('caption', { class: 'visually-hidden', text: `${K.title} by ${fmt.traitLabel(trait)}` }),
          h('thead', null, h('tr', null,
            ['Value', K.label, 'Margin', 'Responses', 'Response rate', 'Sample', 'Filter'].map((c, i) =>
              h('th', { scope: 'col', class: i > 0 && i < 5 ? 'num' : null, text: c })))),
          h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 7, text: 'No responses for this trait in this range.' })))))),
    reasonsCard(K.field === 'nps' ? negativeName : `${negativeName} answers`, reasons, trait, previousRange(state.from, state.to).days));
  ctx.announce(`Segments by ${fmt.traitLabel(trait)}: ${groups.length} of ${all.length} values shown.`);
}

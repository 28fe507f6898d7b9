// Segments: NPS per value of one trait, side by side with margins and a low-sample flag.

import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { segmentChart } from './charts.js';

export const title = 'Segments';

export async function render(ctx, root) {
  const { state } = ctx;
  const trait = state.trait || 'plan';
  // A page of recent responses tells which other trait keys this workspace sends.
  const [metrics, recent] = await Promise.all([
    ctx.api.get('/v1/metrics/nps', ctx.filters({ groupBy: trait })),
    ctx.api.get('/v1/responses', { ...ctx.filters(), limit: 100 }),
  ]);
  if (!ctx.current()) return;
  ctx.rememberTraits(recent.items.flatMap((i) => Object.keys(i.traits || {})));
  // Highest NPS first; values without responses last.
  const groups = [...(metrics.groups || [])].sort((a, b) => ((b.nps ?? -1000) - (a.nps ?? -1000)) || (b.responses - a.responses));

  const picker = h('select', { id: 'segment-trait', name: 'trait' },
    ctx.traits.map((k) => h('option', { value: k, text: fmt.traitLabel(k), selected: k === trait })));
  if (!ctx.traits.includes(trait)) picker.append(h('option', { value: trait, text: fmt.traitLabel(trait), selected: true }));
  picker.addEventListener('change', () => ctx.set({ trait: picker.value }));

  const lowCount = groups.filter((g) => g.lowSample).length;
  const rows = groups.map((g) => h('tr', { class: g.lowSample ? 'low-sample' : null },
    h('th', { scope: 'row', text: String(g.value) }),
    h('td', { class: 'num', text: fmt.nps(g.nps) }),
    h('td', { class: 'num', text: fmt.moe(g.marginOfError) }),
    h('td', { class: 'num', text: fmt.count(g.responses) }),
    h('td', { class: 'num', text: fmt.pct(g.responseRate) }),
    h('td', null, g.lowSample ? h('span', { class: 'badge warn', text: 'Low sample' }) : ''),
    h('td', null, state.where[trait] === String(g.value) ? h('span', { class: 'muted', text: 'Filtered' }) : h('button', {
      type: 'button', class: 'button small', text: 'Filter to this',
      'aria-label': `Filter to this: ${fmt.traitLabel(trait)} = ${g.value}`,
      on: { click: () => ctx.set({ where: { ...state.where, [trait]: String(g.value) } }) },
    }))));

  mount(root,
    h('h1', { tabindex: -1, text: 'Segments' }),
    h('section', { class: 'card', 'aria-labelledby': 'segments-title' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'segments-title', text: `NPS by ${fmt.traitLabel(trait)}` }),
        h('div', { class: 'control' }, h('label', { for: picker.id, text: 'Segment by' }), picker)),
      h('p', { class: 'muted', text: `Overall NPS ${fmt.nps(metrics.nps)} ${fmt.moe(metrics.marginOfError)} from ${fmt.count(metrics.responses)} responses. `
        + 'Segments use the traits users had when they were surveyed.' }),
      lowCount ? h('p', { class: 'notice warn', text: `${lowCount} of ${groups.length} segments have fewer than 30 responses: read them with care.` }) : null,
      segmentChart({ title: `NPS by ${fmt.traitLabel(trait)}, ${state.from} to ${state.to}`, trait: fmt.traitLabel(trait), groups })),
    h('section', { class: 'card', 'aria-labelledby': 'segments-table-title' },
      h('h2', { id: 'segments-table-title', text: 'Segment details' }),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'segments-table' },
          h('caption', { class: 'visually-hidden', text: `NPS by ${fmt.traitLabel(trait)}` }),
          h('thead', null, h('tr', null,
            ['Value', 'NPS', 'Margin', 'Responses', 'Response rate', 'Sample', 'Filter'].map((c, i) =>
              h('th', { scope: 'col', class: i > 0 && i < 5 ? 'num' : null, text: c })))),
          h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 7, text: 'No responses for this trait in this range.' })))))));
  ctx.announce(`Segments by ${fmt.traitLabel(trait)}: ${groups.length} values.`);
}

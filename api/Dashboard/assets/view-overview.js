// Overview: the headline NPS with its margin of error, responses, response rate and the split;
// the trend with its band; the 0–10 distribution.

import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { distributionChart, splitBar, trendChart } from './charts.js';

export const title = 'Overview';

const INTERVALS = [['day', 'Day'], ['week', 'Week'], ['month', 'Month'], ['quarter', 'Quarter']];

function kpi(label, value, { raw, note, id } = {}) {
  return h('div', { class: 'kpi', dataset: { kpi: id } },
    h('dt', { text: label }),
    h('dd', null,
      h('span', { class: 'kpi-value', text: value, dataset: { value: raw === undefined ? '' : String(raw ?? '') } }),
      note ? h('span', { class: 'kpi-note', text: note }) : null));
}

export async function render(ctx, root) {
  const { state } = ctx;
  const [metrics, scores] = await Promise.all([
    ctx.api.get('/v1/metrics/nps', ctx.filters({ interval: state.interval })),
    ctx.api.get('/v1/metrics/scores', ctx.filters()),
  ]);
  if (!ctx.current()) return;

  const intervalGroup = h('fieldset', { class: 'segmented' },
    h('legend', { text: 'Interval' }),
    INTERVALS.map(([value, label]) => {
      const id = `interval-${value}`;
      const input = h('input', { type: 'radio', name: 'interval', id, value, checked: value === state.interval });
      input.addEventListener('change', () => ctx.set({ interval: value }));
      return h('span', { class: 'segment' }, input, h('label', { for: id, text: label }));
    }));

  const lowSample = metrics.lowSample
    ? h('p', { class: 'notice warn', text: `Low sample: ${metrics.responses} responses (fewer than 30), so the margin of error is wide.` })
    : null;

  mount(root,
    h('h1', { tabindex: -1, text: 'Overview' }),
    h('section', { class: 'card headline', 'aria-labelledby': 'headline-title' },
      h('h2', { id: 'headline-title', class: 'visually-hidden', text: 'Headline numbers' }),
      h('dl', { class: 'kpis' },
        kpi('NPS', fmt.nps(metrics.nps), { raw: metrics.nps, id: 'nps', note: metrics.nps === null ? 'no responses' : `${fmt.moe(metrics.marginOfError)} (95%)` }),
        kpi('Responses', fmt.count(metrics.responses), { raw: metrics.responses, id: 'responses', note: `of ${fmt.count(metrics.displays)} surveys shown` }),
        kpi('Response rate', fmt.pct(metrics.responseRate), { raw: metrics.responseRate, id: 'responseRate' }),
        h('div', { class: 'kpi wide', dataset: { kpi: 'split' } },
          h('dt', { text: 'Promoters · passives · detractors' }),
          h('dd', null, splitBar(metrics)))),
      lowSample),
    h('section', { class: 'card', 'aria-labelledby': 'trend-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'trend-title', text: 'NPS over time' }), intervalGroup),
      trendChart({ title: `NPS by ${state.interval}, ${state.from} to ${state.to}`, points: metrics.series || [], interval: state.interval })),
    h('section', { class: 'card', 'aria-labelledby': 'dist-title' },
      h('h2', { id: 'dist-title', text: 'Score distribution' }),
      distributionChart({ title: `Responses per score, ${state.from} to ${state.to}`, counts: scores.counts }),
      h('ul', { class: 'legend' },
        [['detractor', `Detractors ${fmt.scoreRange('detractor')}`], ['passive', `Passives ${fmt.scoreRange('passive')}`], ['promoter', `Promoters ${fmt.scoreRange('promoter')}`]].map(([key, text]) =>
          h('li', null, h('span', { class: `key c-${key}`, 'aria-hidden': 'true' }), h('span', { text }))))));
  ctx.announce(`Overview updated: NPS ${fmt.nps(metrics.nps)}, ${fmt.count(metrics.responses)} responses.`);
}

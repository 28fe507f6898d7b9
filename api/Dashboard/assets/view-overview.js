// Overview: the headline NPS with its margin of error and its change against the previous period
// of the same length, responses, response rate and the split; the trend with its band (and the
// workspace's NPS target); the 0–10 distribution; whether the follow-up loop is closed (loop-card.js).

import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { distributionChart, splitBar, trendChart } from './charts.js';
import { change, previousRange } from './compare.js';
import { loopCard } from './loop-card.js';

export const title = 'Overview';

const INTERVALS = [['day', 'Day'], ['week', 'Week'], ['month', 'Month'], ['quarter', 'Quarter']];

/** Daily points over a longer range are mostly noise (a few answers a day): weeks are drawn instead. */
export const MAX_DAILY_DAYS = 92;

function kpi(label, value, { raw, note, id } = {}) {
  return h('div', { class: 'kpi', dataset: { kpi: id } },
    h('dt', { text: label }),
    h('dd', null,
      h('span', { class: 'kpi-value', text: value, dataset: { value: raw === undefined ? '' : String(raw ?? '') } }),
      note ? h('span', { class: 'kpi-note', text: note }) : null));
}

/** The change KPI: "+5.3" and whether that is beyond the margin of error of the difference. */
function changeKpi(diff, previous, days) {
  const label = `Change vs previous ${fmt.count(days)} days`;
  if (!diff) {
    return kpi(label, '—', { raw: null, id: 'change', note: `no responses from ${previous.from} to ${previous.to}` });
  }
  const verdict = diff.beyondMargin
    ? `beyond the margin of error (±${diff.margin.toFixed(1)}): a real change`
    : `within the margin of error (±${diff.margin.toFixed(1)}): may be noise`;
  return h('div', { class: `kpi change ${diff.beyondMargin ? 'beyond' : 'within'}`, dataset: { kpi: 'change', beyond: String(diff.beyondMargin) } },
    h('dt', { text: label }),
    h('dd', null,
      h('span', { class: 'kpi-value', text: fmt.delta(diff.delta), dataset: { value: String(diff.delta), margin: String(diff.margin) } }),
      h('span', { class: 'kpi-note', text: `NPS ${fmt.nps(previous.nps)} from ${previous.from} to ${previous.to}; ${verdict}` })));
}

export async function render(ctx, root) {
  const { state } = ctx;
  const previous = previousRange(state.from, state.to);
  const days = previous.days;
  const tooManyDays = state.interval === 'day' && days > MAX_DAILY_DAYS;
  const interval = tooManyDays ? 'week' : state.interval;
  const [metrics, scores, before, loop] = await Promise.all([
    ctx.api.get('/v1/metrics/nps', ctx.filters({ interval })),
    ctx.api.get('/v1/metrics/scores', ctx.filters()),
    ctx.api.get('/v1/metrics/nps', ctx.filters({ from: previous.from, to: previous.to })),
    loopCard(ctx),
  ]);
  if (!ctx.current()) return;
  const diff = change(metrics, before);

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
  const target = ctx.workspace.npsTarget ?? null;

  mount(root,
    h('h1', { tabindex: -1, text: 'Overview' }),
    h('section', { class: 'card headline', 'aria-labelledby': 'headline-title' },
      h('h2', { id: 'headline-title', class: 'visually-hidden', text: 'Headline numbers' }),
      h('dl', { class: 'kpis' },
        kpi('NPS', fmt.nps(metrics.nps), { raw: metrics.nps, id: 'nps', note: metrics.nps === null ? 'no responses' : `${fmt.moe(metrics.marginOfError)} (95%)` }),
        changeKpi(diff, { ...previous, nps: before.nps }, days),
        kpi('Responses', fmt.count(metrics.responses), { raw: metrics.responses, id: 'responses', note: `of ${fmt.count(metrics.displays)} surveys shown` }),
        kpi('Response rate', fmt.pct(metrics.responseRate), { raw: metrics.responseRate, id: 'responseRate' }),
        h('div', { class: 'kpi wide', dataset: { kpi: 'split' } },
          h('dt', { text: 'Detractors · passives · promoters' }),
          h('dd', null, splitBar(metrics)))),
      lowSample),
    h('section', { class: 'card', 'aria-labelledby': 'trend-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'trend-title', text: 'NPS over time' }), intervalGroup),
      tooManyDays
        ? h('p', { class: 'notice warn', id: 'interval-notice', role: 'status',
          text: `${fmt.count(days)} daily points would be mostly noise (a few answers a day), so the chart shows weeks. `
            + `Choose a range of ${MAX_DAILY_DAYS} days or less for daily points.` })
        : null,
      trendChart({ title: `NPS by ${interval}, ${state.from} to ${state.to}`, points: metrics.series || [], interval, target }),
      target === null
        ? h('p', { class: 'hint', text: 'Set an NPS target in Settings to draw it on this chart.' })
        : null),
    h('section', { class: 'card', 'aria-labelledby': 'dist-title' },
      h('h2', { id: 'dist-title', text: 'Score distribution' }),
      distributionChart({ title: `Responses per score, ${state.from} to ${state.to}`, counts: scores.counts }),
      h('ul', { class: 'legend' },
        [['detractor', `Detractors ${fmt.scoreRange('detractor')}`], ['passive', `Passives ${fmt.scoreRange('passive')}`], ['promoter', `Promoters ${fmt.scoreRange('promoter')}`]].map(([key, text]) =>
          h('li', null, h('span', { class: `key c-${key}`, 'aria-hidden': 'true' }), h('span', { text }))))),
    loop);
  ctx.announce(`Overview updated: NPS ${fmt.nps(metrics.nps)}, ${fmt.count(metrics.responses)} responses.`);
}

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

/** Names of the channels a survey reaches users through. */
const CHANNELS = { in_app: 'In-app', link: 'Personal link', email: 'Email' };

/** Response rate and NPS per channel, when more than one channel has displays in the range. */
function channelComparison(byChannel) {
  const groups = (byChannel.groups || []).filter((g) => g.displays > 0);
  if (groups.length < 2) return null;
  return h('section', { class: 'card', 'aria-labelledby': 'channels-title' },
    h('h2', { id: 'channels-title', text: 'Channels compared' }),
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Channels compared (scrolls sideways)' }, h('table', { class: 'data', id: 'channel-comparison' },
      h('thead', null, h('tr', null, ['Channel', 'Shown', 'Responses', 'Response rate', 'NPS'].map((text, i) =>
        h('th', { scope: 'col', class: i ? 'num' : null, text })))),
      h('tbody', null, groups.map((g) => h('tr', null,
        h('th', { scope: 'row', text: CHANNELS[g.value] || g.value }),
        h('td', { class: 'num', text: fmt.count(g.displays) }),
        h('td', { class: 'num', text: fmt.count(g.responses) }),
        h('td', { class: 'num', text: fmt.pct(g.responseRate) }),
        h('td', { class: 'num', text: fmt.nps(g.nps) })))))),
    h('p', { class: 'hint', text: 'Segments by Channel shows margins and lets you filter to one channel.' }));
}

/** The reasons report as a table: count, share of the detractors who answered, change in points against the previous period. */
function reasonsTable(report, days) {
  if (!report.reasons.length) {
    return h('p', { class: 'hint', text: 'No detractor chose a reason in this range (add a reasons question to a survey in Surveys).' });
  }
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Top reasons (scrolls sideways)' }, h('table', { class: 'reasons', dataset: { respondents: String(report.respondents) } },
    h('caption', { text: `${fmt.count(report.respondents)} detractors answered the reasons question; change against the previous ${fmt.count(days)} days` }),
    h('thead', null, h('tr', null, ['Reason', 'Detractors', 'Share', 'Change'].map((text) => h('th', { scope: 'col', text })))),
    h('tbody', null, report.reasons.slice(0, 10).map((r) => h('tr', { dataset: { reason: r.id } },
      h('th', { scope: 'row', text: r.label ?? r.id }),
      h('td', { text: fmt.count(r.count) }),
      h('td', { text: `${r.share.toFixed(1)}%` }),
      h('td', { text: r.change === null ? '—' : `${fmt.delta(r.change)} pts` }))))));
}

export async function render(ctx, root) {
  const { state } = ctx;
  const previous = previousRange(state.from, state.to);
  const days = previous.days;
  const tooManyDays = state.interval === 'day' && days > MAX_DAILY_DAYS;
  const interval = tooManyDays ? 'week' : state.interval;
  const [metrics, scores, before, loop, byChannel, reasons] = await Promise.all([
    ctx.api.get('/v1/metrics/nps', ctx.filters({ interval })),
    ctx.api.get('/v1/metrics/scores', ctx.filters()),
    ctx.api.get('/v1/metrics/nps', ctx.filters({ from: previous.from, to: previous.to })),
    loopCard(ctx),
    ctx.api.get('/v1/metrics/nps', ctx.filters({ groupBy: 'channel' })),
    ctx.api.get('/v1/metrics/reasons', ctx.filters({ category: 'detractor' })),
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
    h('section', { class: 'card', 'aria-labelledby': 'reasons-title' },
      h('h2', { id: 'reasons-title', text: 'Top reasons among detractors' }),
      reasonsTable(reasons, days)),
    loop,
    channelComparison(byChannel));
  ctx.announce(`Overview updated: NPS ${fmt.nps(metrics.nps)}, ${fmt.count(metrics.responses)} responses.`);
}

// Overview: the headline metric of the selected survey's kind (NPS, eNPS, CSAT % satisfied, CES
// mean and % easy) with its margin of error and its change against the previous period of the same
// length, responses, response rate and the split into the kind's categories; the trend with its band
// (and the workspace's NPS target); the distribution over the kind's scale; the top reasons of its
// negative category; whether the follow-up loop is closed (loop-card.js).

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
function changeKpi(K, diff, previous, days) {
  const label = `Change vs previous ${fmt.count(days)} days`;
  if (!diff) {
    return kpi(label, '—', { raw: null, id: 'change', note: `no responses from ${previous.from} to ${previous.to}` });
  }
  const verdict = diff.beyondMargin
    ? `beyond the margin of error (±${diff.margin.toFixed(K.digits)}): a real change`
    : `within the margin of error (±${diff.margin.toFixed(K.digits)}): may be noise`;
  return h('div', { class: `kpi change ${diff.beyondMargin ? 'beyond' : 'within'}`, dataset: { kpi: 'change', beyond: String(diff.beyondMargin) } },
    h('dt', { text: label }),
    h('dd', null,
      h('span', { class: 'kpi-value', text: fmt.kindDelta(K.name, diff.delta), dataset: { value: String(diff.delta), margin: String(diff.margin) } }),
      h('span', { class: 'kpi-note', text: `${K.label} ${K.format(previous.metric)} from ${previous.from} to ${previous.to}; ${verdict}` })));
}

/** Names of the channels a survey reaches users through. */
const CHANNELS = { in_app: 'In-app', link: 'Personal link', email: 'Email' };

/** Response rate and the kind's metric per channel, when more than one channel has displays in the range. */
function channelComparison(K, byChannel) {
  const groups = (byChannel.groups || []).filter((g) => g.displays > 0);
  if (groups.length < 2) return null;
  return h('section', { class: 'card', 'aria-labelledby': 'channels-title' },
    h('h2', { id: 'channels-title', text: 'Channels compared' }),
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Channels compared (scrolls sideways)' }, h('table', { class: 'data', id: 'channel-comparison' },
      h('thead', null, h('tr', null, ['Channel', 'Shown', 'Responses', 'Response rate', K.label].map((text, i) =>
        h('th', { scope: 'col', class: i ? 'num' : null, text })))),
      h('tbody', null, groups.map((g) => h('tr', null,
        h('th', { scope: 'row', text: CHANNELS[g.value] || g.value }),
        h('td', { class: 'num', text: fmt.count(g.displays) }),
        h('td', { class: 'num', text: fmt.count(g.responses) }),
        h('td', { class: 'num', text: fmt.pct(g.responseRate) }),
        h('td', { class: 'num', text: K.format(fmt.metricOf(K.name, g).metric) })))))),
    h('p', { class: 'hint', text: 'Segments by Channel shows margins and lets you filter to one channel.' }));
}

/**
 * The reasons report as a table: count, share of the answers of the category that chose a reason,
 * change in points against the previous period. who: the category's name ("Detractors").
 */
export function reasonsTable(report, days, who = 'Detractors') {
  const lower = who.toLowerCase();
  if (!report.reasons.length) {
    return h('p', { class: 'hint', text: `No reason was chosen by ${lower} in this range (add a reasons question to a survey in Surveys).` });
  }
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Top reasons (scrolls sideways)' }, h('table', { class: 'reasons', dataset: { respondents: String(report.respondents) } },
    h('caption', { text: `${fmt.count(report.respondents)} ${lower} answered the reasons question; change against the previous ${fmt.count(days)} days` }),
    h('thead', null, h('tr', null, ['Reason', who, 'Share', 'Change'].map((text) => h('th', { scope: 'col', text })))),
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
  const K = ctx.kind;
  const [negative, negativeName] = K.categories[0];
  // "Detractors" answer; "Dissatisfied" and "Difficult" are said of answers.
  const who = K.field === 'nps' ? negativeName : `${negativeName} answers`;
  const [report, scores, previousReport, loop, byChannel, reasons] = await Promise.all([
    ctx.api.get(K.path, ctx.filters({ interval })),
    ctx.api.get('/v1/metrics/scores', ctx.filters()),
    ctx.api.get(K.path, ctx.filters({ from: previous.from, to: previous.to })),
    loopCard(ctx),
    ctx.api.get(K.path, ctx.filters({ groupBy: 'channel' })),
    ctx.api.get('/v1/metrics/reasons', ctx.filters({ category: negative })),
  ]);
  if (!ctx.current()) return;
  const metrics = fmt.metricOf(K.name, report);
  const before = fmt.metricOf(K.name, previousReport);
  const diff = change(metrics, before, K.digits);

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
  // The workspace's target is an NPS target: drawn on NPS charts only.
  const target = K.name === 'nps' ? ctx.workspace.npsTarget ?? null : null;
  const easy = K.name === 'ces'
    ? kpi('Easy (5–7)', metrics.percentPositive === null ? '—' : `${metrics.percentPositive.toFixed(1)}%`,
      { raw: metrics.percentPositive, id: 'percentPositive', note: metrics.percentPositive === null ? 'no responses' : `${fmt.moe(metrics.percentPositiveMarginOfError)} (95%)` })
    : null;

  mount(root,
    h('h1', { tabindex: -1, text: 'Overview' }),
    h('section', { class: 'card headline', 'aria-labelledby': 'headline-title' },
      h('h2', { id: 'headline-title', class: 'visually-hidden', text: 'Headline numbers' }),
      h('dl', { class: 'kpis' },
        kpi(K.title, K.format(metrics.metric), { raw: metrics.metric, id: K.name, note: metrics.metric === null ? 'no responses' : `${K.margin(metrics.margin)} (95%)` }),
        easy,
        changeKpi(K, diff, { ...previous, metric: before.metric }, days),
        kpi('Responses', fmt.count(metrics.responses), { raw: metrics.responses, id: 'responses', note: `of ${fmt.count(metrics.displays)} surveys shown` }),
        kpi('Response rate', fmt.pct(metrics.responseRate), { raw: metrics.responseRate, id: 'responseRate' }),
        h('div', { class: 'kpi wide', dataset: { kpi: 'split' } },
          h('dt', { text: K.categories.map(([, name], i) => (i ? name.toLowerCase() : name)).join(' · ') }),
          h('dd', null, splitBar(report, K.name)))),
      lowSample),
    h('section', { class: 'card', 'aria-labelledby': 'trend-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'trend-title', text: `${K.label} over time` }), intervalGroup),
      tooManyDays
        ? h('p', { class: 'notice warn', id: 'interval-notice', role: 'status',
          text: `${fmt.count(days)} daily points would be mostly noise (a few answers a day), so the chart shows weeks. `
            + `Choose a range of ${MAX_DAILY_DAYS} days or less for daily points.` })
        : null,
      trendChart({ title: `${K.title} by ${interval}, ${state.from} to ${state.to}`, points: report.series || [], interval, target, kind: K.name }),
      target === null && K.name === 'nps'
        ? h('p', { class: 'hint', text: 'Set an NPS target in Settings to draw it on this chart.' })
        : null),
    h('section', { class: 'card', 'aria-labelledby': 'dist-title' },
      h('h2', { id: 'dist-title', text: 'Score distribution' }),
      distributionChart({ title: `Responses per score, ${state.from} to ${state.to}`, counts: scores.counts, kind: K.name }),
      h('ul', { class: 'legend' },
        K.categories.map(([, name, lo, hi, colour]) =>
          h('li', null, h('span', { class: `key c-${colour}`, 'aria-hidden': 'true' }), h('span', { text: `${name} ${lo === hi ? lo : `${lo}–${hi}`}` }))))),
    h('section', { class: 'card', 'aria-labelledby': 'reasons-title' },
      h('h2', { id: 'reasons-title', text: `Top reasons among ${who.toLowerCase()}` }),
      reasonsTable(reasons, days, who)),
    loop,
    channelComparison(K, byChannel));
  ctx.announce(`Overview updated: ${K.label} ${K.format(metrics.metric)}, ${fmt.count(metrics.responses)} responses.`);
}

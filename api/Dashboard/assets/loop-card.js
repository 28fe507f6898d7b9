// The Overview's "Is the loop closed?" card (GET /v1/metrics/follow-ups for the same filters):
// how soon detractors are touched against the workspace's SLA, how many follow-ups are closed, and
// whether following up moved the next answer (recovery, followed-up against not), each share with
// its 95 % interval and a low-sample note.

import { h } from './dom.js';
import * as fmt from './format.js';

/** "62.9% (47–79%)" with "few cases" when the API marks the share lowSample. */
function share(s) {
  if (!s || s.of === 0 || s.rate === null || s.rate === undefined) return { value: '—', note: 'no cases yet' };
  const interval = `95% interval ${fmt.pct(s.low)}–${fmt.pct(s.high)}`;
  return { value: fmt.pct(s.rate), note: `${fmt.count(s.count)} of ${fmt.count(s.of)}; ${interval}${s.lowSample ? '; few cases, a rough guide' : ''}` };
}

function item(id, label, { value, note }) {
  return h('div', { class: 'kpi', dataset: { kpi: id } },
    h('dt', { text: label }),
    h('dd', null, h('span', { class: 'kpi-value', text: value }), note ? h('span', { class: 'kpi-note', text: note }) : null));
}

const hours = (v) => (v === null || v === undefined ? '—' : v < 48 ? `${fmt.nps(v).replace('.0', '')} h` : `${fmt.nps(v / 24).replace('.0', '')} d`);

/** The card, or null when the member cannot read follow-ups. */
export async function loopCard(ctx) {
  if (!ctx.can('follow-ups:read')) return null;
  const m = await ctx.api.get('/v1/metrics/follow-ups', ctx.filters());
  const first = m.timeToFirstTouch || {};
  const recovered = m.recovery || {};
  const verdict = recoveryVerdict(recovered.followedUp, recovered.notFollowedUp);
  return h('section', { class: 'card', id: 'loop-card', 'aria-labelledby': 'loop-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'loop-title', text: 'Is the loop closed?' }), h('a', { href: '#/inbox', text: 'Open the Inbox' })),
    m.followUps === 0
      ? h('p', { class: 'muted', text: 'No follow-ups in this range yet: detractors open one by themselves.' })
      : h('dl', { class: 'kpis' },
        item('followUps', 'Follow-ups', { value: fmt.count(m.followUps), note: `${fmt.count(m.touched)} touched` }),
        item('firstTouch', 'Time to first touch', { value: hours(first.medianHours), note: first.medianHours === null || first.medianHours === undefined ? 'none touched yet' : `median; nine in ten within ${hours(first.p90Hours)}` }),
        item('sla', `Touched within ${fmt.count(m.slaHours)} h`, share(m.touchedWithinSla)),
        item('closed', 'Closed', share(m.closed)),
        item('recoveredFollowed', 'Recovered, followed up', share(recovered.followedUp)),
        item('recoveredNot', 'Recovered, not followed up', share(recovered.notFollowedUp))),
    m.followUps === 0 ? null : h('p', { class: 'hint', id: 'loop-verdict', text: verdict }));
}

/**
 * Plain words for the recovery comparison: only when the two intervals do not overlap is a
 * difference called (a conservative reading; the API gives each share its own interval).
 */
export function recoveryVerdict(followed, not) {
  const base = 'Recovery: among detractors who answered again, the share whose next answer was passive or promoter.';
  if (!followed?.of || !not?.of) return `${base} Not enough detractors have answered again to compare.`;
  if (followed.low > not.high) return `${base} Detractors you followed up recovered more often.`;
  if (not.low > followed.high) return `${base} Detractors you followed up recovered less often.`;
  return `${base} No detectable difference yet.`;
}

// A small SVG chart module: a line with a band, vertical bars, horizontal bars with error
// whiskers, and a scatter with quadrants. Each chart is a <figure> with an SVG that has a
// <title> and <desc>, focusable marks with a text label each, and a data table beside it.
// Colours come from CSS classes (Okabe–Ito palette in dashboard.css), never inline styles.

import { h, s, uid } from './dom.js';
import * as fmt from './format.js';

/** Charts are drawn at the width they will be shown (1 SVG unit = 1 CSS pixel when drawn), so text stays legible on phones. */
function chartWidth() {
  const view = document.getElementById('view');
  const available = view ? view.clientWidth - 48 : 720;
  return Math.round(Math.min(960, Math.max(300, available)));
}

/** Round numbers for an axis between lo and hi. */
function ticks(lo, hi, target = 5) {
  const span = hi - lo || 1;
  const raw = span / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * pow).find((st) => st >= raw) || raw;
  const out = [];
  // `|| 0` turns −0 (Math.round of a tiny negative) into 0, so no axis ever says "−0".
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6 || 0);
  return out;
}

/** Width of an axis label in pixels at the charts' 12 px font (a generous average per character). */
const labelWidth = (text) => text.length * 7.5;

/**
 * Which points of an x axis get a label: every step-th one from the first, the step being the
 * smallest that keeps labels a gap apart at this spacing (pixels between points); the last point
 * too when it has room. Labels never overlap, whatever the width or the number of points.
 */
export function labelIndices(labels, spacing, gap = 14) {
  if (labels.length === 0) return [];
  const widest = Math.max(...labels.map(labelWidth)) + gap;
  const step = Math.max(1, Math.ceil(widest / Math.max(spacing, 1e-6)));
  const out = [];
  for (let i = 0; i < labels.length; i += step) out.push(i);
  const last = labels.length - 1;
  if (out[out.length - 1] !== last && (last - out[out.length - 1]) * spacing >= widest) out.push(last);
  return out;
}

/** Splits a long name into at most two lines of `width` characters (the rest ends in "…"). */
export function wrapName(name, width) {
  if (name.length <= width) return [name];
  const words = name.split(/\s+/);
  const lines = [''];
  for (const word of words) {
    const line = lines[lines.length - 1];
    if (!line) lines[lines.length - 1] = word;
    else if (`${line} ${word}`.length <= width) lines[lines.length - 1] = `${line} ${word}`;
    else lines.push(word);
  }
  const [first, ...rest] = lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  if (!rest.length) return [first];
  const second = rest.join(' ');
  return [first, second.length > width ? `${second.slice(0, width - 1)}…` : second];
}

/** The table every chart offers as its text alternative. */
export function dataTable(caption, columns, rows) {
  return h('table', { class: 'data' },
    h('caption', { text: caption }),
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : null, text: c.label })))),
    h('tbody', null, rows.map((row) => h('tr', null, row.map((cell, i) => (i === 0
      ? h('th', { scope: 'row', text: cell })
      : h('td', { class: columns[i].numeric ? 'num' : null, text: cell })))))));
}

/**
 * The common frame: an SVG with <title>/<desc> (role=group so its marks stay reachable), a
 * tooltip that follows focus and hover, and the data table in a <details> below.
 */
function frame({ title, desc, width: W, height, build, table, className = '' }) {
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${height}`, class: `chart-svg ${className}`, role: 'group',
    'aria-labelledby': titleId, 'aria-describedby': descId, focusable: 'false',
  }, s('title', { id: titleId, text: title }), s('desc', { id: descId, text: `${desc} Use the arrow keys to move between the marks.` }));
  build(svg);
  // One tab stop per chart: Tab reaches the first mark, the arrow keys (and Home/End) move between
  // marks (a roving tabindex), so a year of daily points is not 365 tab stops.
  const marks = [...svg.querySelectorAll('[data-tip]')];
  marks.forEach((m, i) => m.setAttribute('tabindex', i === 0 ? '0' : '-1'));
  svg.addEventListener('keydown', (event) => {
    const at = marks.indexOf(event.target);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: marks.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = marks[Math.max(0, Math.min(marks.length - 1, next))];
    marks[at].setAttribute('tabindex', '-1');
    target.setAttribute('tabindex', '0');
    target.focus();
  });
  const tip = h('div', { class: 'chart-tip', 'aria-hidden': 'true', hidden: true });
  const canvas = h('div', { class: 'chart-canvas' }, svg, tip);
  const show = (event) => {
    const mark = event.target.closest?.('[data-tip]');
    if (!mark) return;
    tip.textContent = mark.dataset.tip;
    tip.hidden = false;
    const box = mark.getBoundingClientRect();
    const outer = canvas.getBoundingClientRect();
    const left = Math.min(Math.max(box.left + box.width / 2 - outer.left, 60), outer.width - 60);
    tip.style.left = `${left}px`;
    tip.style.top = `${box.top - outer.top}px`;
  };
  const hide = () => { tip.hidden = true; };
  canvas.addEventListener('mouseover', show);
  canvas.addEventListener('focusin', show);
  canvas.addEventListener('mouseleave', hide);
  canvas.addEventListener('focusout', hide);
  return h('figure', { class: 'chart' },
    h('figcaption', { class: 'chart-caption', text: title }),
    canvas,
    h('details', { class: 'chart-data' }, h('summary', { text: 'Show the data as a table' }), table));
}

/** A focusable mark: role=img with the same text as its tooltip. */
function mark(tag, attrs, label) {
  return s(tag, { ...attrs, tabindex: 0, role: 'img', 'aria-label': label, dataset: { tip: label } });
}

function yAxis(svg, y, values, x0, x1, format = String) {
  for (const v of values) {
    svg.append(s('line', { class: v === 0 ? 'axis zero' : 'grid', x1: x0, x2: x1, y1: y(v), y2: y(v) }));
    svg.append(s('text', { class: 'tick', x: x0 - 8, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle', text: format(v) }));
  }
}

function empty(svg, W, height, text) {
  svg.append(s('text', { class: 'empty', x: W / 2, y: height / 2, 'text-anchor': 'middle', text }));
}

/**
 * A metric over time (NPS, eNPS, CSAT or CES: `kind`): the line, and the 95 % margin of error as a
 * band around it. Points with low samples are drawn hollow. points: a report's series as the API
 * gives it for that kind ([{ start, nps | score, marginOfError, responses, lowSample }]).
 */
export function trendChart({ title, points: raw, interval, target = null, kind = 'nps' }) {
  const K = fmt.kindOf(kind);
  const points = raw.map((p) => fmt.metricOf(K.name, p));
  const W = chartWidth();
  const height = W < 500 ? 240 : 300;
  const m = { l: 52, r: 30, t: 16, b: 48 };
  const hasTarget = target !== null && target !== undefined;
  const has = (p) => p.metric !== null && p.metric !== undefined;
  const up = (p) => Math.min(K.hi, p.metric + (p.margin || 0));
  const down = (p) => Math.max(K.lo, p.metric - (p.margin || 0));
  const withData = points.filter(has);
  const targets = hasTarget ? [target] : [];
  let lo = Math.max(K.lo, Math.floor(Math.min(...K.anchors.slice(0, 1), ...withData.map(down), ...targets) / K.step) * K.step);
  let hi = Math.min(K.hi, Math.ceil(Math.max(...K.anchors.slice(1), ...withData.map(up), ...targets) / K.step) * K.step);
  if (hi - lo < K.span) { hi = Math.min(K.hi, lo + K.span); lo = Math.max(K.lo, hi - K.span); }
  const n = points.length;
  const x = (i) => m.l + (n <= 1 ? (W - m.l - m.r) / 2 : (i * (W - m.l - m.r)) / (n - 1));
  const y = (v) => m.t + ((hi - v) * (height - m.t - m.b)) / (hi - lo || 1);
  const label = (p) => `${fmt.period(p.start, interval)}: ${has(p)
    ? `${K.label} ${K.format(p.metric)} ${K.margin(p.margin)}, ${fmt.count(p.responses)} responses${p.lowSample ? ', low sample' : ''}`
    : 'no responses'}`;

  const desc = withData.length === 0
    ? 'No responses in this range.'
    : `${n} ${interval} points from ${fmt.period(points[0].start, interval)} to ${fmt.period(points[n - 1].start, interval)}; `
      + `${K.label} between ${K.format(Math.min(...withData.map((p) => p.metric)))} and ${K.format(Math.max(...withData.map((p) => p.metric)))}. `
      + 'The shaded band is the 95% margin of error; hollow points have fewer than 30 responses.'
      + (hasTarget ? ` The dashed line is the target ${K.label} of ${K.format(target)}.` : '');

  const table = dataTable(`${title} (data)`,
    [{ label: 'Period' }, { label: K.label, numeric: true }, { label: 'Margin of error', numeric: true },
      { label: 'Responses', numeric: true }, { label: 'Low sample' }],
    points.map((p) => [fmt.period(p.start, interval), K.format(p.metric), K.margin(p.margin), fmt.count(p.responses), p.lowSample ? 'yes' : 'no']));

  return frame({
    title, desc, width: W, height, table, className: 'trend',
    build(svg) {
      if (withData.length === 0) { empty(svg, W, height, 'No responses in this range'); return; }
      yAxis(svg, y, ticks(lo, hi, 5), m.l, W - m.r, K.tick);
      if (hasTarget) {
        svg.append(s('line', { class: 'target-line', x1: m.l, x2: W - m.r, y1: y(target), y2: y(target), dataset: { value: String(target) } }));
        svg.append(s('text', { class: 'target-label', x: W - m.r, y: y(target) - 6, 'text-anchor': 'end', text: `Target ${K.format(target)}` }));
      }
      // Runs of consecutive points with data: the band and the line break where a period has none.
      const runs = [];
      let run = [];
      points.forEach((p, i) => {
        if (!has(p)) { if (run.length) runs.push(run); run = []; } else run.push(i);
      });
      if (run.length) runs.push(run);
      for (const r of runs) {
        if (r.length === 1) {
          const p = points[r[0]];
          svg.append(s('rect', { class: 'band', x: x(r[0]) - 6, width: 12, y: y(up(p)), height: Math.max(1, y(down(p)) - y(up(p))) }));
        } else {
          const upper = r.map((i) => `${x(i)},${y(up(points[i]))}`);
          const lower = r.map((i) => `${x(i)},${y(down(points[i]))}`).reverse();
          svg.append(s('path', { class: 'band', d: `M${upper.join('L')}L${lower.join('L')}Z` }));
          svg.append(s('path', { class: 'line', d: `M${r.map((i) => `${x(i)},${y(points[i].metric)}`).join('L')}` }));
        }
      }
      const names = points.map((p) => fmt.periodShort(p.start, interval));
      const labelled = new Set(labelIndices(names, n > 1 ? x(1) - x(0) : W));
      points.forEach((p, i) => {
        if (labelled.has(i)) {
          svg.append(s('text', { class: 'tick x-tick', x: x(i), y: height - m.b + 20, 'text-anchor': 'middle', text: names[i] }));
        }
        if (has(p)) {
          svg.append(mark('circle', { class: p.lowSample ? 'point low' : 'point', cx: x(i), cy: y(p.metric), r: 5 }, label(p)));
        }
      });
    },
  });
}

/** Responses per score of the kind's scale (0–10, 1–5, 1–7), coloured by category. counts: eleven numbers, counts[score]. */
export function distributionChart({ title, counts: all, kind = 'nps' }) {
  const K = fmt.kindOf(kind);
  const scores = [];
  for (let score = K.min; score <= K.max; score += 1) scores.push(score);
  const counts = scores.map((score) => all[score] || 0);
  const info = (score) => fmt.categoryInfo(K.name, fmt.categoryOf(K.name, score));
  const W = chartWidth();
  const height = 260;
  const m = { l: 52, r: 16, t: 24, b: 44 };
  const total = counts.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...counts);
  const yTicks = ticks(0, max, 4);
  const top = Math.max(max, yTicks[yTicks.length - 1]);
  const y = (v) => m.t + ((top - v) * (height - m.t - m.b)) / top;
  const slot = (W - m.l - m.r) / scores.length;
  const share = (c) => (total ? c / total : 0);
  const part = ([key, label], i) => `${i ? label.toLowerCase() : label} (${fmt.categoryInfo(K.name, key).range}): `
    + fmt.pct(share(counts.reduce((sum, c, j) => sum + (fmt.categoryOf(K.name, scores[j]) === key ? c : 0), 0)));
  const desc = total === 0
    ? 'No responses in this range.'
    : `${fmt.count(total)} responses. ${K.categories.map(part).join(', ')}.`;
  const table = dataTable(`${title} (data)`,
    [{ label: 'Score' }, { label: 'Category' }, { label: 'Responses', numeric: true }, { label: 'Share', numeric: true }],
    counts.map((c, j) => [String(scores[j]), fmt.categoryOf(K.name, scores[j]), fmt.count(c), fmt.pct(share(c))]));
  return frame({
    title, desc, width: W, height, table, className: 'distribution',
    build(svg) {
      if (total === 0) { empty(svg, W, height, 'No responses in this range'); return; }
      yAxis(svg, y, yTicks, m.l, W - m.r, (v) => fmt.count(v));
      counts.forEach((c, j) => {
        const score = scores[j];
        const bx = m.l + j * slot + slot * 0.15;
        const label = `Score ${score} (${fmt.categoryOf(K.name, score)}): ${fmt.count(c)} responses, ${fmt.pct(share(c))}`;
        svg.append(mark('rect', { class: `bar c-${info(score).colour}`, x: bx, width: slot * 0.7, y: y(c), height: Math.max(0, y(0) - y(c)) }, label));
        svg.append(s('text', { class: 'value', x: bx + slot * 0.35, y: y(c) - 6, 'text-anchor': 'middle', text: fmt.count(c) }));
        svg.append(s('text', { class: 'tick', x: bx + slot * 0.35, y: height - m.b + 20, 'text-anchor': 'middle', text: String(score) }));
      });
    },
  });
}

/**
 * A metric per segment value (NPS, eNPS, CSAT or CES: `kind`), side by side on the kind's axis
 * (−100…100, 0…100 %, 1…7), each with its margin of error as a whisker; segments with fewer than 30
 * responses are hatched and marked "low n". groups: a report's groups as the API gives them.
 */
export function segmentChart({ title, trait, groups: raw, kind = 'nps' }) {
  const K = fmt.kindOf(kind);
  const groups = raw.map((g) => fmt.metricOf(K.name, g));
  const W = chartWidth();
  const row = 34;
  const m = { l: Math.min(190, Math.round(W * 0.3)), r: W < 500 ? 76 : 90, t: 28, b: 36 };
  const maxChars = Math.max(6, Math.floor((m.l - 14) / 6.5));
  const height = m.t + Math.max(1, groups.length) * row + m.b;
  const x = (v) => m.l + ((v - K.lo) * (W - m.l - m.r)) / (K.hi - K.lo);
  const hatchIds = { positive: uid('hatch'), negative: uid('hatch') };
  const shown = groups.filter((g) => g.metric !== null && g.metric !== undefined);
  const label = (g) => `${trait} ${g.label ?? g.value}: ${K.label} ${K.format(g.metric)} ${K.margin(g.margin)}, ${fmt.count(g.responses)} responses${g.lowSample ? ', low sample' : ''}`;
  const best = shown.length ? shown.reduce((a, b) => (b.metric > a.metric ? b : a)) : null;
  const worst = shown.length ? shown.reduce((a, b) => (b.metric < a.metric ? b : a)) : null;
  const desc = shown.length === 0
    ? 'No responses in this range.'
    : `${K.label} by ${trait} for ${groups.length} values. Highest: ${best.label ?? best.value} at ${K.format(best.metric)}; lowest: ${worst.label ?? worst.value} at ${K.format(worst.metric)}. `
      + `Whiskers show the 95% margin of error; hatched bars have fewer than 30 responses.`;
  const table = dataTable(`${title} (data)`,
    [{ label: trait }, { label: K.label, numeric: true }, { label: 'Margin of error', numeric: true }, { label: 'Responses', numeric: true },
      ...[...K.categories].reverse().map(([, name]) => ({ label: name, numeric: true })), { label: 'Low sample' }],
    groups.map((g) => [g.label ?? String(g.value), K.format(g.metric), K.margin(g.margin), fmt.count(g.responses),
      ...[...g.split].reverse().map((c) => fmt.count(c)), g.lowSample ? 'yes' : 'no']));
  const axis = [0, 0.25, 0.5, 0.75, 1].map((f) => K.lo + f * (K.hi - K.lo));
  return frame({
    title, desc, width: W, height, table, className: 'segments',
    build(svg) {
      // Low-sample bars are filled with a hatch in their sign's colour. The stylesheet colours only
      // bars that are not .low, so this fill attribute is what a low bar shows.
      svg.append(s('defs', null, Object.entries(hatchIds).map(([sign, id]) => s('pattern', {
        id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)',
      }, s('rect', { class: 'hatch-bg', width: 6, height: 6 }), s('line', { class: `hatch-line ${sign}`, x1: 0, y1: 0, x2: 0, y2: 6 })))));
      if (groups.length === 0) { empty(svg, W, height, 'No responses for this trait in this range'); return; }
      for (const v of axis) {
        svg.append(s('line', { class: v === K.base ? 'axis zero' : 'grid', x1: x(v), x2: x(v), y1: m.t - 6, y2: height - m.b }));
        svg.append(s('text', { class: 'tick', x: x(v), y: height - m.b + 18, 'text-anchor': 'middle', text: K.tick(v) }));
      }
      groups.forEach((g, i) => {
        const cy = m.t + i * row + row / 2;
        const name = g.label ?? String(g.value);
        // Long names wrap onto a second line; the full name is in the tooltip of the bar (on focus too) and the table.
        const lines = wrapName(name, maxChars);
        svg.append(s('text', { class: 'label', x: m.l - 10, y: cy, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
          s('title', { text: name }),
          lines.map((line, k) => s('tspan', { x: m.l - 10, dy: k === 0 ? (lines.length > 1 ? '-0.55em' : '0') : '1.1em', text: line }))));
        if (g.metric === null || g.metric === undefined) return;
        const x0 = Math.min(x(K.base), x(g.metric));
        const sign = g.metric >= K.pivot ? 'positive' : 'negative';
        const bar = mark('rect', {
          class: `bar ${sign}${g.lowSample ? ' low' : ''}`,
          x: x0, width: Math.max(1, Math.abs(x(g.metric) - x(K.base))), y: cy - 10, height: 20,
          fill: g.lowSample ? `url(#${hatchIds[sign]})` : null,
        }, label(g));
        svg.append(bar);
        const a = x(Math.max(K.lo, g.metric - (g.margin || 0)));
        const b = x(Math.min(K.hi, g.metric + (g.margin || 0)));
        svg.append(s('path', { class: 'whisker', d: `M${a},${cy}H${b}M${a},${cy - 6}V${cy + 6}M${b},${cy - 6}V${cy + 6}` }));
        svg.append(s('text', { class: g.lowSample ? 'value low' : 'value', x: W - m.r + 8, y: cy, 'dominant-baseline': 'middle',
          text: g.lowSample ? `n=${fmt.count(g.responses)} · low n` : `n=${fmt.count(g.responses)}` }));
      });
    },
  });
}

/** Marker shape per quadrant, so the chart reads without colour too. */
function symbol(kind, cx, cy, r) {
  switch (kind) {
    case 'at_risk': return `M${cx},${cy - r * 1.3}L${cx + r * 1.3},${cy}L${cx},${cy + r * 1.3}L${cx - r * 1.3},${cy}Z`;
    case 'monitor': return `M${cx},${cy - r * 1.2}L${cx + r * 1.1},${cy + r * 0.9}L${cx - r * 1.1},${cy + r * 0.9}Z`;
    case 'grow': return `M${cx - r},${cy - r}H${cx + r}V${cy + r}H${cx - r}Z`;
    default: return `M${cx - r},${cy}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
  }
}

/** A small legend swatch in the same shape and colour as the scatter's marks. */
export function quadrantSwatch(kind) {
  return s('svg', { class: 'swatch', viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' },
    s('path', { class: `mark q-${kind}`, d: symbol(kind, 8, 8, 5) }));
}

/**
 * ARR (log scale) against NPS, one mark per account sized by respondents, with the quadrant
 * lines and their names. accounts: [{ accountName, arr, nps, respondents, kind, quadrant }].
 */
export function accountScatter({ title, accounts, arrThreshold, npsThreshold, quadrantNames }) {
  const W = chartWidth();
  const height = Math.round(Math.min(440, Math.max(300, W * 0.6)));
  const m = { l: 56, r: 24, t: 28, b: 52 };
  const plotted = accounts.filter((a) => a.arr > 0 && a.nps !== null && a.nps !== undefined);
  const arrs = plotted.map((a) => a.arr).concat(arrThreshold > 0 ? [arrThreshold] : []);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...arrs, 1000)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...arrs, lo * 10)));
  const x = (v) => m.l + ((Math.log10(v) - Math.log10(lo)) * (W - m.l - m.r)) / (Math.log10(hi) - Math.log10(lo));
  const y = (v) => m.t + ((100 - v) * (height - m.t - m.b)) / 200;
  const label = (a) => `${a.accountName}: ARR ${fmt.usd(a.arr)}, NPS ${fmt.nps(a.nps)} ${fmt.moe(a.marginOfError)}, `
    + `${fmt.count(a.responses)} responses${a.lowSample ? ' (low sample)' : ''}, ${a.status || quadrantNames[a.kind]}`;
  const atRisk = plotted.filter((a) => a.kind === 'at_risk');
  const desc = plotted.length === 0
    ? 'No accounts with ARR and responses in this range.'
    : `${plotted.length} accounts by ARR (logarithmic axis) and NPS, split at ${fmt.usd(arrThreshold)} ARR and NPS ${fmt.nps(npsThreshold)}. `
      + `${atRisk.length} in the ${quadrantNames.at_risk} corner (high ARR, low NPS)${atRisk.length ? `, the largest ${atRisk.reduce((a, b) => (b.arr > a.arr ? b : a)).accountName}` : ''}. `
      + 'Hollow marks have fewer than 30 responses.';
  const table = dataTable(`${title} (data)`,
    [{ label: 'Account' }, { label: 'ARR', numeric: true }, { label: 'NPS', numeric: true }, { label: 'Margin of error', numeric: true },
      { label: 'Responses', numeric: true }, { label: 'Quadrant' }],
    plotted.map((a) => [a.accountName, fmt.usd(a.arr), fmt.nps(a.nps), fmt.moe(a.marginOfError), fmt.count(a.responses), a.status || quadrantNames[a.kind]]));
  return frame({
    title, desc, width: W, height, table, className: 'scatter',
    build(svg) {
      if (plotted.length === 0) { empty(svg, W, height, 'No accounts with ARR in this range'); return; }
      yAxis(svg, y, [-100, -50, 0, 50, 100], m.l, W - m.r, fmt.tick);
      for (let v = lo; v <= hi; v *= 10) {
        svg.append(s('line', { class: 'grid', x1: x(v), x2: x(v), y1: m.t, y2: height - m.b }));
        svg.append(s('text', { class: 'tick', x: x(v), y: height - m.b + 18, 'text-anchor': 'middle', text: fmt.usd(v, true) }));
      }
      svg.append(s('text', { class: 'axis-title', x: (m.l + W - m.r) / 2, y: height - 8, 'text-anchor': 'middle', text: 'ARR (log scale)' }));
      svg.append(s('text', { class: 'axis-title', x: 14, y: (m.t + height - m.b) / 2, 'text-anchor': 'middle',
        transform: `rotate(-90 14 ${(m.t + height - m.b) / 2})`, text: 'NPS' }));
      const qx = x(Math.min(Math.max(arrThreshold, lo), hi));
      const qy = y(npsThreshold);
      svg.append(s('line', { class: 'quadrant-line', x1: qx, x2: qx, y1: m.t, y2: height - m.b }));
      svg.append(s('line', { class: 'quadrant-line', x1: m.l, x2: W - m.r, y1: qy, y2: qy }));
      const corner = (kind, tx, ty, anchor) => svg.append(s('text', { class: `quadrant-name q-${kind}`, x: tx, y: ty, 'text-anchor': anchor, text: quadrantNames[kind] }));
      corner('champion', W - m.r - 6, m.t + 14, 'end');
      corner('at_risk', W - m.r - 6, height - m.b - 8, 'end');
      corner('grow', m.l + 6, m.t + 14, 'start');
      corner('monitor', m.l + 6, height - m.b - 8, 'start');
      // Marks with the most respondents first, so the smaller ones stay on top and can be pointed at.
      for (const a of [...plotted].sort((p, q) => q.respondents - p.respondents)) {
        const r = Math.min(12, 3.5 + Math.sqrt(a.respondents));
        svg.append(mark('path', { class: `mark q-${a.kind}${a.lowSample ? ' low' : ''}`, d: symbol(a.kind, x(a.arr), y(a.nps), r) }, label(a)));
      }
    },
  });
}

/** The split into the kind's three categories (detractors · passives · promoters for NPS) as one 100 % bar with a legend. */
export function splitBar(report, kind = 'nps') {
  const K = fmt.kindOf(kind);
  const { split } = fmt.metricOf(K.name, report);
  const total = split.reduce((a, b) => a + b, 0);
  const parts = K.categories.map(([, name, , , colour], i) => [colour, name, split[i]]);
  const titleId = uid('split');
  let offset = 0;
  const svg = s('svg', { viewBox: '0 0 300 20', class: 'split-svg', role: 'img', 'aria-labelledby': titleId, preserveAspectRatio: 'none', focusable: 'false' },
    s('title', { id: titleId, text: total ? parts.map(([, name, n]) => `${name} ${fmt.pct(n / total)}`).join(', ') : 'No responses' }));
  for (const [key, , n] of parts) {
    if (!total || !n) continue;
    const w = (n / total) * 300;
    svg.append(s('rect', { class: `c-${key}`, x: offset, y: 0, width: w, height: 20 }));
    offset += w;
  }
  return h('div', { class: 'split' }, svg,
    // The legend reads in the order of the bar, left to right.
    h('ul', { class: 'legend' }, parts.map(([key, name, n]) => h('li', null,
      h('span', { class: `key c-${key}`, 'aria-hidden': 'true' }),
      h('span', { text: `${name} ${total ? fmt.pct(n / total) : '—'} (${fmt.count(n)})` })))));
}

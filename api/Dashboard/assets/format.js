// Number and date formatting in one place, so tables, charts and headlines agree.

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
// One precision for every percentage on the dashboard: one decimal, always shown ("62.0%").
const percent = new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const compactMoney = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });

/** A signed number with a real minus sign, never "−0" (−0.04 rounds to "0.0"). */
function signed(text) {
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text.replace('-', '−');
}

/** NPS as the API rounds it (0.1): "32.1", "−4.0", or an em dash when there are no responses. */
export function nps(value) {
  if (value === null || value === undefined) return '—';
  return signed(oneDecimal.format(value));
}

/** An axis tick: a whole number with a real minus sign, never "−0". */
export function tick(value) {
  return signed(integer.format(value));
}

/** A change in NPS points with its sign: "+5.3", "−2.0", "0.0". */
export function delta(value) {
  if (value === null || value === undefined) return '—';
  const text = nps(value);
  return value > 0 && text !== '0.0' ? `+${text}` : text;
}

/** "±4.2" */
export function moe(value) {
  if (value === null || value === undefined) return '';
  return `±${oneDecimal.format(value)}`;
}

export function count(value) {
  return value === null || value === undefined ? '—' : integer.format(value);
}

/** A fraction 0..1 as "12.5%". */
export function pct(value) {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : percent.format(value);
}

export function usd(value, compact = false) {
  if (value === null || value === undefined) return '—';
  return (compact ? compactMoney : money).format(value);
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The label of a series point starting at iso, for an interval (UTC). */
export function period(iso, interval) {
  const d = new Date(iso);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (interval) {
    case 'quarter': return `Q${Math.floor(m / 3) + 1} ${y}`;
    case 'month': return `${months[m]} ${y}`;
    case 'week': return `Week of ${d.getUTCDate()} ${months[m]} ${y}`;
    default: return `${d.getUTCDate()} ${months[m]} ${y}`;
  }
}

/** A short axis label for a series point. */
export function periodShort(iso, interval) {
  const d = new Date(iso);
  const m = d.getUTCMonth();
  switch (interval) {
    case 'quarter': return `Q${Math.floor(m / 3) + 1} ’${String(d.getUTCFullYear()).slice(2)}`;
    case 'month': return `${months[m]} ’${String(d.getUTCFullYear()).slice(2)}`;
    default: return `${d.getUTCDate()} ${months[m]}`;
  }
}

/** "2026-03-02 14:05 UTC" */
export function dateTime(iso) {
  if (!iso) return '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Category of a score, as the API defines it (NpsCategory.Of; a test keeps the two equal). */
export function category(score) {
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

/** The scores of a category as a label: "0–6", "7–8", "9–10". */
export function scoreRange(kind) {
  const scores = [...Array(11).keys()].filter((score) => category(score) === kind);
  return `${scores[0]}–${scores[scores.length - 1]}`;
}

/**
 * The question kinds as the API defines them (QuestionKinds; a test keeps the two equal): each
 * kind's scale, its three categories lowest first (with the names the dashboard shows and the
 * colour class of NPS's category at that rank), its metric (the API's path and field), how the
 * metric is written, and the range of its axis. NPS and eNPS: −100…100 from 0; CSAT: % satisfied,
 * 0…100; CES: the mean score, 1…7. `pivot` is where a segment's bar turns from the negative colour
 * to the positive one.
 */
const meanFormat = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const npsKind = {
  name: 'nps', label: 'NPS', title: 'NPS', path: '/v1/metrics/nps', field: 'nps', min: 0, max: 10, digits: 1,
  categories: [['detractor', 'Detractors', 0, 6, 'detractor'], ['passive', 'Passives', 7, 8, 'passive'], ['promoter', 'Promoters', 9, 10, 'promoter']],
  lo: -100, hi: 100, base: 0, pivot: 0, step: 10, span: 20, anchors: [0, 10], unit: 'points',
  format: (v) => nps(v), margin: (v) => moe(v), tick: (v) => tick(v),
};
export const KINDS = {
  nps: npsKind,
  enps: { ...npsKind, name: 'enps', label: 'eNPS', title: 'eNPS', path: '/v1/metrics/enps' },
  csat: {
    name: 'csat', label: 'CSAT', title: 'CSAT (% satisfied)', path: '/v1/metrics/csat', field: 'score', min: 1, max: 5, digits: 1,
    categories: [['dissatisfied', 'Dissatisfied', 1, 2, 'detractor'], ['neutral', 'Neutral', 3, 3, 'passive'], ['satisfied', 'Satisfied', 4, 5, 'promoter']],
    lo: 0, hi: 100, base: 0, pivot: 50, step: 10, span: 20, anchors: [], unit: 'points',
    format: (v) => (v === null || v === undefined ? '—' : `${oneDecimal.format(v)}%`), margin: (v) => moe(v), tick: (v) => integer.format(v),
  },
  ces: {
    name: 'ces', label: 'CES', title: 'CES (mean score, 1–7)', path: '/v1/metrics/ces', field: 'score', min: 1, max: 7, digits: 2,
    categories: [['difficult', 'Difficult', 1, 3, 'detractor'], ['neutral', 'Neutral', 4, 4, 'passive'], ['easy', 'Easy', 5, 7, 'promoter']],
    lo: 1, hi: 7, base: 1, pivot: 4, step: 0.5, span: 1, anchors: [], unit: '',
    format: (v) => (v === null || v === undefined ? '—' : meanFormat.format(v)),
    margin: (v) => (v === null || v === undefined ? '' : `±${meanFormat.format(v)}`), tick: (v) => oneDecimal.format(v),
  },
};

/** A change of a kind's metric with its sign, to the metric's precision: "+5.3", "−0.25". */
export function kindDelta(kind, value) {
  if (value === null || value === undefined) return '—';
  const text = signed((kindOf(kind).digits === 2 ? meanFormat : oneDecimal).format(value));
  return value > 0 && !/^0\.0+$/.test(text) ? `+${text}` : text;
}

/** The kind of a name (NPS for an unknown one or none: "All surveys" reports NPS). */
export function kindOf(name) {
  return KINDS[name] || KINDS.nps;
}

/** The name of the category a score is in, for a kind: "satisfied" for a CSAT 4. */
export function categoryOf(kind, score) {
  const found = kindOf(kind).categories.find(([, , lo, hi]) => score >= lo && score <= hi);
  return found ? found[0] : null;
}

/** A category's name as the dashboard shows it ("Dissatisfied") and its colour class ("c-detractor"). */
export function categoryInfo(kind, name) {
  const found = kindOf(kind).categories.find(([key]) => key === name);
  return found ? { key: found[0], label: found[1], range: found[2] === found[3] ? String(found[2]) : `${found[2]}–${found[3]}`, colour: found[4] } : null;
}

/**
 * A report of any kind (or a point or group of one) in one shape: `metric` the headline number,
 * `margin` its 95 % half-width, `split` the answers per category lowest first. NPS and eNPS
 * reports count categories in detractors/passives/promoters; CSAT and CES in `categories`.
 */
export function metricOf(kind, r) {
  const k = kindOf(kind);
  if (!r) return r;
  const split = k.field === 'nps'
    ? [r.detractors, r.passives, r.promoters]
    : k.categories.map(([key]) => r.categories?.[key] ?? 0);
  return { ...r, metric: r[k.field] ?? null, margin: r.marginOfError ?? null, split };
}

/** Human label for a trait key: companySize → "Company size". */
export function traitLabel(key) {
  const known = { csm: 'CSM', arr: 'ARR', accountId: 'Account id', accountName: 'Account', companySize: 'Company size', locale: 'Language', variant: 'A/B variant', channel: 'Channel' };
  if (known[key]) return known[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

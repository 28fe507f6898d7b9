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

/** Human label for a trait key: companySize → "Company size". */
export function traitLabel(key) {
  const known = { csm: 'CSM', arr: 'ARR', accountId: 'Account id', accountName: 'Account', companySize: 'Company size', locale: 'Language', variant: 'A/B variant', channel: 'Channel' };
  if (known[key]) return known[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

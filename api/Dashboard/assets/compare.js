// The change of a metric (NPS, CSAT, CES) against the previous period of the same length, and whether it is beyond the
// margin of error. Pure: the tests run these functions against an independent computation.

const DAY = 86_400_000;

const toDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The period of the same length just before from…to (inclusive UTC days, "YYYY-MM-DD"). */
export function previousRange(from, to) {
  const start = Date.parse(`${from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - start) / DAY) + 1;
  return { from: toDay(start - days * DAY), to: toDay(start - DAY), days };
}

const round = (v, digits) => Math.round(v * 10 ** digits) / 10 ** digits;
const valueOf = (r) => (r?.metric !== undefined ? r.metric : r?.nps);
const marginOf = (r) => (r?.margin !== undefined ? r.margin : r?.marginOfError);

/**
 * The metric now minus the metric before, and the 95 % margin of error of that difference: the two
 * periods' answers are independent samples, so the margins add in quadrature, √(m₁² + m₂²). The
 * change is "beyond the margin" when it is larger than that margin; otherwise it may be noise.
 * current, previous: { nps, marginOfError } as GET /v1/metrics/nps reports them, or { metric, margin }
 * of any kind (format.js metricOf). Null without answers. digits: 1 (NPS, CSAT), 2 (the CES mean).
 */
export function change(current, previous, digits = 1) {
  const now = valueOf(current);
  const before = valueOf(previous);
  if (now === null || now === undefined || before === null || before === undefined) return null;
  const delta = round(now - before, digits);
  const margin = round(Math.hypot(marginOf(current) || 0, marginOf(previous) || 0), digits);
  return { delta, margin, beyondMargin: Math.abs(delta) > margin };
}

// The change of NPS against the previous period of the same length, and whether it is beyond the
// margin of error. Pure: the tests run these functions against an independent computation.

const DAY = 86_400_000;

const toDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The period of the same length just before from…to (inclusive UTC days, "YYYY-MM-DD"). */
export function previousRange(from, to) {
  const start = Date.parse(`${from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - start) / DAY) + 1;
  return { from: toDay(start - days * DAY), to: toDay(start - DAY), days };
}

const round1 = (v) => Math.round(v * 10) / 10;

/**
 * NPS now minus NPS before, and the 95 % margin of error of that difference: the two periods'
 * answers are independent samples, so the margins add in quadrature, √(m₁² + m₂²). The change is
 * "beyond the margin" when it is larger than that margin; otherwise it may be noise.
 * current, previous: { nps, marginOfError } as GET /v1/metrics/nps reports them. Null without answers.
 */
export function change(current, previous) {
  if (current?.nps === null || current?.nps === undefined || previous?.nps === null || previous?.nps === undefined) return null;
  const delta = round1(current.nps - previous.nps);
  const margin = round1(Math.hypot(current.marginOfError || 0, previous.marginOfError || 0));
  return { delta, margin, beyondMargin: Math.abs(delta) > margin };
}

// Settings: the workspace's name, product name, allowed origins, identity verification, fatigue
// days, test mode and NPS target, saved with PUT /v1/workspace. It asks first before removing the
// origin this page (and the demo page served beside it) is using, and before turning identity
// verification off for a live workspace.

import { h, field, mount, uid } from './dom.js';
import { confirmAction, formErrors, statusLine } from './ui.js';

export const title = 'Settings';

export const LABELS = {
  name: 'Workspace name',
  productName: 'Product name',
  allowedOrigins: 'Allowed origins',
  requireUserHash: 'Require identity verification (userHash)',
  fatigueDays: 'Days between any two surveys',
  testMode: 'Test mode',
  viewersMayExport: 'Viewers may export responses',
  npsTarget: 'NPS target',
};

/**
 * Whether an origin is allowed by one of the patterns, by the rules of the API's OriginPattern
 * (exact origin, a leading "*." for subdomains, ":*" for any port); a test checks both agree.
 */
export function originAllowed(patterns, origin) {
  const split = (hostPort) => {
    const bracket = hostPort.lastIndexOf(']');
    const colon = hostPort.lastIndexOf(':');
    return colon > bracket ? [hostPort.slice(0, colon), hostPort.slice(colon + 1)] : [hostPort, null];
  };
  const o = String(origin || '').toLowerCase();
  const at = o.indexOf('://');
  if (at <= 0) return false;
  const [host, port] = split(o.slice(at + 3));
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    const ps = p.indexOf('://');
    if (ps <= 0 || p.slice(0, ps) !== o.slice(0, at)) return false;
    const [patternHost, patternPort] = split(p.slice(ps + 3));
    const portOk = patternPort === '*' || patternPort === port;
    const hostOk = patternHost.startsWith('*.')
      ? host.endsWith(patternHost.slice(1)) && host.length > patternHost.length - 1
      : host === patternHost;
    return portOk && hostOk;
  });
}

export async function render(ctx, root) {
  const ws = ctx.workspace;
  const form = h('form', { class: 'settings-form', id: 'settings-form', novalidate: true, 'aria-labelledby': 'settings-title' });
  const errors = formErrors(form, LABELS);
  const status = statusLine('settings-status');
  status.textContent = ctx.flash() || '';

  const name = h('input', { type: 'text', value: ws.name, autocomplete: 'off' });
  const productName = h('input', { type: 'text', value: ws.productName, autocomplete: 'off' });
  const origins = h('textarea', { rows: Math.max(3, ws.allowedOrigins.length + 1), spellcheck: 'false' }, ws.allowedOrigins.join('\n'));
  const requireUserHash = h('input', { type: 'checkbox', id: uid('f'), checked: ws.requireUserHash });
  const fatigueDays = h('input', { type: 'number', min: 0, max: 365, step: 1, value: ws.fatigueDays, inputmode: 'numeric' });
  const testMode = h('input', { type: 'checkbox', id: uid('f'), checked: ws.testMode });
  const viewersMayExport = h('input', { type: 'checkbox', id: uid('f'), checked: ws.viewersMayExport });
  const npsTarget = h('input', { type: 'number', min: -100, max: 100, step: 1, value: ws.npsTarget ?? '', placeholder: 'none', inputmode: 'decimal' });

  const check = (input, key, hint) => h('div', { class: 'field check', dataset: { field: key } },
    input, h('label', { for: input.id, text: LABELS[key] }), hint ? h('p', { class: 'hint', text: hint }) : null, h('p', { class: 'error' }));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    const list = origins.value.split(/[\n,]+/).map((o) => o.trim()).filter(Boolean);
    const here = location.origin;
    if (originAllowed(ws.allowedOrigins, here) && !originAllowed(list, here)) {
      const removed = ws.allowedOrigins.filter((o) => originAllowed([o], here));
      const ok = await confirmAction({
        title: `Stop allowing ${here}?`,
        body: [
          `${removed.join(', ')} ${removed.length === 1 ? 'allows' : 'allow'} this origin, ${here}: the origin of this dashboard and of the demo page Pulse serves beside it.`,
          `After saving, the widget on any page at ${here} is refused (403) and shows no survey. This dashboard keeps working: it uses your secret key.`,
        ],
        confirm: 'Remove it and save',
      });
      if (!ok) return;
    }
    if (ws.requireUserHash && !requireUserHash.checked && !testMode.checked) {
      const ok = await confirmAction({
        title: 'Turn identity verification off?',
        body: [
          'This workspace is live (test mode is off). Without identity verification anyone who can read your page can answer surveys as any user id, '
            + 'and those answers count in your NPS.',
          'Pulse stops checking userHash at once; your snippet keeps working either way.',
        ],
        confirm: 'Turn it off',
      });
      if (!ok) return;
    }
    const target = npsTarget.value.trim();
    const body = {
      name: name.value.trim(),
      productName: productName.value.trim(),
      allowedOrigins: list,
      requireUserHash: requireUserHash.checked,
      fatigueDays: fatigueDays.value.trim() === '' ? null : Number(fatigueDays.value),
      testMode: testMode.checked,
      viewersMayExport: viewersMayExport.checked,
      npsTarget: target === '' ? null : Number(target),
    };
    status.textContent = 'Saving…';
    try {
      const saved = await ctx.api.put('/v1/workspace', body);
      ctx.setWorkspace(saved);
      ctx.set({}, { flash: `Saved at ${new Date().toISOString().slice(11, 19)} UTC.` });
    } catch (error) {
      status.textContent = '';
      errors.showError(error, 'The settings were not saved');
    }
  });

  mount(form,
    errors.summary,
    h('fieldset', null, h('legend', { text: 'Workspace' }),
      h('div', { class: 'grid-2' },
        field(LABELS.name, name, { name: 'name' }),
        field(LABELS.productName, productName, { name: 'productName', hint: 'Survey texts say {product}: "How likely are you to recommend Acme HR…"' }))),
    h('fieldset', null, h('legend', { text: 'Where the widget may run' }),
      field(LABELS.allowedOrigins, origins, { name: 'allowedOrigins',
        hint: 'One per line: https://app.acme.com, https://*.acme.com (subdomains) or http://localhost:* (any port). Pages elsewhere are refused.' })),
    h('fieldset', null, h('legend', { text: 'Rules' }),
      check(requireUserHash, 'requireUserHash', 'Your servers sign each user id (see Setup); calls without a valid userHash are refused.'),
      check(testMode, 'testMode', 'For staging: pulse(\'init\', { force: true }) shows a survey whatever the rules say.'),
      h('div', { class: 'grid-2' },
        field(LABELS.fatigueDays, fatigueDays, { name: 'fatigueDays', hint: 'No user is asked two surveys within this many days (0 to 365).' }),
        field(LABELS.npsTarget, npsTarget, { name: 'npsTarget', hint: 'Drawn as a line on the Overview trend; empty for none (−100 to 100).' }))),
    h('fieldset', null, h('legend', { text: 'Team' }),
      check(viewersMayExport, 'viewersMayExport', 'Viewers can download the responses CSV (user ids, traits and comments); owners, admins and analysts always can.')),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Save settings' }), status));

  mount(root,
    h('h1', { tabindex: -1, text: 'Settings' }),
    h('section', { class: 'card', 'aria-labelledby': 'settings-title' },
      h('h2', { id: 'settings-title', text: `Workspace ${ws.id}` }),
      form));
  ctx.announce('Settings loaded.');
}

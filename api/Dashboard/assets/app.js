// The dashboard shell: sign-in (email and password, a session cookie), one-time links
// (#/link/inv_…: invitations and password resets), the workspace switcher, navigation between
// views (hash routes such as #/segments?preset=90d&trait=plan&w.plan=premium), the shared filter
// bar of the result views (date range, survey, trait filters) and the status announcer. The
// administration views (Surveys, Webhooks, Keys, Settings, Setup, Team, Audit log) call the same
// public API; each view names the permission it needs and the role's permissions decide what is
// shown — the API checks them again on every call.

import { Api, ApiError } from './api.js';
import { h, mount, uid } from './dom.js';
import { kindOf, traitLabel } from './format.js';
import * as overview from './view-overview.js';
import * as segments from './view-segments.js';
import * as accounts from './view-accounts.js';
import * as comments from './view-comments.js';
import * as inbox from './view-inbox.js';
import * as response from './view-response.js';
import * as setup from './view-setup.js';
import * as surveysView from './view-surveys.js';
import * as webhooks from './view-webhooks.js';
import * as keys from './view-keys.js';
import * as settings from './view-settings.js';
import * as team from './view-team.js';
import * as audit from './view-audit.js';
import * as email from './view-email.js';

const VIEWS = { overview, segments, accounts, comments, inbox, response, surveys: surveysView, webhooks, keys, settings, setup, team, audit, email };
/** Views that administer the workspace: they take no date range or trait filters. */
const ADMIN = new Set(['surveys', 'webhooks', 'keys', 'settings', 'setup', 'team', 'audit', 'email']);
/** Views without the filter bar: the administration ones, the Inbox and the response page. */
const UNFILTERED = new Set([...ADMIN, 'inbox', 'response']);
/** The permission a view needs (docs/api.md, "Roles"); the others are open to every role. */
const NEEDS = {
  surveys: 'surveys:manage', webhooks: 'webhooks:manage', keys: 'keys:manage', settings: 'workspace:manage', setup: 'workspace:manage',
  team: 'members:manage', audit: 'audit:read', inbox: 'follow-ups:read', response: 'responses:read',
};
const PRESETS = [
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
  ['12m', 'Last 12 months'],
  ['ytd', 'This year'],
  ['custom', 'Custom range'],
];
/** Trait keys the dashboard offers first; any other key seen in responses is offered too. */
// locale and variant are the display's own (the language and A/B variant shown), not traits.
export const KNOWN_TRAITS = ['plan', 'role', 'csm', 'industry', 'companySize', 'accountName', 'locale', 'variant', 'channel'];

const $ = (id) => document.getElementById(id);
const app = {
  api: null,
  /** The signed-in member: role, permissions, workspaces (GET /dashboard/api/session). */
  session: null,
  /** Whether the server offers single sign-on (Authentication:Oidc). */
  sso: false,
  workspace: null,
  surveys: [],
  traits: new Set(KNOWN_TRAITS),
  state: null,
  renderToken: 0,
  lastView: null,
  /** A message, and a node (a secret shown once), handed to the next render after an action. */
  flash: null,
  keep: null,
};

// ---- dates (UTC days, "YYYY-MM-DD"; `to` is inclusive) -----------------------------------

const isoDay = (d) => d.toISOString().slice(0, 10);
function today() {
  return new Date(`${isoDay(new Date())}T00:00:00Z`);
}
function addDays(d, n) {
  const c = new Date(d);
  c.setUTCDate(c.getUTCDate() + n);
  return c;
}

/** The inclusive from/to days of a preset, relative to today (UTC). */
export function presetRange(preset) {
  const end = today();
  switch (preset) {
    case '30d': return { from: isoDay(addDays(end, -29)), to: isoDay(end) };
    case '90d': return { from: isoDay(addDays(end, -89)), to: isoDay(end) };
    case 'ytd': return { from: `${end.getUTCFullYear()}-01-01`, to: isoDay(end) };
    default: {
      const start = new Date(end);
      start.setUTCFullYear(start.getUTCFullYear() - 1);
      return { from: isoDay(addDays(start, 1)), to: isoDay(end) };
    }
  }
}

// ---- state in the hash ----------------------------------------------------------------------

const DEFAULTS = {
  view: 'overview', preset: '12m', survey: '', interval: 'month', trait: 'plan', category: '', q: '', comment: '', sort: '', dir: '',
  bands: '', all: '', order: '', arrLine: '', npsLine: '', edit: '', band: '',
};

function parseHash() {
  const hash = location.hash;
  if (!hash.startsWith('#/')) return null;
  const [path, search = ''] = hash.slice(2).split('?');
  const params = new URLSearchParams(search);
  const state = { ...DEFAULTS, where: {} };
  // #/responses/123 is the response page (where Slack links land); every other path names a view.
  const responseId = /^responses\/(\d{1,18})$/.exec(path);
  state.view = responseId ? 'response' : VIEWS[path] && path !== 'response' ? path : 'overview';
  state.id = responseId ? responseId[1] : '';
  for (const [k, v] of params) {
    if (k.startsWith('w.')) state.where[k.slice(2)] = v;
    else if (k in DEFAULTS && k !== 'view') state[k] = v;
    else if (k === 'from' || k === 'to') state[k] = v;
  }
  if (!PRESETS.some(([p]) => p === state.preset)) state.preset = '12m';
  if (state.preset !== 'custom' || !/^\d{4}-\d{2}-\d{2}$/.test(state.from || '') || !/^\d{4}-\d{2}-\d{2}$/.test(state.to || '')) {
    Object.assign(state, presetRange(state.preset === 'custom' ? '12m' : state.preset));
    if (state.preset === 'custom') state.preset = '12m';
  }
  if (!['day', 'week', 'month', 'quarter'].includes(state.interval)) state.interval = 'month';
  return state;
}

function toHash(state) {
  const params = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS)) {
    if (k !== 'view' && state[k] && state[k] !== DEFAULTS[k]) params.set(k, state[k]);
  }
  if (state.preset === 'custom') {
    params.set('from', state.from);
    params.set('to', state.to);
  }
  for (const [k, v] of Object.entries(state.where || {})) params.set(`w.${k}`, v);
  const search = params.toString();
  const path = state.view === 'response' ? `responses/${state.id}` : state.view;
  return `#/${path}${search ? `?${search}` : ''}`;
}

/**
 * Changes the state (and so the URL); the hashchange handler renders. `flash` (a message) and
 * `keep` (a node such as a secret shown once) are handed to the next render of the view.
 */
function set(patch, { flash = null, keep = null } = {}) {
  app.flash = flash;
  app.keep = keep;
  const next = { ...app.state, ...patch };
  if (patch.preset && patch.preset !== 'custom') Object.assign(next, presetRange(patch.preset));
  const hash = toHash(next);
  if (hash === location.hash) render();
  else location.hash = hash;
}

// ---- context handed to views -----------------------------------------------------------------

function announce(text) {
  const el = $('announcer');
  el.textContent = '';
  // A fresh text node after a tick makes screen readers speak repeated messages too.
  setTimeout(() => { el.textContent = text; }, 50);
}

/** Whether the signed-in member's role holds a permission (the API decides again). */
function can(permission) {
  return !!app.session && app.session.permissions.includes(permission);
}

function context(token) {
  const state = app.state;
  return {
    api: app.api,
    can,
    get session() { return app.session; },
    state,
    get workspace() { return app.workspace; },
    get surveys() { return app.surveys; },
    /** The question kind the result views report: the chosen survey's (fmt.KINDS), NPS for "All surveys". */
    get kind() { return kindOf(app.surveys.find((sv) => sv.id === state.survey)?.kind); },
    /** Trait keys known so far: the usual ones, then any other key seen in responses. */
    get traits() { return [...app.traits]; },
    set,
    announce,
    /** Whether this render is still the current one (a later navigation makes it stale). */
    current: () => token === app.renderToken,
    /** surveyId, from, to, where — the filters every analytics call takes. */
    filters: (extra = {}) => ({
      surveyId: state.survey || undefined,
      from: state.from,
      to: state.to,
      where: state.where,
      ...extra,
    }),
    rememberTraits(traitKeys) {
      let added = false;
      for (const k of traitKeys) if (!app.traits.has(k)) { app.traits.add(k); added = true; }
      if (added) renderFilters();
    },
    /** The message an action left for this render (once). */
    flash() { const text = app.flash; app.flash = null; return text; },
    /** The node an action left for this render (once), e.g. a secret shown once. */
    kept() { const node = app.keep; app.keep = null; return node; },
    async reloadSurveys() { await loadSurveys(); renderFilters(); },
    async reloadWorkspace() { showWorkspace(await app.api.get('/v1/workspace')); },
    setWorkspace: showWorkspace,
  };
}

// ---- the filter bar -------------------------------------------------------------------------

function renderFilters() {
  const state = app.state;
  const form = $('filters');
  const hideAll = UNFILTERED.has(state.view);
  form.hidden = hideAll;
  if (hideAll) return;

  const preset = h('select', { id: 'filter-preset', name: 'preset' },
    PRESETS.map(([value, label]) => h('option', { value, text: label, selected: value === state.preset })));
  preset.addEventListener('change', () => set({ preset: preset.value }));
  const from = h('input', { id: 'filter-from', type: 'date', name: 'from', value: state.from, max: state.to, required: true });
  const to = h('input', { id: 'filter-to', type: 'date', name: 'to', value: state.to, min: state.from, required: true });
  const dateChanged = () => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(from.value) && /^\d{4}-\d{2}-\d{2}$/.test(to.value) && from.value <= to.value) {
      set({ preset: 'custom', from: from.value, to: to.value });
    }
  };
  from.addEventListener('change', dateChanged);
  to.addEventListener('change', dateChanged);

  const controls = [
    h('div', { class: 'control' }, h('label', { for: preset.id, text: 'Date range' }), preset),
    h('div', { class: 'control' }, h('label', { for: from.id, text: 'From' }), from),
    h('div', { class: 'control' }, h('label', { for: to.id, text: 'To' }), to),
  ];
  if (app.surveys.length > 1) {
    const survey = h('select', { id: 'filter-survey', name: 'survey' },
      h('option', { value: '', text: 'All surveys' }),
      app.surveys.map((sv) => h('option', { value: sv.id, text: sv.name, selected: sv.id === state.survey })));
    // A category filter names the categories of one kind: it goes when the new survey's kind has no such category.
    survey.addEventListener('change', () => set({ survey: survey.value,
      ...(state.category && !kindOf(app.surveys.find((sv) => sv.id === survey.value)?.kind).categories.some(([key]) => key === state.category)
        ? { category: '' } : {}) }));
    controls.push(h('div', { class: 'control' }, h('label', { for: survey.id, text: 'Survey' }), survey));
  }

  // Trait filters: chips with a remove button, and a small "add" control.
  const chips = Object.entries(state.where).map(([k, v]) => h('li', { class: 'chip' },
    h('span', { text: `${traitLabel(k)} = ${v}` }),
    h('button', {
      type: 'button', class: 'chip-remove',
      on: { click: () => { const where = { ...state.where }; delete where[k]; set({ where }); } },
    }, h('span', { 'aria-hidden': 'true', text: '×' }), h('span', { class: 'visually-hidden', text: `Remove filter ${traitLabel(k)} = ${v}` }))));
  const traitSelect = h('select', { id: 'filter-trait', name: 'filterTrait' },
    h('option', { value: '', text: 'Choose a trait' }),
    [...app.traits].filter((k) => !(k in state.where)).map((k) => h('option', { value: k, text: traitLabel(k) })));
  const valueSelect = h('select', { id: 'filter-value', name: 'filterValue', disabled: true }, h('option', { value: '', text: 'Choose a trait first' }));
  const add = h('button', { type: 'submit', class: 'button', text: 'Add filter', disabled: true });
  traitSelect.addEventListener('change', async () => {
    valueSelect.disabled = true;
    add.disabled = true;
    mount(valueSelect, h('option', { value: '', text: traitSelect.value ? 'Loading values…' : 'Choose a trait first' }));
    if (!traitSelect.value) return;
    try {
      const metrics = await app.api.get('/v1/metrics/nps', { ...context(app.renderToken).filters(), groupBy: traitSelect.value });
      const values = (metrics.groups || []).map((g) => String(g.value));
      mount(valueSelect, values.length
        ? values.map((v) => h('option', { value: v, text: v }))
        : h('option', { value: '', text: 'No values in this range' }));
      valueSelect.disabled = values.length === 0;
      add.disabled = values.length === 0;
    } catch (error) {
      mount(valueSelect, h('option', { value: '', text: `Could not load values (${error.message})` }));
    }
  });
  form.onsubmit = (event) => {
    event.preventDefault();
    if (traitSelect.value && valueSelect.value) set({ where: { ...state.where, [traitSelect.value]: valueSelect.value } });
  };

  const chipsLabel = uid('chips');
  mount(form,
    h('div', { class: 'filter-row' }, controls),
    h('div', { class: 'filter-row' },
      h('p', { class: 'filter-label', id: chipsLabel, text: 'Filters:' }),
      chips.length ? h('ul', { class: 'chips', 'aria-labelledby': chipsLabel }, chips) : h('p', { class: 'muted', text: 'none' }),
      h('div', { class: 'control' }, h('label', { for: traitSelect.id, text: 'Trait' }), traitSelect),
      h('div', { class: 'control' }, h('label', { for: valueSelect.id, text: 'Value' }), valueSelect),
      add));
}

// ---- rendering --------------------------------------------------------------------------------

async function render() {
  if (!app.api) return;
  const state = parseHash();
  if (!state) return; // #main and other in-page anchors are not routes
  app.state = state;
  app.renderToken += 1;
  const token = app.renderToken;
  for (const link of document.querySelectorAll('#views-nav a')) {
    if (link.dataset.view === state.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  renderFilters();
  const container = $('view');
  const changedView = app.lastView !== null && app.lastView !== state.view;
  app.lastView = state.view;
  container.setAttribute('aria-busy', 'true');
  container.dataset.view = state.view;
  try {
    const needs = NEEDS[state.view];
    if (needs && !can(needs)) {
      mount(container, h('div', { class: 'notice' },
        h('h1', { tabindex: -1, text: VIEWS[state.view].title }),
        h('p', { text: `Your role (${app.session.role}) cannot open this page; an owner of the workspace can change your role.` })));
    } else {
      await VIEWS[state.view].render(context(token), container);
    }
  } catch (error) {
    if (token !== app.renderToken) return;
    mount(container, h('div', { class: 'notice error', role: 'alert' },
      h('h1', { text: 'Something went wrong' }),
      h('p', { text: error instanceof ApiError ? `The API answered ${error.status}: ${error.message}` : String(error.message || error) })));
  } finally {
    if (token === app.renderToken) {
      container.removeAttribute('aria-busy');
      container.dataset.ready = String(token);
      document.title = `${VIEWS[state.view].title} · Pulse`;
      if (changedView) container.querySelector('h1')?.focus();
    }
  }
}

// ---- sign-in, one-time links and sign-out ----------------------------------------------------

function hideApp() {
  app.api = null;
  app.session = null;
  app.workspace = null;
  app.lastView = null;
  for (const id of ['workspace-app', 'views-nav', 'sign-out', 'sign-out-everywhere', 'workspace-name', 'workspace-switch', 'member-name', 'signin', 'link', 'sso']) {
    $(id).hidden = true;
  }
  mount($('view'));
  delete $('view').dataset.ready; // nothing is rendered now: the next render is the first of the next session
  mount($('filters'));
}

function showSignIn(message = '') {
  hideApp();
  $('signin').hidden = false;
  $('sso').hidden = !app.sso;
  $('signin-password').value = '';
  $('signin-error').textContent = message;
  $('signin-password').setAttribute('aria-invalid', message ? 'true' : 'false');
  document.title = 'Sign in · Pulse';
}

async function signOut(everywhere = false) {
  try {
    const answer = await app.api.post(everywhere ? '/dashboard/api/sign-out-everywhere' : '/dashboard/api/sign-out');
    showSignIn(everywhere ? `You are signed out of all your sessions (${answer.sessions}).` : 'You are signed out.');
  } catch (e) {
    showSignIn(e instanceof ApiError && e.status === 401 ? 'Your session had already ended.' : `Could not sign out: ${e.message}`);
  }
  $('signin-email').focus();
}

async function loadSurveys() {
  try {
    const surveys = await app.api.get('/v1/surveys');
    app.surveys = Array.isArray(surveys) ? surveys : surveys.items || [];
  } catch {
    app.surveys = [];
  }
}

function showWorkspace(workspace) {
  app.workspace = workspace;
  const name = $('workspace-name');
  name.textContent = `${workspace.name} · ${workspace.id}`;
  name.hidden = app.session.workspaces.length > 1;
}

/** The workspace switcher (only for members of several), the member's name, and the views their role may open. */
function showMember() {
  const session = app.session;
  const select = $('workspace-select');
  mount(select, session.workspaces.map((w) => h('option', { value: w.id, text: `${w.name} (${w.role})`, selected: w.id === session.workspaceId })));
  $('workspace-switch').hidden = session.workspaces.length < 2;
  const member = $('member-name');
  member.textContent = `${session.member.name || session.member.email} · ${session.role}`;
  member.hidden = false;
  for (const link of document.querySelectorAll('#views-nav a')) {
    const needs = NEEDS[link.dataset.view];
    link.parentElement.hidden = !!needs && !can(needs);
  }
}

async function start(session) {
  // Only the current session's 401 ends it: a late answer to an ended session's request (signed out, then in again) does not.
  const api = new Api(session.csrfToken, () => {
    if (app.api === api) showSignIn('Your session ended (it expired, or you were signed out or removed). Sign in again.');
  });
  app.session = session;
  app.api = api;
  const workspace = await api.get('/v1/workspace');
  // A link opened, or a sign-out, while this session was starting wins: it must not be covered by this session's views.
  if (app.api !== api) return;
  showWorkspace(workspace);
  showMember();
  await loadSurveys();
  if (app.api !== api) return;
  $('signin').hidden = true;
  $('link').hidden = true;
  $('workspace-app').hidden = false;
  $('views-nav').hidden = false;
  $('sign-out').hidden = false;
  $('sign-out-everywhere').hidden = false;
  if (!location.hash.startsWith('#/') || location.hash.startsWith('#/link/')) history.replaceState(null, '', '#/overview');
  await render();
}

async function signIn(event) {
  event.preventDefault();
  const email = $('signin-email').value.trim();
  const password = $('signin-password');
  const error = $('signin-error');
  if (!email || !password.value) {
    error.textContent = 'Give your email and your password.';
    password.setAttribute('aria-invalid', 'true');
    (email ? password : $('signin-email')).focus();
    return;
  }
  try {
    const session = await new Api().post('/dashboard/api/sign-in', { email, password: password.value });
    password.value = '';
    await start(session);
    $('main').focus();
  } catch (e) {
    app.api = null;
    error.textContent = e instanceof ApiError ? e.message : `Could not reach the API: ${e.message}`;
    password.setAttribute('aria-invalid', 'true');
    password.focus();
  }
}

async function switchWorkspace() {
  try {
    await start(await app.api.post('/dashboard/api/session/workspace', { workspaceId: $('workspace-select').value }));
    announce(`Switched to ${app.workspace.name}.`);
  } catch (e) {
    announce(`Could not switch: ${e.message}`);
  }
}

/** #/link/<token>: an invitation (name and password, or the password of an existing account) or a password reset. */
async function showLink(token) {
  hideApp();
  const section = $('link');
  const intro = $('link-intro');
  const form = $('link-form');
  section.hidden = false;
  document.title = 'Join · Pulse';
  let link;
  try {
    link = await new Api().post('/dashboard/api/links/open', { token });
  } catch (e) {
    $('link-title').textContent = 'This link cannot be used';
    intro.textContent = e instanceof ApiError ? e.message : `Could not reach the API: ${e.message}`;
    form.hidden = true;
    return;
  }
  const reset = link.kind === 'reset';
  $('link-title').textContent = reset ? 'Set a new password' : `Join ${link.workspaceName}`;
  intro.textContent = reset
    ? `Choose a new password for ${link.email}. Every session of this account is signed out.`
    : `You are invited to ${link.workspaceName} as ${link.role}, with the email ${link.email}.`
      + (link.needsPassword ? '' : ' You already have a Pulse account: give its password to join.');
  $('link-name-field').hidden = reset || !link.needsPassword;
  $('link-password-label').textContent = link.needsPassword ? 'Choose a password' : 'Your Pulse password';
  $('link-password-hint').hidden = !link.needsPassword;
  $('link-password').autocomplete = link.needsPassword ? 'new-password' : 'current-password';
  $('link-submit').textContent = reset ? 'Set password and sign in' : 'Join';
  form.hidden = false;
  form.onsubmit = async (event) => {
    event.preventDefault();
    for (const id of ['link-name-error', 'link-password-error']) $(id).textContent = '';
    try {
      const name = $('link-name').value.trim();
      const session = await new Api().post('/dashboard/api/links/accept', { token, name: $('link-name-field').hidden || !name ? null : name, password: $('link-password').value });
      $('link-password').value = '';
      history.replaceState(null, '', '#/overview'); // the token leaves the address bar and the history
      await start(session);
      $('main').focus();
    } catch (e) {
      const errors = e instanceof ApiError ? e.fieldErrors : {};
      $('link-name-error').textContent = (errors.name || []).join(' ');
      $('link-password-error').textContent = (errors.password || []).join(' ') || (Object.keys(errors).length ? '' : e.message);
      $(errors.name ? 'link-name' : 'link-password').focus();
    }
  };
}

async function boot() {
  $('signin-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => signOut(false));
  $('sign-out-everywhere').addEventListener('click', () => signOut(true));
  $('workspace-select').addEventListener('change', switchWorkspace);
  $('skip-link').addEventListener('click', (event) => { event.preventDefault(); $('main').focus(); });
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/link/')) showLink(location.hash.slice('#/link/'.length));
    else render();
  });
  if (location.hash.startsWith('#/link/')) { await showLink(location.hash.slice('#/link/'.length)); return; }
  try {
    const session = await new Api().get('/dashboard/api/session');
    // No session is the usual case (no message); an ended one says why, and so does a refused single sign-on.
    if (session.signedIn === false) {
      const sso = { '#/sso-refused': 'Your identity provider vouched for an email that is not a member of any workspace here; ask an owner to invite it.',
        '#/sso-failed': 'Single sign-on did not complete; try again.' }[location.hash];
      app.sso = session.sso;
      showSignIn(sso || session.ended || '');
    } else {
      await start(session);
    }
  } catch (e) {
    showSignIn(`Could not reach the API: ${e.message}`);
  }
}

boot();

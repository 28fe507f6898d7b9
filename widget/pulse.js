/*
 * Pulse widget: the in-app survey (NPS, CSAT, CES, eNPS). Plain ES5-style JavaScript, no dependency, one global.
 * The API serves this file with comments and indentation stripped (api/Widget/ScriptMinifier.cs:
 * no template literals, keep semicolons), gzip and brotli precompressed. Budget: 6 KB gzip -9.
 *
 *   pulse('init', { siteKey, user: { id, email, createdAt, traits }, userHash, locale, apiBase })
 *   pulse('track', 'event_name')   ask again for surveys triggered by this event
 *   pulse('reset')                 log-out / user switch: remove the survey, forget the user
 *   pulse('page', { token, score, survey }) the hosted survey page (/s/{token}): the survey fills
 *                                  #pulse-page, answers go to the link, nothing to close
 *   pulse('on', 'shown' | 'answered' | 'dismissed' | 'skipped', fn)
 *                                  'skipped': no survey this time, fn({ reason }) with the eligibility
 *                                  reason code, or { reason: 'error', message } when Pulse refused
 *
 * Rules: never throw into the host page, never touch its DOM beyond one <pulse-survey> element,
 * host data only through textContent/setAttribute, no cookies, no storage, one console line
 * starting with [pulse] per failure.
 */
(function (w, d) {
  'use strict';
  var queued = w.pulse;
  // A second copy of this script (pasted twice) finds the real pulse() and stops here.
  if (queued && queued.ready) return;

  var me = d.currentScript;
  // The API lives where this script came from (…/widget/v1/pulse.js), unless init says apiBase.
  var origin = me && me.src ? me.src.split('/widget/')[0] : '';
  var cfg = null, ui = null, generation = 0, sheet = null;
  var handlers = { shown: [], answered: [], dismissed: [], skipped: [] };

  var CSS = [
    ':host{all:initial!important;display:contents!important}',
    '*{box-sizing:border-box}',
    '.p{--a:#4f46e5;--af:#fff;--bg:#fff;--fg:#111827;--mu:#4b5563;--bd:#9ca3af;',
    'position:fixed;z-index:2147483647;right:16px;bottom:16px;width:min(380px,calc(100vw - 32px));',
    'max-height:calc(100vh - 32px);overflow:auto;padding:16px;background:var(--bg);color:var(--fg);',
    'border:1px solid var(--bd);border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.2);',
    'font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-align:start;',
    'animation:pulse-in .2s ease-out}',
    '.p[data-pos$=left]{right:auto;left:16px}',
    '.p[data-pos^=top]{bottom:auto;top:16px}',
    '.p[data-pos=center]{inset:0;margin:auto;height:fit-content}',
    '.p[data-pos=page]{position:static;width:auto;max-height:none;box-shadow:none;font-size:16px}',
    '@keyframes pulse-in{from{opacity:0;transform:translateY(8px)}}',
    '@media (prefers-reduced-motion:reduce){.p{animation:none}}',
    '@media (prefers-color-scheme:dark){.p{--bg:#1f2937;--fg:#f9fafb;--mu:#d1d5db;--bd:#6b7280}}',
    'fieldset{border:0;margin:0;padding:0;min-width:0}',
    'legend,.t{padding:0;padding-inline-end:36px;margin:0 0 12px;font-size:15px;font-weight:600}',
    '.t{margin:0}.t:empty{display:none}',
    '.s{display:grid;grid-template-columns:repeat(11,1fr);gap:4px}',
    '@media (max-width:420px){.s{grid-template-columns:repeat(6,1fr)}}',
    '.s.k{grid-template-columns:repeat(var(--n),1fr)}',
    '.s label{position:relative;display:block}',
    '.s input{position:absolute;inset:0;width:100%;height:100%;margin:0;opacity:0;cursor:pointer}',
    '.s span{display:block;min-height:32px;padding:5px 0;border:1px solid var(--bd);border-radius:6px;',
    'text-align:center;font-variant-numeric:tabular-nums}',
    '.s input:checked+span{background:var(--a);color:var(--af);border-color:var(--a);font-weight:700}',
    '.s input:focus-visible+span,:focus-visible{outline:2px solid var(--fg);outline-offset:2px}',
    '.e{display:flex;justify-content:space-between;gap:8px;margin-top:6px;color:var(--mu);font-size:12px}',
    'label.f{display:block;margin:0 0 8px;padding-inline-end:36px;font-weight:600}',
    'textarea{display:block;width:100%;min-height:80px;padding:8px;font:inherit;color:inherit;',
    'background:var(--bg);border:1px solid var(--bd);border-radius:6px;resize:vertical}',
    'button{font:inherit;cursor:pointer}',
    '.b{margin-top:12px;padding:8px 18px;border:0;border-radius:6px;background:var(--a);color:var(--af);font-weight:600}',
    '.o{display:block;margin-top:8px;padding:0;border:0;background:none;color:var(--mu);font-size:12px;text-decoration:underline}',
    '.x{position:absolute;top:8px;inset-inline-end:8px;width:32px;height:32px;padding:0;border:0;',
    'border-radius:6px;background:none;color:var(--mu);font-size:22px;line-height:1}'
  ].join('');

  function log(message) {
    try { console.warn('[pulse] ' + message); } catch (e) { /* no console: stay silent */ }
  }

  function emit(name, detail) {
    handlers[name].forEach(function (fn) {
      try { fn(detail); } catch (e) { log('a "' + name + '" handler threw: ' + e); }
    });
  }

  // One POST to the API of this configuration. Resolves with the JSON answer (null for 204);
  // rejects after logging a short reason.
  function post(conf, path, body, timeout) {
    var init = {
      method: 'POST', mode: 'cors', credentials: 'omit', keepalive: true,
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(body)
    };
    if (timeout && w.AbortSignal && AbortSignal.timeout) init.signal = AbortSignal.timeout(timeout);
    return fetch((conf.apiBase || origin) + path, init).then(function (r) {
      if (r.ok) return r.status == 204 ? null : r.json();
      return r.json().then(function (p) {
        throw Error(r.status + ' ' + (p.detail || p.title));
      }, function () {
        throw Error('HTTP ' + r.status);
      });
    }).catch(function (e) {
      log(path + ' failed: ' + (e && e.message || e));
      throw e;
    });
  }

  function ask(event) {
    if (!cfg || ui) return;
    var mine = generation, conf = cfg;
    post(conf, '/v1/eligibility', {
      siteKey: conf.siteKey, user: conf.user, userHash: conf.userHash, event: event || null, force: conf.force,
      locale: conf.locale || navigator.language,
      // Origin and path only: query strings and fragments often carry tokens.
      url: location.origin + location.pathname
    }, 10000).then(function (a) {
      if (mine != generation || ui || !a) return;
      if (!a.eligible || !a.survey) return emit('skipped', { reason: a.reason });
      try {
        show(conf, a);
      } catch (e) {
        // Nothing is attached before the last step of show(), so the page is as it was.
        log('could not show the survey: ' + e);
      }
    }, function (e) {
      // Logged by post(); the page may want to say why too.
      if (mine == generation) emit('skipped', { reason: 'error', message: String(e && e.message || e) });
    });
  }

  function el(tag, attrs, text) {
    var e = d.createElement(tag);
    for (var k in attrs) if (attrs[k] != null) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  // #rgb or #rrggbb → [r, g, b] in 0..255, or null.
  function rgb(c) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c || '');
    if (!m) return null;
    var h = m[1].length == 3 ? m[1].replace(/./g, '$&$&') : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(h.substr(i, 2), 16); });
  }

  // Text colour on the accent: whichever of white or near-black contrasts more (WCAG luminance).
  function onAccent(c) {
    var l = c.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    l = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#fff' : '#111827';
  }

  function show(conf, reply) {
    var survey = reply.survey, t = survey.texts || {}, theme = survey.theme || {};
    var token = reply.displayToken, score = null, answered = false, back, step = null;
    // The site key rides along so the API can tell apart workspaces that allow the same origin.
    // On the hosted page the link token names the display; only answers are sent there.
    var send = function (path, body) {
      body.displayToken = token;
      body.siteKey = conf.siteKey;
      post(conf, conf.link ? '/s/' + conf.link + '/responses' : path, body).catch(function () { });
    };
    var host = d.createElement('pulse-survey');
    var root = host.attachShadow({ mode: 'open' });
    try {
      sheet = sheet || new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      // Browsers without constructable stylesheets (no strict CSP support there anyway).
      root.appendChild(el('style', null, CSS));
    }

    var box = el('section', {
      'class': 'p', lang: survey.locale, dir: survey.dir == 'rtl' ? 'rtl' : 'ltr',
      'data-pos': conf.link ? 'page' : theme.position, 'aria-label': t.question
    });
    var accent = rgb(theme.color);
    if (accent) {
      box.style.setProperty('--a', theme.color);
      box.style.setProperty('--af', onAccent(accent));
    }
    var status = el('p', { 'class': 't', role: 'status', tabindex: conf.link ? -1 : null });
    var close = el('button', { type: 'button', 'class': 'x', 'aria-label': t.dismiss, title: t.dismiss }, '\u00d7');

    var form = el('form');
    var set = el('fieldset');
    set.appendChild(el('legend', null, t.question));
    // The kind's scale (nps/enps 0-10, csat 1-5, ces 1-7): short scales stay on one row at any width.
    var sc = survey.scale, lo = sc.min, hi = sc.max;
    var scale = el('div', { 'class': hi - lo < 10 ? 's k' : 's', dir: 'ltr' });
    scale.style.setProperty('--n', hi - lo + 1);
    for (var i = lo; i <= hi; i++) {
      var label = el('label');
      label.appendChild(el('input', {
        type: 'radio', name: 'score', value: i, required: '', checked: conf.score === i ? '' : null,
        'aria-describedby': i == lo ? 'lo' : i == hi ? 'hi' : null
      }));
      label.appendChild(el('span', null, i));
      scale.appendChild(label);
    }
    set.appendChild(scale);
    // The labels sit under the ends of the scale, which is left-to-right in every language: the
    // row is too (else right-to-left puts 'not likely' under 10); each label keeps its own direction.
    var ends = el('div', { 'class': 'e', 'aria-hidden': 'true', dir: 'ltr' });
    ends.appendChild(el('span', { id: 'lo', dir: 'auto' }, t.low));
    ends.appendChild(el('span', { id: 'hi', dir: 'auto' }, t.high));
    set.appendChild(ends);
    form.appendChild(set);
    form.appendChild(el('button', { type: 'submit', 'class': 'b' }, t.submit));
    var never = t.optOut && el('button', { type: 'button', 'class': 'o' }, t.optOut);
    if (never) form.appendChild(never);
    box.appendChild(form);
    box.appendChild(status);
    if (!conf.link) box.appendChild(close);
    root.appendChild(box);

    function remove() {
      if (ui != host) return;
      var hadFocus = root.activeElement;
      host.remove();
      ui = null;
      // Hand focus back to where it came from when the survey held it.
      if (hadFocus && back && back.focus && back.isConnected) back.focus();
    }

    function dismiss() {
      if (ui != host || conf.link) return;
      if (!answered) {
        send('/v1/declines', {});
        emit('dismissed', { surveyId: survey.id });
      }
      remove();
    }

    // "Don't ask me again": the user opts out of every survey of this product; no decline is sent.
    function optOut() {
      if (ui != host) return;
      // The hosted page has no display token: its link takes the opt-out, then the page says so in its language.
      if (conf.link) post(conf, '/s/' + conf.link + '/opt-out', {}).then(function () { location.reload(); }, function () { });
      else send('/v1/opt-outs', {});
      emit('dismissed', { surveyId: survey.id, optedOut: true });
      remove();
    }

    function thank() {
      var focused = root.activeElement;
      form.remove();
      status.textContent = t.thanks;
      if (focused) (conf.link ? status : close).focus();
    }

    function answer() {
      var picked = form.querySelector('input:checked');
      if (!picked) return;
      score = +picked.value;
      answered = true;
      send('/v1/responses', { score: score });
      emit('answered', { surveyId: survey.id, score: score });
      // The reasons step, when the survey asks it of this score, comes from a chunk loaded only now.
      var r = survey.reasons, list = r && r.lists.filter(function (l) { return score >= l.min && score <= l.max; })[0];
      if (!list) return followUp();
      var s = el('script', { src: (conf.apiBase || origin) + '/widget/v1/reasons.js', async: '' });
      s.onload = function () {
        if (ui != host || !w.pulse.reasons) return followUp();
        var chosen = w.pulse.reasons(form, el, r, list, t.reasons || {}, t.submit);
        step = function () {
          var body = chosen();
          step = null;
          if (body) send('/v1/responses', (body.score = score, body));
          followUp();
        };
      };
      s.onerror = followUp;
      d.head.appendChild(s);
    }

    function followUp() {
      // The kind's categories, lowest first, pick the prompt (detractor 0-6, dissatisfied 1-2, difficult 1-3…).
      var category = sc.categories.filter(function (c) { return score <= c.to; })[0].name;
      var question = (t.followUp || {})[category];
      if (!question) return thank();
      // The follow-up replaces the scale; focus follows the user's own action (never on appear).
      var refocus = root.activeElement;
      form.textContent = '';
      form.appendChild(el('label', { 'for': 'c', 'class': 'f' }, question));
      form.appendChild(el('textarea', { id: 'c', maxlength: 5000, placeholder: t.placeholder }));
      form.appendChild(el('button', { type: 'submit', 'class': 'b' }, t.send || t.submit));
      if (refocus) form.elements.c.focus();
    }

    function comment() {
      var text = form.elements.c.value.trim();
      // Same token again: the API updates the response (200) rather than adding one.
      if (text) send('/v1/responses', { score: score, comment: text });
      thank();
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      step ? step() : answered ? comment() : answer();
    });
    // Enter on a radio submits, like Enter in a text field (browsers differ here).
    scale.addEventListener('keydown', function (e) {
      if (e.key == 'Enter') {
        e.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
    close.addEventListener('click', dismiss);
    if (never) never.addEventListener('click', optOut);
    box.addEventListener('keydown', function (e) {
      if (e.key == 'Escape') dismiss();
    });
    host.addEventListener('focusin', function (e) {
      if (back === undefined) back = e.relatedTarget;
    });

    ui = host;
    var mount = function () {
      (conf.mount || d.body || d.documentElement).appendChild(host);
      emit('shown', { surveyId: survey.id });
    };
    d.readyState == 'loading' ? d.addEventListener('DOMContentLoaded', mount) : mount();
  }

  function reset() {
    generation++;
    if (ui) {
      ui.remove();
      ui = null;
    }
    cfg = null;
  }

  var commands = {
    init: function (options) {
      if (!options || !options.siteKey || !options.user || options.user.id == null) {
        return log("init needs { siteKey, user: { id } }");
      }
      // The same user again (the snippet pasted twice) changes nothing; another user starts over.
      if (cfg && cfg.siteKey == options.siteKey && cfg.user.id == options.user.id) return;
      reset();
      cfg = options;
      ask(null);
    },
    track: function (event) {
      if (!cfg) return log('track before init');
      ask(String(event));
    },
    reset: reset,
    page: function (o) {
      reset();
      cfg = { link: o.token, score: o.score, mount: d.getElementById('pulse-page') };
      show(cfg, { survey: o.survey });
    },
    on: function (name, fn) {
      if (!handlers[name] || typeof fn != 'function') return log('unknown event ' + name);
      handlers[name].push(fn);
    }
  };

  function pulse(command) {
    try {
      if (!commands[command]) return log('unknown command ' + command);
      commands[command].apply(null, [].slice.call(arguments, 1));
    } catch (e) {
      log(command + ' failed: ' + e);
    }
  }
  pulse.ready = true;
  w.pulse = pulse;
  ((queued && queued.q) || []).forEach(function (args) {
    pulse.apply(null, args);
  });
})(window, document);

/*
 * Pulse widget, the reasons step: loaded by pulse.js (from /widget/v1/reasons.js, served like the
 * widget) only when the survey asks the reasons question, so the NPS-only path does not carry it.
 * Same rules as pulse.js: no template literals, keep semicolons, no inline styles, text only
 * through textContent/setAttribute.
 *
 *   pulse.reasons(form, el, reasons, list, texts, submitText) → submit()
 *     replaces the form's content with a native checkbox (multiple) or radio (single) group of
 *     list.options, plus "Other" with a text field when reasons.other; returns the function the
 *     form's submit calls, which gives the body to post: { reasons, reasonOther? } or null for none.
 */
(function (w) {
  'use strict';
  var CSS = '.r label{display:flex;gap:8px;align-items:center;padding:4px 0;cursor:pointer}' +
    '.r input{width:18px;height:18px;margin:0;accent-color:var(--a);flex:none}' +
    '.ro{display:block;width:100%;margin-top:4px;padding:6px 8px;font:inherit;color:inherit;background:var(--bg);' +
    'border:1px solid var(--bd);border-radius:6px}.ro[hidden]{display:none}';
  var sheet;

  w.pulse.reasons = function (form, el, reasons, list, t, submitText) {
    var root = form.getRootNode(), focus = !!root.activeElement;
    try {
      sheet = sheet || new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = root.adoptedStyleSheets.concat(sheet);
    } catch (e) {
      root.appendChild(el('style', null, CSS));
    }
    var type = reasons.multiple ? 'checkbox' : 'radio', other = null;
    var set = el('fieldset', { 'class': 'r' });
    set.appendChild(el('legend', null, t.question));
    function option(id, label) {
      var l = el('label');
      l.appendChild(el('input', { type: type, name: 'reason', value: id }));
      l.appendChild(el('span', null, label));
      set.appendChild(l);
    }
    list.options.forEach(function (o) { option(o.id, o.label); });
    form.textContent = '';
    if (reasons.other) {
      option('other', t.other);
      other = el('input', { type: 'text', 'class': 'ro', maxlength: 1000, placeholder: t.placeholder, 'aria-label': t.other, hidden: '' });
      set.appendChild(other);
    }
    form.appendChild(set);
    form.appendChild(el('button', { type: 'submit', 'class': 'b' }, submitText));
    set.addEventListener('change', function () {
      var on = !!set.querySelector('input[value=other]:checked');
      if (other) other.hidden = !on;
    });
    // Enter on a choice submits, like Enter in a text field (browsers differ here).
    set.addEventListener('keydown', function (e) {
      if (e.key == 'Enter' && e.target != other) {
        e.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
    if (focus) set.querySelector('input').focus();
    return function () {
      var ids = [].map.call(set.querySelectorAll('input[name=reason]:checked'), function (i) { return i.value; });
      if (!ids.length) return null;
      var body = { reasons: ids }, text = other && !other.hidden && other.value.trim();
      if (text) body.reasonOther = text;
      return body;
    };
  };
})(window);

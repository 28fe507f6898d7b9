// Pieces the administration pages share: copy buttons, code blocks, the confirmation dialog of
// destructive actions, the "shown once" panel of a new secret, and forms that show the API's
// validation messages next to the fields they name, in plain words.

import { ApiError } from './api.js';
import { h, mount, uid } from './dom.js';

export function copyButton(getText, label) {
  const status = h('span', { class: 'muted copy-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button small', text: 'Copy', 'aria-label': label });
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(getText());
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'Copy failed: select the text and copy it.';
    }
  });
  return h('span', { class: 'copy' }, button, status);
}

/** A block of code with a copy button; it wraps rather than overflowing its box. */
export function codeBlock(text, label, { id } = {}) {
  return h('div', { class: 'code' },
    copyButton(() => text, `Copy ${label}`),
    h('pre', { tabindex: 0, 'aria-label': label, id }, h('code', { text })));
}

/**
 * Asks before a destructive action, saying what will happen. Resolves true when the user
 * confirms. A native modal <dialog>: focus stays inside, Esc cancels, focus returns afterwards.
 */
export function confirmAction({ title, body, confirm, danger = true }) {
  return new Promise((resolve) => {
    const titleId = uid('confirm-title');
    const ok = h('button', { type: 'button', class: `button ${danger ? 'danger' : 'primary'}`, text: confirm, dataset: { confirm: 'yes' } });
    const cancel = h('button', { type: 'button', class: 'button', text: 'Cancel', dataset: { confirm: 'no' } });
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId },
      h('h2', { id: titleId, text: title }),
      (Array.isArray(body) ? body : [body]).map((text) => h('p', { text })),
      h('div', { class: 'form-actions' }, ok, cancel));
    let answer = false;
    const close = (value) => { answer = value; dialog.close(); };
    ok.addEventListener('click', () => close(true));
    cancel.addEventListener('click', () => close(false));
    openModal(dialog, cancel, () => resolve(answer));
  });
}

/**
 * Shows a native modal <dialog> (focus stays inside, Esc closes it) with focus on `first`; when it
 * closes it is removed, focus returns where it was, and `onClose` runs.
 */
export function openModal(dialog, first, onClose) {
  const back = document.activeElement;
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (back && typeof back.focus === 'function' && back.isConnected) back.focus();
    onClose();
  });
  document.body.append(dialog);
  dialog.showModal();
  first.focus();
}

/**
 * A secret shown once (a new key, a rotated secret): the value with a copy button and what the
 * reader must know, until "Done" removes it. Focus moves to it so a screen reader announces it.
 */
export function secretOnce({ title, value, label, notes = [], onDone }) {
  const titleId = uid('secret-title');
  const panel = h('section', { class: 'card secret-once', 'aria-labelledby': titleId, tabindex: -1 },
    h('h2', { id: titleId, text: title }),
    codeBlock(value, label, { id: uid('secret') }),
    notes.map((text) => h('p', { text })),
    h('button', { type: 'button', class: 'button', text: 'Done, I have stored it', on: { click: () => { panel.remove(); onDone?.(); } } }));
  queueMicrotask(() => panel.focus());
  return panel;
}

/** A status line for the result of an action (role=status, so it is announced). */
export function statusLine(id) {
  return h('p', { class: 'muted action-status', role: 'status', id });
}

// ---- forms and the API's validation messages -------------------------------------------------

/** Error keys as the API names them ("targeting[0].op", "$.texts.de.question") in one spelling. */
export function normalizeField(name) {
  return String(name).replace(/^\$\.?/, '').replace(/\[['"]?([^\]'"]+)['"]?\]/g, '.$1').replace(/^\./, '').toLowerCase();
}

/**
 * A message of the API in plain words: every API field name it mentions (samplePercent,
 * theme.color, targeting[0].op …) is replaced by the label people see on the form.
 */
export function plain(message, labels) {
  let text = String(message);
  // Only names no sentence uses as a word: camelCase or dotted ones ("name" stays a word).
  const names = Object.keys(labels).filter((n) => /[A-Z.[]/.test(n)).sort((a, b) => b.length - a.length);
  for (const name of names) {
    const pattern = new RegExp(`'?\\$?\\.?\\b${name.replace(/[.[\]]/g, (c) => `\\${c}`)}\\b'?`, 'g');
    text = text.replace(pattern, `“${labels[name]}”`);
  }
  return text;
}

/** The label of an error key: the field's own label, else the nearest labelled parent's. */
function labelOf(key, labels) {
  const k = normalizeField(key);
  const entries = Object.entries(labels).map(([name, label]) => [normalizeField(name), label]);
  const exact = entries.find(([name]) => name === k);
  if (exact) return exact[1];
  const parent = entries.filter(([name]) => k.startsWith(`${name}.`)).sort((a, b) => b[0].length - a[0].length)[0];
  return parent ? parent[1] : null;
}

/**
 * Error display for a form whose fields were built with dom.js's field(): the API's messages go
 * next to the fields they name (in plain words) and into a summary at the top that links to them.
 */
export function formErrors(form, labels) {
  const summary = h('div', { class: 'error-summary', role: 'alert', hidden: true, tabindex: -1 });
  const clear = () => {
    for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    for (const el of form.querySelectorAll('.field .error')) el.textContent = '';
    summary.hidden = true;
    mount(summary);
  };
  const show = (errors, detail, heading = 'Nothing was saved') => {
    const fields = [...form.querySelectorAll('.field[data-field]')];
    const items = [];
    for (const [key, messages] of Object.entries(errors || {})) {
      const k = normalizeField(key);
      const target = fields.find((f) => normalizeField(f.dataset.field) === k)
        || fields.find((f) => normalizeField(f.dataset.field).startsWith(`${k}.`))
        // The deepest field the key is inside (reasons.byCategory.detractor[1].id → the detractor list, not the whole reasons group).
        || fields.filter((f) => k.startsWith(`${normalizeField(f.dataset.field)}.`))
          .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
      const text = plain(messages.join(' '), labels);
      if (target) {
        target.classList.add('invalid');
        const control = target.querySelector('input, select, textarea');
        control?.setAttribute('aria-invalid', 'true');
        const error = target.querySelector('.error');
        error.textContent = error.textContent ? `${error.textContent} ${text}` : text;
        const label = target.querySelector('label, legend')?.textContent || labelOf(key, labels) || '';
        items.push(h('li', null, h('button', { type: 'button', class: 'link', text: `${label}: ${text}`, on: { click: () => control?.focus() } })));
      } else {
        const label = labelOf(key, labels);
        items.push(h('li', { text: label ? `${label}: ${text}` : text }));
      }
    }
    if (!items.length && detail) items.push(h('li', { text: plain(detail, labels) }));
    mount(summary, h('h3', { text: heading }), h('ul', null, items));
    summary.hidden = false;
    summary.focus();
  };
  /** Shows what an API call threw: field errors for a 400, the detail otherwise. */
  const showError = (error, heading) => {
    if (error instanceof ApiError) show(error.fieldErrors, error.message, heading);
    else show({}, String(error.message || error), heading);
  };
  return { summary, clear, show, showError };
}

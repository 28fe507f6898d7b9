// Building DOM without HTML strings: every value goes in through textContent or setAttribute,
// so text from the data (comments, trait values, account names) can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') el.textContent = String(value);
    else if (name === 'on') for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'style' || name.startsWith('on')) throw new Error(`refusing attribute ${name}`);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h('p', { class: 'x', text: 'hello' }, child, …). */
export function h(tag, attrs, ...children) {
  return append(apply(document.createElement(tag), attrs), children);
}

/** An SVG element, same rules as h(). */
export function s(tag, attrs, ...children) {
  return append(apply(document.createElementNS(SVG_NS, tag), attrs), children);
}

/** Replaces the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let counter = 0;
/** A unique id for aria-labelledby and friends. */
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled form control: <div class="field"><label for>…</label><control>…<p class="error"></p></div>. */
export function field(label, control, { hint, name } = {}) {
  const id = control.id || uid('f');
  control.id = id;
  const errorId = `${id}-error`;
  const describedBy = [errorId];
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null;
  if (hintEl) describedBy.unshift(hintEl.id);
  control.setAttribute('aria-describedby', describedBy.join(' '));
  if (name) control.dataset.field = name;
  return h('div', { class: 'field', dataset: name ? { field: name } : undefined },
    h('label', { for: id, text: label }), control, hintEl, h('p', { class: 'error', id: errorId }));
}

// Small DOM helpers shared by the views: elements, times, digests, messages.

/** h('tag.class#id', {attr: value, onclick: fn}, ...children): children may be strings, nodes, arrays, null. */
export function h(spec, attrs = {}, ...children) {
  const [, tag = 'div', rest = ''] = spec.match(/^([a-z0-9-]*)(.*)$/i);
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, v);
  append(el, children);
  return el;
}

export function age(iso) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function time(iso) {
  return iso ? h('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString()) : '';
}

export function short(hex, n = 12) {
  return hex ? h('code', { title: hex }, hex.length > n ? hex.slice(0, n) + '…' : hex) : '';
}

export function status(s) {
  return h('span.status', { dataset: { status: s || '' } }, s || '?');
}

/** A message region: error (role alert) or notice (role status). */
export function message(kind, text) {
  return h(`p.msg.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function problemText(e) {
  if (e && e.code) return `${e.message} (${e.code})`;
  return e && e.message ? e.message : String(e);
}

export function render(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/** Glob of the policy's protected paths (** any depth, * within a segment) as a RegExp. */
export function globRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

/** The protected-path classes (evaluation, logging, …) a path falls under. */
export function protectedClasses(path, protectedPaths) {
  const found = [];
  for (const [name, spec] of Object.entries(protectedPaths || {})) {
    if ((spec.globs || []).some(g => globRegExp(g).test(path))) found.push(name);
  }
  return found;
}

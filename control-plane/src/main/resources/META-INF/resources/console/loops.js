// The loop registry: which loops may submit, who owns them (owners never approve their
// proposals), who may submit over HTTP, and the keys whose signatures identify them. Every role
// reads it; admins register loops and revoke keys here (each change is an audit entry).
import * as session from './session.js';
import { h, render, time, short, message, problemText } from './ui.js';

export function loopsView(main) {
  const list = h('div#loops-list', {}, h('p.muted', {}, 'Loading…'));
  const admin = session.hasRole('admin');
  render(main, h('h1', {}, 'Loops'),
    h('p.muted', {}, 'A proposal counts as a loop’s only when one of the keys below signed it; owners may never approve the loop’s proposals.'),
    admin ? registerForm(load) : null, list);
  load();

  async function load() {
    try {
      const loops = await session.api('/api/v1/loops');
      render(list, loops.length ? h('div', {}, loops.map(loopCard)) : h('p.muted#no-loops', {}, 'No loop is registered yet.'));
    } catch (e) {
      render(list, message('error', problemText(e)));
    }
  }

  function loopCard(loop) {
    return h(`section.card.loop#loop-${loop.loopId}`, { 'aria-label': `Loop ${loop.loopId}` },
      h('h2', {}, loop.loopId, ' ', h(`span.badge.${loop.status === 'ACTIVE' ? 'ok' : 'warn'}`, {}, loop.status)),
      loop.displayName ? h('p', {}, loop.displayName) : null,
      h('dl.facts', {},
        h('dt', {}, 'Source system'), h('dd', {}, loop.sourceSystem),
        h('dt', {}, 'Owners (never approve)'), h('dd.owners', {}, subjects(loop.owners)),
        h('dt', {}, 'Submitters over HTTP'), h('dd.submitters', {}, subjects(loop.submitters)),
        h('dt', {}, 'Registered'), h('dd', {}, time(loop.registeredAt), ' by ', h('code', {}, loop.registeredBy))),
      h('table.keys', {},
        h('caption', {}, 'Signing keys'),
        h('thead', {}, h('tr', {}, ['Key id', 'Valid from', 'Until', 'State', ''].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, loop.keys.map(k => keyRow(loop, k)))));
  }

  function keyRow(loop, k) {
    const state = k.revokedAt ? `revoked ${time(k.revokedAt)}` : (k.notAfter && new Date(k.notAfter) <= new Date() ? 'expired' : 'valid');
    const revoke = admin && !k.revokedAt ? h('button.danger', {
      type: 'button', 'aria-label': `Revoke key ${short(k.keyId)}`,
      onclick: async () => {
        const reason = prompt(`Revoke key ${short(k.keyId)} of ${loop.loopId}? It signs nothing from now on. Why?`);
        if (!reason) return;
        try {
          await session.api(`/api/v1/loops/${encodeURIComponent(loop.loopId)}/keys/${k.keyId}/revocation`, { method: 'POST', body: { reason } });
          load();
        } catch (e) { alert(problemText(e)); }
      },
    }, 'Revoke') : null;
    return h('tr', {}, h('td', {}, h('code', { title: k.keyId }, short(k.keyId, 16))), h('td', {}, time(k.notBefore)),
      h('td', {}, k.notAfter ? time(k.notAfter) : 'open'), h('td', {}, state), h('td', {}, revoke));
  }
}

function subjects(list) {
  return list.length ? list.map(s => h('code', {}, s)).reduce((a, c) => a.length ? [...a, ', ', c] : [c], []) : 'none';
}

function registerForm(reload) {
  const error = h('p.msg.error', { role: 'alert' });
  const field = (name, label, attrs = {}) => h('div.field', {}, h('label', { for: `l-${name}` }, label), h(`input#l-${name}`, { name, ...attrs }));
  const form = h('form.card#loop-register', {
    'aria-label': 'Register a loop',
    onsubmit: async ev => {
      ev.preventDefault();
      error.textContent = '';
      const f = form.elements;
      const split = v => v.split(',').map(s => s.trim()).filter(Boolean);
      try {
        await session.api('/api/v1/loops', { method: 'POST', body: {
          loopId: f.loopId.value.trim(), sourceSystem: f.sourceSystem.value, displayName: f.displayName.value.trim() || null,
          owners: split(f.owners.value), submitters: split(f.submitters.value),
          keys: f.publicKey.value.trim() ? [{ publicKey: f.publicKey.value.trim() }] : [],
        } });
        form.reset();
        reload();
      } catch (e) { error.textContent = problemText(e); }
    },
  },
  h('h2', {}, 'Register a loop'),
  field('loopId', 'Loop id', { required: true }),
  h('div.field', {}, h('label', { for: 'l-sourceSystem' }, 'Source system'),
    h('select#l-sourceSystem', { name: 'sourceSystem' }, ['dgm', 'shinka', 'openevolve', 'ai-scientist', 'custom'].map(s => h('option', { value: s }, s)))),
  field('displayName', 'Name'),
  field('owners', 'Owners (subjects, comma-separated)'),
  field('submitters', 'Submitters (subjects, comma-separated)'),
  field('publicKey', 'Ed25519 public key (base64, 32 bytes)'),
  h('button#loop-register-submit', { type: 'submit' }, 'Register'), error);
  return form;
}

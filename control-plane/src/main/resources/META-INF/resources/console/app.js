// Governor console: routing, the signed-in header, and the kill-switch banner on every page.
import * as session from './session.js';
import { h, render, message, problemText, time } from './ui.js';
import { queueView } from './queue.js';
import { proposalView } from './proposal.js';
import { auditView } from './audit.js';
import { loopsView } from './loops.js';

const main = document.getElementById('main');
let current = null; // the view on screen: { stop() } to end its streams

async function boot() {
  try {
    await session.start();
  } catch (e) {
    render(main, message('error', problemText(e)));
    signInPage();
    return;
  }
  if (!session.user()) {
    signInPage();
    return;
  }
  header();
  banner();
  window.addEventListener('hashchange', route);
  route();
}

function header() {
  const me = session.user();
  document.getElementById('nav').hidden = false;
  render(document.getElementById('who'),
    h('span', {}, 'Signed in as ', h('strong#user', {}, me.username)),
    h('span.roles#roles', {}, me.roles.length ? me.roles.join(', ') : 'no Governor role'),
    h('button#sign-out', { type: 'button', onclick: () => session.signOut() }, 'Sign out'));
}

function signInPage() {
  const mode = session.signInMode && (() => { try { return session.signInMode(); } catch { return null; } })();
  const children = [h('h1', {}, 'Sign in to Governor'),
    h('p', {}, 'Safety officers review and approve promotions and pause the loop; regulators explore and verify the audit log.')];
  if (mode === 'basic') {
    const error = h('p.msg.error', { role: 'alert' });
    const form = h('form.signin', {
      onsubmit: async ev => {
        ev.preventDefault();
        error.textContent = '';
        try {
          await session.signInBasic(form.elements.username.value.trim(), form.elements.password.value);
          location.reload();
        } catch (e) { error.textContent = problemText(e); }
      },
    },
    h('label', { for: 'username' }, 'User name'), h('input#username', { name: 'username', autocomplete: 'username', required: true }),
    h('label', { for: 'password' }, 'Password'), h('input#password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('button#sign-in', { type: 'submit' }, 'Sign in'), error);
    children.push(form, h('p.demo', {}, 'Embedded run, demo users only (password = user name): ',
      h('code', {}, 'alice'), ', ', h('code', {}, 'bob'), ', ', h('code', {}, 'carol'), ' (safety officers), ',
      h('code', {}, 'rita'), ' (regulator), ', h('code', {}, 'adam'), ' (admin).'));
  } else if (mode === 'oidc') {
    children.push(h('button#sign-in', { type: 'button', onclick: () => session.signInOidc().catch(e => alert(problemText(e))) },
      'Sign in with your organisation'));
  }
  main.append(h('section.signin-page', {}, children));
  main.querySelector('input, button')?.focus();
}

function route() {
  current?.stop?.();
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  document.querySelectorAll('[data-nav]').forEach(a => a.removeAttribute('aria-current'));
  const section = parts[0] || 'queue';
  document.querySelector(`[data-nav="${section === 'proposals' ? 'queue' : section}"]`)?.setAttribute('aria-current', 'page');
  render(main);
  if (section === 'proposals' && parts[1]) current = proposalView(main, decodeURIComponent(parts[1]));
  else if (section === 'audit') current = auditView(main, params);
  else if (section === 'loops') current = loopsView(main);
  else current = queueView(main, params);
  main.focus({ preventScroll: true });
}

// ---- kill switch: a banner on every page, pause and resume where the roles allow ----

function banner() {
  const el = document.getElementById('banner');
  el.hidden = false;
  let state = null;
  const draw = () => {
    if (!state) return;
    const pending = state.pendingResume;
    const canPause = session.hasRole('safety-officer') || session.hasRole('admin');
    const canResume = session.hasRole('safety-officer');
    el.dataset.state = state.state;
    render(el,
      h('div.ks-state', {},
        h('strong#ks-state', {}, state.state === 'RUNNING' ? 'Loop RUNNING' : `Loop ${state.state}`),
        h('span', {}, ` · epoch ${state.epoch} · ${state.reason || ''} · by ${state.actor || '?'} · `, time(state.changedAt)),
        state.verified === false ? h('span.warn', {}, ' · signature NOT verified') : null),
      pending ? h('div.ks-pending#ks-pending', {},
        `Resume requested by ${pending.officer}: “${pending.reason}”. A second, different safety officer must resume before `,
        time(pending.expiresAt), '.') : null,
      h('div.ks-actions', {},
        state.state === 'RUNNING' && canPause ? h('button#pause.danger', { type: 'button', onclick: () => command('pause') }, 'Pause the loop…') : null,
        state.state !== 'RUNNING' && canResume ? h('button#resume', { type: 'button', onclick: () => command('resume') },
          pending ? 'Resume as second officer…' : 'Request resume…') : null));
  };
  // Heartbeats repeat the state every few seconds: redraw only on a change, so focus stays put.
  let shown = null;
  session.follow('/api/v1/killswitch/events', s => {
    state = s;
    const key = JSON.stringify([s.state, s.epoch, s.reason, s.actor, s.changedAt, s.pendingResume, s.verified]);
    if (key !== shown) { shown = key; draw(); }
  },
    s => { el.classList.toggle('stale', s !== 'live'); });
}

/** Pause or resume, after a dialog that asks for the reason and a confirmation. */
function command(kind) {
  const dialog = document.getElementById('dialog');
  const form = document.getElementById('dialog-form');
  const reason = document.getElementById('dialog-reason');
  const error = document.getElementById('dialog-error');
  document.getElementById('dialog-title').textContent = kind === 'pause' ? 'Pause the improvement loop' : 'Resume the improvement loop';
  document.getElementById('dialog-text').textContent = kind === 'pause'
    ? 'Every loop halts at once and nothing is promoted until two safety officers resume. This is recorded in the audit log.'
    : 'Resuming takes two different safety officers; the first request waits for the second. This is recorded in the audit log.';
  document.getElementById('dialog-confirm').textContent = kind === 'pause' ? 'Pause now' : 'Resume';
  reason.value = '';
  error.textContent = '';
  form.onsubmit = async ev => {
    ev.preventDefault();
    if (!reason.value.trim()) { error.textContent = 'Say why: the reason goes into the audit log.'; reason.focus(); return; }
    try {
      await session.api(`/api/v1/killswitch/${kind}`, { method: 'POST', body: { reason: reason.value.trim() } });
      dialog.close();
    } catch (e) { error.textContent = problemText(e); }
  };
  document.getElementById('dialog-cancel').onclick = () => dialog.close();
  dialog.showModal();
  reason.focus();
}

boot();

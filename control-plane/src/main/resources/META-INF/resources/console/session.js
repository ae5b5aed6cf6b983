// Signing in, and every call to Governor's API on behalf of the signed-in person.
// Two ways in, chosen by the server (/api/v1/console/sign-in):
//  - oidc: authorization code with PKCE at the identity provider (Keycloak), with the console's
//    public client; the access token goes to the API as a bearer token and is refreshed.
//  - basic: the embedded run's demo users (HTTP Basic, demo only).
// Tokens and demo credentials live in sessionStorage: one browser tab, gone when it closes.

const STORE = 'governor.session';
const PENDING = 'governor.oidc.pending';

export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || null;
    this.problem = problem;
  }
}

let config = null;
let oidc = null; // the provider's discovery document
let me = null;

function saved() {
  try { return JSON.parse(sessionStorage.getItem(STORE)); } catch { return null; }
}
function save(value) {
  if (value) sessionStorage.setItem(STORE, JSON.stringify(value)); else sessionStorage.removeItem(STORE);
}

function b64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function randomString() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function discovery() {
  if (!oidc) {
    const r = await fetch(config.issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
    if (!r.ok) throw new Error(`The identity provider at ${config.issuer} did not answer (${r.status})`);
    oidc = await r.json();
  }
  return oidc;
}

function redirectUri() {
  return location.origin + location.pathname;
}

/** Reads how to sign in, and finishes an OIDC sign-in the provider just redirected back from. */
export async function start() {
  const r = await fetch('/api/v1/console/sign-in', { credentials: 'omit' });
  config = await r.json();
  const params = new URLSearchParams(location.search);
  if (config.auth === 'oidc' && (params.has('code') || params.has('error'))) {
    await finishOidc(params);
  }
  if (saved()) {
    try {
      me = await api('/api/v1/me');
    } catch (e) {
      save(null);
      me = null;
      if (!(e instanceof ProblemError && e.status === 401)) throw e;
    }
  }
  return { config, me };
}

export function signInMode() { return config.auth; }
export function user() { return me; }
export function hasRole(role) { return !!me && me.roles.includes(role); }

/** Basic (embedded run): checks the demo credentials against the API before keeping them. */
export async function signInBasic(username, password) {
  save({ kind: 'basic', header: 'Basic ' + btoa(`${username}:${password}`) });
  try {
    me = await api('/api/v1/me');
  } catch (e) {
    save(null);
    throw e.status === 401 ? new Error('Wrong user name or password.') : e;
  }
  return me;
}

/** OIDC: off to the provider's sign-in page; we come back to this page with a code. */
export async function signInOidc() {
  const d = await discovery();
  const verifier = randomString();
  const state = randomString();
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: config.clientId, redirect_uri: redirectUri(), scope: 'openid',
    state, code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

async function finishOidc(params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', redirectUri() + (pending?.hash || ''));
  if (params.has('error')) {
    throw new Error(`Sign-in failed at the identity provider: ${params.get('error_description') || params.get('error')}`);
  }
  if (!pending || pending.state !== params.get('state')) {
    throw new Error('Sign-in answer does not match a sign-in started here (state differs); sign in again.');
  }
  const tokens = await tokenRequest({
    grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
    client_id: config.clientId, code_verifier: pending.verifier,
  });
  save(tokens);
}

async function tokenRequest(form) {
  const d = await discovery();
  const r = await fetch(d.token_endpoint, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`The identity provider refused: ${body.error_description || body.error || r.status}`);
  return {
    kind: 'oidc', access: body.access_token, refresh: body.refresh_token, id: body.id_token,
    expiresAt: Date.now() + (body.expires_in || 60) * 1000,
  };
}

async function authorization() {
  let s = saved();
  if (!s) return null;
  if (s.kind === 'basic') return s.header;
  if (Date.now() > s.expiresAt - 20000 && s.refresh) {
    try {
      const fresh = await tokenRequest({ grant_type: 'refresh_token', refresh_token: s.refresh, client_id: config.clientId });
      fresh.id = fresh.id || s.id;
      save(fresh);
      s = fresh;
    } catch {
      save(null);
      me = null;
      location.reload();
      return null;
    }
  }
  return 'Bearer ' + s.access;
}

export async function signOut() {
  const s = saved();
  save(null);
  me = null;
  if (s?.kind === 'oidc') {
    const d = await discovery();
    if (d.end_session_endpoint) {
      const url = new URL(d.end_session_endpoint);
      url.search = new URLSearchParams({
        client_id: config.clientId, post_logout_redirect_uri: redirectUri(), ...(s.id ? { id_token_hint: s.id } : {}),
      }).toString();
      location.assign(url.toString());
      return;
    }
  }
  location.assign(redirectUri());
}

/**
 * A call to the API. JSON in and out; a refusal (RFC 9457 problem) is thrown as ProblemError with
 * the server's own words. credentials 'omit' keeps the browser from ever prompting for a password.
 */
export async function api(path, { method = 'GET', body, accept = 'application/json', raw = false } = {}) {
  const headers = { Accept: accept };
  const auth = await authorization();
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body) });
  const type = r.headers.get('Content-Type') || '';
  if (!r.ok) {
    let problem = { title: r.statusText };
    if (type.includes('json')) problem = await r.json().catch(() => problem);
    if (r.status === 401) problem.detail = problem.detail || 'Not signed in, or the sign-in expired.';
    if (r.status === 403) problem.detail = problem.detail || 'Your roles do not allow this.';
    throw new ProblemError(r.status, problem);
  }
  if (type.includes('json') && !raw) {
    const json = await r.json();
    if (r.status === 202 && json && !Array.isArray(json)) json.accepted = true;
    return json;
  }
  return r.text();
}

/**
 * Follows a server-sent event stream with the signed-in person's credentials (EventSource cannot
 * send them). Calls onEvent(json) per event and onState('live' | 'reconnecting'); reconnects after
 * a second whenever the stream ends, until stop() is called.
 */
export function follow(path, onEvent, onState = () => {}) {
  let stopped = false;
  let controller = null;
  (async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { Accept: 'text/event-stream' };
        const auth = await authorization();
        if (auth) headers.Authorization = auth;
        const r = await fetch(path, { headers, credentials: 'omit', signal: controller.signal });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        onState('live');
        const reader = r.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
            const data = block.split(/\r?\n/).filter(l => l.startsWith('data:')).map(l => l.slice(5).replace(/^ /, '')).join('\n');
            if (data) {
              try { onEvent(JSON.parse(data)); } catch (e) { console.warn('Unreadable event', data, e); }
            }
          }
        }
      } catch (e) {
        if (stopped) return;
        console.warn(`Stream ${path} broke: ${e.message}`);
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  })();
  return { stop() { stopped = true; controller?.abort(); } };
}

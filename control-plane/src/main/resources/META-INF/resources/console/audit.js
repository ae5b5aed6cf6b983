// The audit explorer: search the tamper-evident log, read each entry's canonical JSON and leaf
// hash, verify an entry's inclusion in the signed tree here in the browser, download evidence.
import * as session from './session.js';
import { h, render, time, message, problemText } from './ui.js';
import { verifyInclusion } from './verify.js';

const FIELDS = [
  ['proposalId', 'Proposal', 'text'], ['actor', 'Actor', 'text'], ['type', 'Event type', 'text'],
  ['from', 'From (UTC)', 'datetime-local'], ['to', 'To (UTC)', 'datetime-local'], ['policyRevision', 'Policy revision', 'text'],
];

export function auditView(main, params) {
  if (!session.hasRole('regulator') && !session.hasRole('safety-officer')) {
    render(main, h('h1', {}, 'Audit log'), message('error', 'Reading the audit log takes the regulator or safety-officer role.'));
    return {};
  }
  const results = h('div#audit-results');
  const inputs = {};
  const form = h('form.filters#audit-filters', { role: 'search', 'aria-label': 'Search the audit log', onsubmit: e => { e.preventDefault(); search(-1); } },
    FIELDS.map(([name, label, type]) => {
      const value = params.get(name) || '';
      inputs[name] = h(`input#a-${name}`, { name, type, value: type === 'datetime-local' ? value.replace(/Z$/, '') : value, step: type === 'datetime-local' ? 1 : null });
      return h('div.field', {}, h('label', { for: `a-${name}` }, label), inputs[name]);
    }),
    h('button#audit-search', { type: 'submit' }, 'Search'));
  let verifierKey = null;
  const keyLine = h('p.muted#verifier-key');
  session.api('/api/v1/audit/verifier-key', { accept: 'text/plain' }).then(k => {
    verifierKey = k.trim();
    render(keyLine, 'Entries are verified against the log’s key ', h('code', {}, verifierKey),
      '. Compare it with the key the operator published before you trust a pass.');
  }).catch(e => render(keyLine, message('error', problemText(e))));

  render(main, h('h1', {}, 'Audit log'), form, keyLine, results);

  function query(after) {
    const q = new URLSearchParams({ limit: '50' });
    for (const [name, , type] of FIELDS) {
      const v = inputs[name].value.trim();
      if (v) q.set(name, type === 'datetime-local' ? new Date(v + 'Z').toISOString().replace('.000Z', 'Z') : v);
    }
    if (after >= 0) q.set('after', after);
    return q;
  }

  async function search(after) {
    const q = query(after);
    count = 0;
    render(fresh);
    const shown = new URLSearchParams(q);
    shown.delete('limit');
    shown.delete('after');
    history.replaceState(null, '', '#/audit?' + shown.toString());
    render(results, h('p.muted', {}, 'Searching…'));
    try {
      const page = await session.api('/api/v1/audit/entries?' + q);
      draw(page, after);
    } catch (e) {
      render(results, message('error', problemText(e)));
    }
  }

  function draw(page, after) {
    const proposalId = inputs.proposalId.value.trim();
    render(results,
      proposalId ? h('p', {}, h('button#download-evidence', { type: 'button', onclick: () => download(proposalId) },
        `Download the evidence bundle for ${proposalId}`), ' (verify it offline with ', h('code', {}, 'java -jar governor-auditor.jar bundle'), ')') : null,
      page.entries.length ? h('ol.entries', { start: page.entries[0].index }, page.entries.map(entry)) : h('p.muted#audit-empty', {}, 'No entry matches.'),
      h('div.pager', {},
        after >= 0 ? h('button', { type: 'button', onclick: () => search(-1) }, '← First page') : null,
        page.nextAfter !== undefined ? h('button#next-page', { type: 'button', onclick: () => search(page.nextAfter) }, 'Next page →') : null));
  }

  function entry(e) {
    const outcome = h('div.verify-result', { role: 'status' });
    let pretty = e.leaf;
    try { pretty = JSON.stringify(JSON.parse(e.leaf), null, 2); } catch { /* shown as is */ }
    return h('li.entry', { dataset: { index: e.index, type: e.type } },
      h('div.entry-head', {},
        h('strong', {}, `#${e.index}`), ' ', h('code.type', {}, e.type), ' ', time(e.occurredAt),
        e.proposalId ? [' · ', h('a', { href: `#/proposals/${encodeURIComponent(e.proposalId)}` }, e.proposalId)] : '',
        ' · ', e.actor || '', e.policyRevision ? [' · policy ', h('code', { title: e.policyRevision }, e.policyRevision.slice(0, 12) + '…')] : ''),
      h('div', {}, 'Leaf hash ', h('code.leaf-hash', {}, e.leafHash)),
      h('details', {}, h('summary', {}, 'Canonical JSON (the exact bytes hashed)'), h('pre.leaf', {}, e.leaf),
        h('details', {}, h('summary', {}, 'Indented for reading'), h('pre', {}, pretty))),
      h('button.verify', { type: 'button', onclick: ev => verify(e, outcome, ev.target) }, `Verify entry ${e.index} in the browser`),
      outcome);
  }

  async function verify(e, outcome, button) {
    button.disabled = true;
    render(outcome, h('p.muted', {}, 'Fetching the proof and the signed checkpoint…'));
    try {
      let proof = null;
      for (let attempt = 0; !proof; attempt++) {
        try {
          proof = await session.api(`/api/v1/audit/entries/${e.index}/inclusion`);
        } catch (err) {
          // A new entry is covered once the next checkpoint is signed (every few seconds).
          if (err.code !== 'out-of-range' || attempt >= 10) throw err;
          render(outcome, h('p.muted', {}, 'Not yet covered by a signed checkpoint; waiting for the next one…'));
          await new Promise(r => setTimeout(r, 2000));
        }
      }
      if (proof.leaf !== e.leaf) throw new Error('The proof is for other content than the entry listed');
      const result = await verifyInclusion(proof, verifierKey || (await session.api('/api/v1/audit/verifier-key', { accept: 'text/plain' })));
      render(outcome,
        h('p.verdict', { dataset: { ok: String(result.ok) } }, result.ok
          ? `PASS: entry ${e.index} is in the tree of ${proof.treeSize} entries signed by ${result.origin}`
          : `FAIL: entry ${e.index} could not be proven`),
        h('ul.steps', {}, result.steps.map(s => h('li', { dataset: { ok: String(s.ok) } }, s.ok ? '✔ ' : '✘ ', s.check, h('div.detail', {}, h('code', {}, s.detail))))));
    } catch (err) {
      render(outcome, h('p.verdict', { dataset: { ok: 'false' } }, `FAIL: ${problemText(err)}`));
    } finally {
      button.disabled = false;
    }
  }

  async function download(proposalId) {
    try {
      const text = await session.api(`/api/v1/audit/evidence/${encodeURIComponent(proposalId)}`, { accept: 'application/json', raw: true });
      const blob = new Blob([text], { type: 'application/json' });
      const a = h('a', { href: URL.createObjectURL(blob), download: `evidence-${proposalId.replace(/[^A-Za-z0-9._-]/g, '_')}.json` });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } catch (e) {
      render(results.querySelector('.pager') || results, message('error', problemText(e)));
    }
  }

  // Live: entries appended since the search are announced, not pushed in (a verification on screen stays).
  const fresh = h('p#audit-fresh', { role: 'status' });
  main.insertBefore(fresh, results);
  let count = 0;
  const stream = session.follow('/api/v1/audit/events', ev => {
    if (ev.type === 'head') return;
    const pid = inputs.proposalId.value.trim();
    if (pid && ev.proposalId !== pid) return;
    count++;
    render(fresh, h('button', { type: 'button', onclick: () => { count = 0; render(fresh); search(-1); } },
      `${count} new entr${count === 1 ? 'y' : 'ies'} since this search: show them`));
  });
  search(-1);
  return { stop() { stream.stop(); } };
}

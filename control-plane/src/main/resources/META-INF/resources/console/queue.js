// The review queue: proposals with their tier, approvals, breaches and age, live as the audit log grows.
import * as session from './session.js';
import { h, render, age, status, message, problemText } from './ui.js';

const STATES = ['PENDING_REVIEW', 'RECEIVED', 'BLOCKED', 'APPROVED', 'PROMOTED', 'REJECTED', 'REJECTED_BY_POLICY', 'EXPIRED'];
const TIERS = ['standard', 'elevated', 'critical'];

export function queueView(main, params) {
  const filters = {
    status: params.get('status') ?? 'PENDING_REVIEW',
    loopId: params.get('loopId') || '',
    tier: params.get('tier') || '',
    order: params.get('order') || 'oldest',
  };
  const PAGE = 100;
  let page = 0;
  const live = h('span.live#live', { role: 'status' }, '');
  const table = h('div#queue');
  const select = (id, label, options, value) => h('div.field', {},
    h('label', { for: id }, label),
    h(`select#${id}`, { onchange: e => { filters[id.replace('f-', '')] = e.target.value; apply(); } },
      h('option', { value: '' }, 'any'),
      options.map(o => h('option', { value: o, selected: o === value }, o))));
  const loop = h('input#f-loopId', { value: filters.loopId, placeholder: 'e.g. dgm-swe-7', type: 'search' });
  loop.addEventListener('change', () => { filters.loopId = loop.value.trim(); apply(); });

  render(main,
    h('h1', {}, 'Review queue ', live),
    h('form.filters', { role: 'search', 'aria-label': 'Filter proposals', onsubmit: e => { e.preventDefault(); filters.loopId = loop.value.trim(); apply(); } },
      select('f-status', 'State', STATES, filters.status),
      h('div.field', {}, h('label', { for: 'f-loopId' }, 'Loop'), loop),
      select('f-tier', 'Tier', TIERS, filters.tier),
      h('div.field', {}, h('label', { for: 'f-order' }, 'Order'),
        h('select#f-order', { onchange: e => { filters.order = e.target.value; apply(); } },
          h('option', { value: 'oldest', selected: filters.order === 'oldest' }, 'oldest first'),
          h('option', { value: 'newest', selected: filters.order === 'newest' }, 'newest first')))),
    table);

  function apply() {
    const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    history.replaceState(null, '', '#/queue?' + q.toString());
    page = 0;
    load();
  }

  let rows = [];
  let loading = null;
  async function load() {
    const q = new URLSearchParams({ size: String(PAGE), page: String(page), order: filters.order });
    if (filters.status) q.set('status', filters.status);
    if (filters.loopId) q.set('loopId', filters.loopId);
    const mine = (loading = session.api('/api/v1/proposals?' + q));
    try {
      const list = await mine;
      if (mine !== loading) return; // a newer load is on its way
      rows = list;
      draw();
    } catch (e) {
      render(table, message('error', problemText(e)));
    }
  }

  function draw() {
    const shown = rows.filter(p => !filters.tier || tier(p) === filters.tier);
    const pager = h('div.pager', {},
      h('span.muted', {}, `Proposals ${page * PAGE + 1}–${page * PAGE + rows.length}${filters.tier ? ` (${shown.length} of tier ${filters.tier})` : ''}, ${filters.order} first. `),
      page > 0 ? h('button#prev-page', { type: 'button', onclick: () => { page--; load(); } }, '← Previous') : null,
      rows.length === PAGE ? h('button#next-page', { type: 'button', onclick: () => { page++; load(); } }, 'Next →') : null);
    if (!shown.length) {
      render(table, h('p.muted#queue-empty', {}, 'Nothing matches: no proposal ', filters.status ? `in ${filters.status}` : '', '.'), page > 0 ? pager : null);
      return;
    }
    render(table, pager, h('div.table-wrap', {}, h('table.queue', {},
      h('caption.visually-hidden', {}, 'Proposals'),
      h('thead', {}, h('tr', {}, ['Proposal', 'Loop', 'Tier', 'Approvals', 'Breaches', 'State', 'Age'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, shown.map(p => h('tr', { dataset: { proposal: p.proposalId } },
        h('td', {}, h('a', { href: `#/proposals/${encodeURIComponent(p.proposalId)}` }, p.proposalId),
          h('div.summary', {}, p.data?.summary || '')),
        h('td', {}, p.loopId),
        h('td', {}, tier(p) ? h('span.tier', { dataset: { tier: tier(p) } }, tier(p)) : '—'),
        h('td', {}, p.review ? `${p.review.approvalsCounted ?? 0} / ${p.review.requiredApprovals ?? '?'}` : '—'),
        h('td', {}, breaches(p)),
        h('td', {}, status(p.status)),
        h('td', { title: p.receivedAt }, age(p.receivedAt))))))));
  }

  // Any new audit entry about a proposal may change the queue: read it again (at most every 200 ms).
  let timer = null;
  const stream = session.hasRole('safety-officer') || session.hasRole('regulator')
    ? session.follow('/api/v1/audit/events', e => {
      if (e.type === 'head' || e.proposalId) { clearTimeout(timer); timer = setTimeout(load, 200); }
    }, s => { live.textContent = s === 'live' ? '● live' : '○ reconnecting…'; live.dataset.state = s; })
    : null;
  const ticker = setInterval(draw, 30000);
  load();
  return { stop() { stream?.stop(); clearInterval(ticker); clearTimeout(timer); } };
}

// In the list, `decision` is the decision's result (tier, breaches, violations); GET /{id} has the whole decision.
function result(p) {
  return p.decision?.result || p.decision || {};
}

function tier(p) {
  return p.review?.tier || result(p).tier || null;
}

function breaches(p) {
  const list = result(p).breaches || [];
  if (!list.length) return '—';
  return h('ul.breaches', {}, list.map(b => h('li', { dataset: { level: b.level } }, `${b.domain} ${b.level} (${b.score} ≥ ${b.threshold})`)));
}

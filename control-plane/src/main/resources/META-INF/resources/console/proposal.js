// One proposal: what it changes, how it scored, what the policy said, who approved, and the
// officer's approve / reject, which name the exact digest and decision they were shown.
import * as session from './session.js';
import { h, svg, render, time, short, status, message, problemText, protectedClasses } from './ui.js';
import { highlight } from './highlight.js';

export function proposalView(main, id) {
  let policy = null;
  let p = null;
  let lineageBox = null; // walked once per page: a live redraw must not fetch every ancestor again
  const msg = h('div#action-msg');

  async function load() {
    try {
      const [proposal, active] = await Promise.all([
        session.api(`/api/v1/proposals/${encodeURIComponent(id)}`),
        policy ? Promise.resolve(policy) : session.api('/api/v1/policies/active').catch(() => null),
      ]);
      p = proposal;
      policy = active;
      draw();
    } catch (e) {
      render(main, h('p', {}, h('a', { href: '#/queue' }, '← Review queue')), message('error', problemText(e)));
    }
  }

  // A live update redraws the page: what the officer was typing, and where, stays.
  function draw() {
    const typed = ['approve-comment', 'reject-reason'].map(f => [f, document.getElementById(f)?.value]);
    const focused = document.activeElement?.id;
    paint();
    for (const [f, value] of typed) {
      const el = document.getElementById(f);
      if (el && value) el.value = value;
    }
    if (focused) document.getElementById(focused)?.focus();
  }

  function paint() {
    const d = p.decision || {};
    const result = d.result || {};
    const data = p.data || {};
    render(main,
      h('p', {}, h('a', { href: '#/queue' }, '← Review queue')),
      h('h1', {}, 'Proposal ', h('span#proposal-id', {}, p.proposalId), ' ', h('span#proposal-status', { dataset: { status: p.status } }, status(p.status))),
      h('p.summary', {}, data.summary || ''),
      h('dl.facts', {},
        fact('Loop', `${p.loopId} (${p.sourceSystem})`), fact('Kind', p.kind), fact('Generation', data.generation ?? '—'),
        fact('Submitted by', p.submittedBy), fact('Received', time(p.receivedAt)),
        fact('Signed with', p.signature ? h('span#signed-with', {}, p.signature.envelope?.payloadType === 'application/vnd.governor.submission.v1+json'
          ? 'Governor’s API key, for the authenticated submitter' : 'the loop’s registered key', ' ', h('code', { title: p.signature.keyId }, short(p.signature.keyId)))
          : 'no signature on record'),
        p.receivedWhilePaused ? fact('Note', 'received while the loop was paused') : null,
        fact('Content digest', h('code#digest', {}, p.contentDigest)),
        fact('Decision', d.decision_id ? h('span', {}, h('code#decision-id', {}, d.decision_id), ' by policy revision ', short(d.bundles?.rsi?.revision)) : 'not decided yet'),
        fact('Audit', h('a', { href: `#/audit?proposalId=${encodeURIComponent(p.proposalId)}` }, 'entries about this proposal'))),
      review(),
      h('section', { 'aria-labelledby': 'h-policy' }, h('h2#h-policy', {}, 'Policy decision'),
        d.result ? h('p', {}, 'Outcome ', h('strong#outcome', {}, result.outcome), `, tier ${result.tier}, ${result.requiredApprovals} approval(s) required`,
          result.haltLoop ? h('strong.warn', {}, ' · the loop was halted') : null) : h('p.muted', {}, 'No decision yet.'),
        violations(result.violations || []),
        signals(result.signals || []),
        evidence(result.evidence),
        (result.breaches || []).length ? h('ul.breaches', {}, result.breaches.map(b => h('li', { dataset: { level: b.level } },
          `${b.domain}: ${b.level} breach, score ${b.score} ≥ ${b.threshold} (${b.framework || ''})`))) : null),
      h('section', { 'aria-labelledby': 'h-cap' }, h('h2#h-cap', {}, 'Capability scores against the thresholds'),
        capabilityChart(data.capabilityEvals || [], policy?.thresholds || {})),
      h('section', { 'aria-labelledby': 'h-evals' }, h('h2#h-evals', {}, 'Evaluations against their baselines'), evaluations(data.evaluations || [])),
      h('section', { 'aria-labelledby': 'h-diff' }, h('h2#h-diff', {}, 'Change'), diff(data, policy?.protectedPaths)),
      h('section', { 'aria-labelledby': 'h-lineage' }, h('h2#h-lineage', {}, 'Lineage back to the last promoted ancestor'), lineageBox ??= lineage(p)));
  }

  function review() {
    const r = p.review || {};
    const approvals = r.approvals || [];
    const officer = session.hasRole('safety-officer');
    const open = p.status === 'PENDING_REVIEW';
    const d = p.decision || {};
    const comment = h('input#approve-comment', { type: 'text', placeholder: 'optional' });
    const reason = h('textarea#reject-reason', { rows: 2, placeholder: 'required: what is wrong with it' });
    return h('section.review', { 'aria-labelledby': 'h-review' },
      h('h2#h-review', {}, 'Sign-off'),
      h('p#approvals-count', {}, `${r.approvalsCounted ?? 0} of ${r.requiredApprovals ?? '?'} approvals (tier ${r.tier || '—'})`),
      approvals.length ? h('ul#approvals', {}, approvals.map(a => h('li', {}, h('strong', {}, a.approver), ' ', time(a.approvedAt),
        a.comment ? ` — “${a.comment}”` : '', a.counts === false ? ' (expired: no longer counted)' : ''))) : h('p.muted', {}, 'No approvals yet.'),
      r.promotion ? h('p#promotion', {}, 'Promoted ', time(r.promotion.promotedAt), ` (promotion ${r.promotion.promotionId})`,
        r.promotion.publishedAt ? [', published on rsi.promotions ', time(r.promotion.publishedAt), ` at partition ${r.promotion.partition}, offset ${r.promotion.offset}`]
          : ', not yet published on rsi.promotions') : null,
      officer && open ? h('div.actions', {},
        h('form.approve', { onsubmit: e => { e.preventDefault(); act('approvals', { digest: p.contentDigest, decisionId: d.decision_id, comment: comment.value.trim() || undefined }); } },
          h('p', {}, 'You approve exactly this content and this decision:'),
          h('dl.facts', {}, fact('Digest', h('code', {}, p.contentDigest)), fact('Decision', h('code', {}, d.decision_id))),
          h('label', { for: 'approve-comment' }, 'Comment'), comment,
          h('button#approve', { type: 'submit' }, 'Approve')),
        h('form.reject', { onsubmit: e => {
          e.preventDefault();
          if (!reason.value.trim()) { render(msg, message('error', 'A rejection needs a reason.')); reason.focus(); return; }
          act('rejections', { reason: reason.value.trim() });
        } },
          h('label', { for: 'reject-reason' }, 'Reason for rejecting'), reason,
          h('button#reject.danger', { type: 'submit' }, 'Reject'))) : null,
      msg);
  }

  async function act(kind, body) {
    render(msg);
    try {
      p = await session.api(`/api/v1/proposals/${encodeURIComponent(id)}/${kind}`, { method: 'POST', body });
      draw();
      render(msg, message('notice', kind === 'approvals' ? 'Approval recorded.' : 'Rejection recorded.'));
    } catch (e) {
      render(msg, message('error', `Refused: ${problemText(e)}`));
    }
  }

  let timer = null;
  const stream = session.hasRole('safety-officer') || session.hasRole('regulator')
    ? session.follow('/api/v1/audit/events', e => {
      if (e.proposalId === id) { clearTimeout(timer); timer = setTimeout(load, 150); }
    }) : null;
  load();
  return { stop() { stream?.stop(); clearTimeout(timer); } };
}

function fact(name, value) {
  return [h('dt', {}, name), h('dd', {}, value ?? '—')];
}

/** Oversight signals the policy read in the changed lines: each raises the tier, none denies on its own. */
function signals(list) {
  if (!list.length) return null;
  return h('section.signals', {}, h('h3', {}, 'Signals in the change'),
    h('ul.signals#signals', {}, list.map(s => h('li', {}, h('code', {}, s.rule), ' ',
      s.file ? h('code', {}, `${s.file}${s.line ? ':' + s.line : ''}`) : null, ' ', s.message || s.text || ''))));
}

/** What Governor computed itself and gave the policy, rather than taking the loop's word for it. */
function evidence(e) {
  if (!e) return null;
  return h('p#evidence', {}, 'Governor counted ', h('strong', {}, String(e.generationsSinceLastPromoted)),
    ' unpromoted generation(s) since the last promoted ancestor',
    e.unknownAncestry ? ' (the chain reaches a parent Governor never received)' : '',
    `; ${e.tamperAttemptsInWindow} earlier tampering attempt(s) by this loop within the policy's window.`);
}

function violations(list) {
  if (!list.length) return h('p', {}, 'No policy violations.');
  return h('ul.violations#violations', {}, list.map(v => h('li', {}, h('code', {}, v.rule), ' ', v.message)));
}

function evaluations(list) {
  if (!list.length) return h('p.muted', {}, 'No evaluations reported.');
  return h('div.table-wrap', {}, h('table', {},
    h('thead', {}, h('tr', {}, ['Benchmark', 'Metric', 'Value', 'Baseline', 'Change', 'n', 'Evaluator'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, list.map(e => {
      const delta = typeof e.baseline === 'number' ? e.value - e.baseline : null;
      return h('tr', {},
        h('td', {}, e.benchmark, e.subset ? ` (${e.subset})` : ''), h('td', {}, e.metric), h('td', {}, e.value),
        h('td', {}, e.baseline ?? '—'),
        h('td', { dataset: { sign: delta === null ? '' : delta >= 0 ? 'up' : 'down' } }, delta === null ? '—' : (delta >= 0 ? '+' : '') + delta.toFixed(4)),
        h('td', {}, e.n ?? '—'), h('td', {}, e.evaluatorDigest ? short(e.evaluatorDigest, 20) : h('span.warn', {}, 'unpinned')));
    }))));
}

/** Scores on a 0–1 scale, each with its domain's alert (amber) and critical (red) levels drawn across it. */
function capabilityChart(evals, thresholds) {
  if (!evals.length) return h('p.muted', {}, 'No capability evaluations reported.');
  const W = 640, left = 150, right = 20, row = 38, top = 24;
  const scale = v => left + Math.max(0, Math.min(1, v)) * (W - left - right);
  const height = top + evals.length * row + 10;
  const described = evals.map(e => {
    const t = thresholds[e.domain] || {};
    return `${e.domain} ${e.eval || ''}: ${e.score} (alert ${t.alert ?? '—'}, critical ${t.critical ?? '—'})`;
  }).join('; ');
  const chart = svg('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': `Capability scores: ${described}`, id: 'capability-chart' },
    svg('title', {}, `Capability scores: ${described}`),
    [0, 0.25, 0.5, 0.75, 1].map(v => [svg('line', { x1: scale(v), x2: scale(v), y1: top - 6, y2: height - 8, class: 'grid' }),
      svg('text', { x: scale(v), y: top - 10, class: 'axis', 'text-anchor': 'middle' }, String(v))]),
    evals.map((e, i) => {
      const t = thresholds[e.domain] || {};
      const y = top + i * row;
      const level = t.critical !== undefined && e.score >= t.critical ? 'critical' : t.alert !== undefined && e.score >= t.alert ? 'alert' : 'ok';
      return [
        svg('text', { x: left - 8, y: y + 19, 'text-anchor': 'end', class: 'label' }, `${e.domain}${e.eval ? ' · ' + e.eval : ''}`),
        svg('rect', { x: left, y: y + 6, width: Math.max(1, scale(e.score) - left), height: 18, class: `bar ${level}` }),
        svg('text', { x: scale(e.score) + 4, y: y + 19, class: 'value' }, String(e.score)),
        t.alert !== undefined ? svg('line', { x1: scale(t.alert), x2: scale(t.alert), y1: y + 2, y2: y + 28, class: 'alert-line' },
          svg('title', {}, `alert ${t.alert}: ${t.frameworks?.alert || ''}`)) : null,
        t.critical !== undefined ? svg('line', { x1: scale(t.critical), x2: scale(t.critical), y1: y + 2, y2: y + 28, class: 'critical-line' },
          svg('title', {}, `critical ${t.critical}: ${t.frameworks?.critical || ''}`)) : null,
      ];
    }));
  return h('figure', {}, chart,
    h('figcaption', {}, h('span.key.alert', {}, '┃ alert level'), ' raises the tier and the approvals needed; ',
      h('span.key.critical', {}, '┃ critical level'), ' denies and halts the loop.'));
}

function diff(data, protectedPaths) {
  const touched = data.touchedPaths || [];
  const flagged = touched.map(path => ({ path, classes: protectedClasses(path, protectedPaths) }));
  const list = h('ul.paths#touched-paths', {}, flagged.map(f => h('li', { dataset: { protected: f.classes.length ? 'yes' : 'no' } },
    h('code', {}, f.path), f.classes.length ? h('span.flag', {}, ` protected: ${f.classes.join(', ')}`) : null)));
  const text = data.artifact?.inlineDiff;
  const artifact = h('p', {}, 'Artifact ', short(data.artifact?.sha256, 16), data.artifact?.uri ? [' at ', h('code', {}, data.artifact.uri)] : '');
  if (!text) return [list, artifact, h('p.muted', {}, 'No inline diff was sent.')];
  let file = null;
  const lines = text.split('\n').map(line => {
    let kind = 'ctx';
    if (line.startsWith('+++ ') || line.startsWith('--- ') || line.startsWith('diff ')) {
      kind = 'file';
      const m = line.match(/^(?:\+\+\+|---) (?:[ab]\/)?(\S+)/);
      if (m && m[1] !== '/dev/null') file = m[1];
    } else if (line.startsWith('@@')) kind = 'hunk';
    else if (line.startsWith('+')) kind = 'add';
    else if (line.startsWith('-')) kind = 'del';
    const classes = kind === 'file' && file ? protectedClasses(file, protectedPaths) : [];
    const body = kind === 'add' || kind === 'del' || kind === 'ctx'
      ? [line.slice(0, 1), ...highlight(line.slice(1), file)] : [line];
    return h(`div.line.${kind}`, classes.length ? { dataset: { protected: classes.join(',') } } : {}, ...body,
      classes.length ? h('span.flag', {}, `  ⚠ protected: ${classes.join(', ')}`) : null);
  });
  return [list, artifact, h('pre.diff#diff', { tabindex: 0, 'aria-label': 'Inline diff' }, lines)];
}

/** Walks parentId through Governor's own records until a PROMOTED ancestor (or 25 steps, or the unknown). */
function lineage(p) {
  const box = h('div#lineage', {}, h('p.muted', {}, 'Reading the lineage…'));
  (async () => {
    const chain = [{ id: p.proposalId, status: p.status, generation: p.data?.generation }];
    let parent = p.data?.parentId;
    const declared = new Map((p.data?.lineage || []).map(l => [l.id, l.sha256]));
    for (let i = 0; parent && i < 25; i++) {
      try {
        const a = await session.api(`/api/v1/proposals/${encodeURIComponent(parent)}`);
        chain.push({ id: a.proposalId, status: a.status, generation: a.data?.generation });
        if (a.status === 'PROMOTED') break;
        parent = a.data?.parentId;
      } catch {
        chain.push({ id: parent, status: 'not known to Governor', sha: declared.get(parent) });
        break;
      }
    }
    const since = p.decision?.input?.lineage?.generationsSinceLastPromoted;
    render(box, lineageGraph(chain.reverse()),
      since !== undefined ? h('p', {}, `Generations since the last promoted ancestor, as the policy saw it: ${since}.`) : null);
  })();
  return box;
}

function lineageGraph(chain) {
  const bw = 210, bh = 54, gap = 36;
  const W = chain.length * (bw + gap);
  return svg('svg', { viewBox: `0 0 ${W} ${bh + 20}`, class: 'lineage', role: 'img', width: Math.min(W, 1100),
    'aria-label': 'Lineage: ' + chain.map(c => `${c.id} (${c.status})`).join(' → ') },
  svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))),
  chain.map((c, i) => {
    const x = i * (bw + gap) + 4;
    const label = c.id.length > 26 ? c.id.slice(0, 25) + '…' : c.id;
    const node = svg('a', { href: c.status === 'not known to Governor' ? null : `#/proposals/${encodeURIComponent(c.id)}` },
      svg('rect', { x, y: 8, width: bw, height: bh, rx: 6, class: `node ${String(c.status).replace(/\s+/g, '-')}` }),
      svg('text', { x: x + 8, y: 28, class: 'node-id' }, label, svg('title', {}, c.id)),
      svg('text', { x: x + 8, y: 47, class: 'node-status' }, `${c.status}${c.generation !== undefined ? ' · gen ' + c.generation : ''}`));
    const edge = i < chain.length - 1
      ? svg('line', { x1: x + bw, y1: 8 + bh / 2, x2: x + bw + gap - 2, y2: 8 + bh / 2, class: 'edge', 'marker-end': 'url(#arrow)' }) : null;
    return [node, edge];
  }));
}

// Verifying the audit log in the browser, with WebCrypto and nothing from Governor but data:
//  - the leaf hash is SHA-256(0x00 || canonical JSON of the entry) (RFC 6962);
//  - the inclusion proof recomputes the tree root (RFC 9162 §2.1.3.2);
//  - that root is the one in the checkpoint (C2SP tlog-checkpoint), whose Ed25519 signature
//    (C2SP signed note) verifies with the log's verifier key.

const enc = new TextEncoder();

export function b64(s) {
  return Uint8Array.from(atob(s), c => c.charCodeAt(0));
}
export function hex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}
export async function leafHash(leafJson) {
  return sha256(concat(new Uint8Array([0]), enc.encode(leafJson)));
}
async function node(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}
function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null if the proof cannot be right. */
export async function rootFromInclusion(index, size, leaf, path) {
  if (index >= size) return null;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await node(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await node(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** Splits a C2SP signed note into its text (ending in a newline) and its signature lines. */
export function parseNote(note) {
  const cut = note.indexOf('\n\n');
  if (cut < 0) throw new Error('Not a signed note (no blank line before the signatures)');
  const text = note.slice(0, cut + 1);
  const signatures = note.slice(cut + 2).split('\n').filter(Boolean).map(line => {
    const m = line.match(/^\u2014 (\S+) (\S+)$/);
    if (!m) throw new Error(`Not a signature line: ${line}`);
    return { name: m[1], bytes: b64(m[2]) };
  });
  return { text, signatures };
}

/** A C2SP tlog-checkpoint: origin, tree size and root hash, then the note's signatures. */
export function parseCheckpoint(note) {
  const parsed = parseNote(note);
  const [origin, size, root] = parsed.text.split('\n');
  if (!/^\d+$/.test(size || '')) throw new Error('The checkpoint has no tree size on its second line');
  return { ...parsed, origin, size: Number(size), root: b64(root) };
}

/**
 * Verifies the note's signature by the key in signed-note verifier-key form: name+hash+base64.
 * The name holds no '+', but the base64 key may: split at the first two only.
 */
export async function verifyNote(parsed, verifierKey) {
  const k = verifierKey.trim();
  const first = k.indexOf('+');
  const second = k.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new Error('The verifier key is not in name+hash+key form');
  const name = k.slice(0, first);
  const hash = k.slice(first + 1, second);
  const keyBytes = b64(k.slice(second + 1));
  if (keyBytes[0] !== 1 || keyBytes.length !== 33) throw new Error('The verifier key is not an Ed25519 signed-note key');
  const expectedHash = (await sha256(concat(enc.encode(name + '\n'), keyBytes))).slice(0, 4);
  if (hex(expectedHash) !== hash) throw new Error('The verifier key is malformed (its key hash does not match)');
  const sig = parsed.signatures.find(s => s.name === name && equal(s.bytes.slice(0, 4), expectedHash));
  if (!sig) return false;
  const key32 = await crypto.subtle.importKey('raw', keyBytes.slice(1), { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key32, sig.bytes.slice(4), enc.encode(parsed.text));
}

/**
 * Every check for one entry: returns [{check, ok, detail}] and ok overall. `proof` is the API's
 * inclusion answer (leaf, leafHash, hashes, leafIndex, treeSize, checkpoint).
 */
export async function verifyInclusion(proof, verifierKey) {
  const steps = [];
  const add = (check, ok, detail) => { steps.push({ check, ok, detail }); return ok; };
  const computedLeaf = await leafHash(proof.leaf);
  add('Leaf hash = SHA-256(0x00 ‖ canonical JSON)', equal(computedLeaf, b64(proof.leafHash)), hex(computedLeaf));
  const cp = parseCheckpoint(proof.checkpoint);
  add('Checkpoint is for this tree size', cp.size === proof.treeSize, `checkpoint ${cp.size}, proof ${proof.treeSize}`);
  const root = await rootFromInclusion(proof.leafIndex, proof.treeSize, computedLeaf, proof.hashes.map(b64));
  add(`Root recomputed from ${proof.hashes.length} proof hashes equals the checkpoint's`, !!root && equal(root, cp.root),
    root ? `${hex(root)} vs ${hex(cp.root)}` : 'the proof does not fit the tree size');
  let signed = false;
  let detail = '';
  try { signed = await verifyNote(cp, verifierKey); detail = signed ? `Ed25519, key ${verifierKey.trim()}` : 'no valid signature by that key'; } catch (e) { detail = e.message; }
  add('Checkpoint signature verifies (Ed25519)', signed, detail);
  return { ok: steps.every(s => s.ok), steps, origin: cp.origin };
}

// A small, safe syntax highlighter for diff lines: comments, strings, numbers and keywords of the
// languages loops usually change (Python, JS/TS, Java, Go, shell, YAML). Returns DOM nodes, never HTML.
import { h } from './ui.js';

const KEYWORDS = new Set(('and as assert async await break case catch class const continue def del elif else except export extends '
  + 'false final finally for from func function go if import in interface is lambda let new nil none not null or package pass private '
  + 'public raise return self static struct super switch this throw true try type var void while with yield None True False').split(' '));

const TOKEN = /(#.*$|\/\/.*$)|("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;

export function highlight(text, file) {
  const hashComments = !file || /\.(py|sh|ya?ml|toml|rb|r|cfg|conf|ini)$/i.test(file) || !/\.\w+$/.test(file);
  const out = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const [token, comment, string, number, word] = m;
    if (comment && comment.startsWith('#') && !hashComments) continue;
    if (word && !KEYWORDS.has(word)) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    const kind = comment ? 'c' : string ? 's' : number ? 'n' : 'k';
    out.push(h(`span.tok-${kind}`, {}, token));
    last = m.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

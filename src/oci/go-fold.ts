// Go's case folding for JSON keys: encoding/json matches an object key to a struct field when
// foldName(key) === foldName(field), which is bytes.EqualFold — Unicode simple case folding, rune
// by rune. Pure; the folding table is built once, the first time a key is not ASCII.

/**
 * Go's encoding/json foldName: every rune replaced by the smallest rune of its simple case-folding
 * orbit (unicode.SimpleFold), so foldName(a) === foldName(b) exactly when bytes.EqualFold(a, b).
 * ASCII letters fold to upper case; KELVIN SIGN to "K", LONG S to "S".
 */
export function foldName(name: string): string {
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return name.toUpperCase(); // on ASCII only a–z change
  const table = orbitMinimum();
  let out = '';
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    out += String.fromCodePoint(table.get(cp) ?? cp);
  }
  return out;
}

let orbitTable: Map<number, number> | undefined;

/**
 * For each cased code point, the smallest code point it is equivalent to under Unicode simple case
 * folding. Built once, on the first non-ASCII key: the upper/lower case pairs JavaScript knows,
 * kept only when a /iu regular expression (which canonicalises by simple case folding, as
 * Go's SimpleFold orbits are defined) agrees they are one letter — so "ı" stays apart from "I".
 */
function orbitMinimum(): Map<number, number> {
  if (orbitTable) return orbitTable;
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  };
  // Cased letters live in the BMP and the SMP (Deseret, Osage, Adlam …).
  for (let cp = 0x41; cp < 0x20000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    for (const other of [ch.toLowerCase(), ch.toUpperCase()]) {
      if (other === ch) continue;
      const ocp = other.codePointAt(0)!;
      if (other.length !== (ocp > 0xffff ? 2 : 1)) continue; // a full mapping to several letters is not a simple fold
      if (!new RegExp(`^\\u{${cp.toString(16)}}$`, 'iu').test(other)) continue;
      union(cp, ocp);
    }
  }
  const table = new Map<number, number>();
  for (const cp of parent.keys()) {
    const root = find(cp);
    if (root !== cp) table.set(cp, root);
  }
  orbitTable = table;
  return table;
}

/* global process, console */
// Owns: the layering rule of src/ — imports point down, never up and never in a circle.
// Layers, bottom first: oci and model (types, pure parsers) → bytes, registry, local (I/O that
// produces image views) → verify, base (decisions) → report (renderers) → the run and the entry
// points. A file may import its own layer's files and any layer below; a cycle anywhere fails.
// Run by `npm run lint`; prints every offending import with its file and exits 1.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const RANK = { oci: 0, model: 0, errors: 0, secrets: 0, log: 0, options: 0, bytes: 1, registry: 1, local: 1, verify: 2, base: 2, report: 3 };
const TOP = 4; // run.ts, audit.ts, main.ts, cli.ts, index.ts, inputs.ts

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function rankOf(file) {
  const [first] = relative(root, file).split('/');
  const key = first.replace(/\.ts$/, '');
  return RANK[key] ?? TOP;
}

// Static imports and re-exports only; `import type` counts too: a type that points up is a layer leak.
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;
const graph = new Map();
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const m of text.matchAll(IMPORT)) targets.push(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
  graph.set(file, targets);
}

const problems = [];
for (const [file, targets] of graph) {
  for (const target of targets) {
    if (rankOf(target) > rankOf(file)) problems.push(`${relative(root, file)} imports ${relative(root, target)}: a lower layer must not import a higher one`);
  }
}

// Cycles: depth-first search, reporting each cycle once by its smallest rotation.
const seen = new Set();
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const target of graph.get(file) ?? []) {
    if (!graph.has(target)) continue;
    if (state.get(target) === 'open') {
      const cycle = stack.slice(stack.indexOf(target)).map((f) => relative(root, f));
      const key = [...cycle].sort().join(' ');
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);
      }
    } else if (!state.has(target)) visit(target);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

for (const p of problems) console.error(p);
if (problems.length) {
  console.error(`${problems.length} import problem(s) in ${relative(process.cwd(), root) || '.'}`);
  process.exit(1);
}

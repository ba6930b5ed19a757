import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

// build/test/unit → the repository root.
const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/check-imports.mjs');

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vi-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const check = (dir: string) => spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });

test('the layering check passes on src/ as it is', () => {
  const result = check(join(ROOT, 'src'));
  assert.equal(result.status, 0, result.stderr);
});

test('the layering check fails on an import cycle, naming it', () => {
  const dir = tree({
    'verify/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'verify/b.ts': "import type { A } from './a.js';\nexport const b = 1;\n",
  });
  const result = check(dir);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /import cycle: verify\/(a|b)\.ts → verify\/(b|a)\.ts → verify\/(a|b)\.ts/);
});

test('the layering check fails on an import that points up a layer', () => {
  const dir = tree({
    'model/image.ts': "import type { Check } from '../verify/rules.js';\nexport type X = Check;\n",
    'verify/rules.ts': 'export type Check = 1;\n',
    'registry/client.ts': "export { x } from '../report/summary.js';\n",
    'report/summary.ts': 'export const x = 1;\n',
  });
  const result = check(dir);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /model\/image\.ts imports verify\/rules\.ts: a lower layer must not import a higher one/);
  assert.match(result.stderr, /registry\/client\.ts imports report\/summary\.ts/);
});

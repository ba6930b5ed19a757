// The terminal around the CLI (src/terminal.ts): which width, whether colour, what gets coloured,
// and the progress line that updates in place.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourWanted, paint, ProgressLine, terminalWidth } from '../../src/terminal.js';

test('terminalWidth: the TTY’s columns, else COLUMNS, else 100; never under 40', () => {
  const cases: { tty: { isTTY?: boolean; columns?: number }; env: NodeJS.ProcessEnv; width: number }[] = [
    { tty: { isTTY: true, columns: 132 }, env: { COLUMNS: '80' }, width: 132 },
    { tty: { isTTY: true, columns: 60 }, env: {}, width: 60 },
    { tty: {}, env: { COLUMNS: '80' }, width: 80 },
    { tty: { isTTY: false, columns: 132 }, env: { COLUMNS: '160' }, width: 160 },
    { tty: {}, env: {}, width: 100 },
    { tty: {}, env: { COLUMNS: '' }, width: 100 },
    { tty: {}, env: { COLUMNS: 'wide' }, width: 100 },
    { tty: {}, env: { COLUMNS: '-5' }, width: 100 },
    { tty: {}, env: { COLUMNS: '20' }, width: 40 },
    { tty: { isTTY: true, columns: 0 }, env: { COLUMNS: '90' }, width: 90 },
  ];
  for (const { tty, env, width } of cases) assert.equal(terminalWidth(tty, env), width, JSON.stringify({ tty, env }));
});

test('colourWanted: a TTY colours; --no-color and any non-empty NO_COLOR never; FORCE_COLOR even off a TTY', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  const cases: [{ isTTY?: boolean }, NodeJS.ProcessEnv, boolean, boolean][] = [
    [tty, {}, false, true],
    [pipe, {}, false, false],
    [{}, {}, false, false],
    [tty, {}, true, false],
    [tty, { NO_COLOR: '1' }, false, false],
    [tty, { NO_COLOR: '0' }, false, false],
    [tty, { NO_COLOR: '' }, false, true],
    [pipe, { FORCE_COLOR: '1' }, false, true],
    [pipe, { FORCE_COLOR: 'true' }, false, true],
    [tty, { FORCE_COLOR: '0' }, false, false],
    [tty, { FORCE_COLOR: 'false' }, false, false],
    [pipe, { FORCE_COLOR: '' }, false, false],
    [pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false, false],
    [pipe, { FORCE_COLOR: '1' }, true, false],
    [tty, { TERM: 'dumb' }, false, false],
    [tty, { TERM: 'dumb', FORCE_COLOR: '1' }, false, true],
  ];
  for (const [stream, env, flag, expected] of cases) assert.equal(colourWanted(stream, env, flag), expected, JSON.stringify({ stream, env, flag }));
});

test('paint: the verdict word by outcome, its qualifiers in yellow, marks and statuses; nothing else changes', () => {
  const E = '\u001b[';
  const cases: [string, string][] = [
    ['VERIFIED  r/app:1', `${E}1;32mVERIFIED${E}0m  r/app:1`],
    ['CONSISTENT (registry only)  r/app:1', `${E}1;32mCONSISTENT (registry only)${E}0m  r/app:1`],
    ['MISMATCH  r/app:1  · base drifted', `${E}1;31mMISMATCH${E}0m  r/app:1${E}33m  · base drifted${E}0m`],
    ['COULD NOT VERIFY  r/app:1', `${E}1;33mCOULD NOT VERIFY${E}0m  r/app:1`],
    ['  ✓ diff-ids: every layer matches', `  ${E}32m✓${E}0m diff-ids: every layer matches`],
    ['  2   ✗  sha256:0123', `  2   ${E}31m✗${E}0m  sha256:0123`],
    ['  base      node:22  DRIFTED  (from labels)', `  base      node:22  ${E}33mDRIFTED${E}0m  (from labels)`],
    ['a/b:1  node  UP TO DATE', `a/b:1  node  ${E}32mUP TO DATE${E}0m`],
    ['VERIFIEDX is not a verdict', 'VERIFIEDX is not a verdict'],
    ['echo✓ inside a word', 'echo✓ inside a word'],
  ];
  for (const [line, painted] of cases) assert.equal(paint(line), painted, line);
});

test('ProgressLine: rewrites one line in place, throttled, cut to the width; warnings above it; clear() removes it', async () => {
  const written: string[] = [];
  let now = 1000;
  const line = new ProgressLine({ isTTY: true, columns: 50, write: (t: string) => written.push(t) }, 100, () => now);
  line.update('layer 1/3: downloading');
  assert.deepEqual(written, ['\r\u001b[2Klayer 1/3: downloading']);
  // Within the interval: held back, the newest one wins.
  now += 10;
  line.update('layer 2/3: downloading');
  line.update('layer 3/3: downloading');
  assert.equal(written.length, 1);
  await new Promise((r) => setTimeout(r, 150));
  now += 200;
  assert.deepEqual(written.slice(1), ['\r\u001b[2Klayer 3/3: downloading']);
  line.print('warning: something');
  assert.deepEqual(written.slice(2), ['\r\u001b[2K', 'warning: something\n', '\r\u001b[2Klayer 3/3: downloading']);
  now += 200;
  line.update(`layer 1/3: ${'x'.repeat(100)}`);
  assert.equal(written.at(-1), `\r\u001b[2Klayer 1/3: ${'x'.repeat(37)}…`, 'cut to 49 columns: a full line would wrap');
  line.clear();
  assert.equal(written.at(-1), '\r\u001b[2K');
  const count = written.length;
  line.clear();
  assert.equal(written.length, count, 'nothing to clear twice');
});

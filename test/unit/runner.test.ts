// src/runner.ts speaks the runner's protocol in place of @actions/core (which the action no longer
// loads at start). @actions/core is the reference: for every function we use, the same call on
// both must put the same bytes on stdout, in $GITHUB_OUTPUT (up to the random delimiter) and in
// the job summary, for hostile text too — a value that could end a command's line or its
// output block is where a difference would matter.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as core from '@actions/core';
import * as runner from '../../src/runner.js';

const TEXTS = [
  '',
  'plain',
  'line one\nline two',
  'crlf\r\nand cr\r',
  '%0A already escaped %25 %',
  '::error::injected',
  'name=value, a: b',
  'x\u2028::warning::y ##[error]z',
  'unicode ✓ é 漢字',
  '   padded   ',
];

/** What `fn` writes to stdout, and the exit code it sets (restored afterwards). */
function stdoutOf(fn: () => void): { out: string; exitCode: typeof process.exitCode } {
  const write = process.stdout.write;
  const before = process.exitCode;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  const exitCode = process.exitCode;
  process.exitCode = before;
  return { out, exitCode };
}

const dir = await mkdtemp(join(tmpdir(), 'verify-image-runner-'));
after(() => rm(dir, { recursive: true, force: true }));

describe('the runner protocol, byte for byte as @actions/core', () => {
  for (const name of ['info', 'debug', 'warning', 'error', 'setSecret', 'setFailed'] as const) {
    it(`${name} writes the same line for every text`, () => {
      for (const text of TEXTS) {
        const ours = stdoutOf(() => runner[name](text));
        const theirs = stdoutOf(() => core[name](text));
        assert.deepEqual(ours, theirs, `${name}(${JSON.stringify(text)})`);
      }
    });
  }

  it('setFailed fails the step', () => {
    assert.equal(stdoutOf(() => runner.setFailed('x')).exitCode, 1);
  });

  it('getInput reads the same variable and trims alike', () => {
    const names = ['image', 'local-image', 'fail on', 'Base-Image'];
    try {
      for (const name of names) {
        for (const value of [undefined, '', '  v  ', ' a\nb \n']) {
          const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
          if (value === undefined) delete process.env[variable];
          else process.env[variable] = value;
          assert.equal(runner.getInput(name), core.getInput(name), `${name}=${JSON.stringify(value)}`);
        }
      }
    } finally {
      for (const name of names) delete process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
    }
  });

  it('setOutput appends the same block to GITHUB_OUTPUT (delimiters aside)', async () => {
    const ours = join(dir, 'ours-output');
    const theirs = join(dir, 'theirs-output');
    await writeFile(ours, '');
    await writeFile(theirs, '');
    try {
      for (const [i, text] of TEXTS.entries()) {
        process.env.GITHUB_OUTPUT = ours;
        runner.setOutput(`out-${i}`, text);
        process.env.GITHUB_OUTPUT = theirs;
        core.setOutput(`out-${i}`, text);
      }
    } finally {
      delete process.env.GITHUB_OUTPUT;
    }
    const normalise = (s: string) => s.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER');
    assert.equal(normalise(await readFile(ours, 'utf8')), normalise(await readFile(theirs, 'utf8')));
    // Each block has its own delimiter, as @actions/core's do.
    const delimiters = (await readFile(ours, 'utf8')).match(/<<(ghadelimiter_[0-9a-f-]{36})/g) ?? [];
    assert.equal(new Set(delimiters).size, TEXTS.length);
  });

  it('setOutput without GITHUB_OUTPUT writes the same set-output command', () => {
    delete process.env.GITHUB_OUTPUT;
    for (const text of TEXTS) {
      const name = 'na:me,x';
      assert.deepEqual(
        stdoutOf(() => runner.setOutput(name, text)),
        stdoutOf(() => core.setOutput(name, text)),
        JSON.stringify(text),
      );
    }
  });

  it('appendSummary appends what core.summary.addRaw(…).write() does, and refuses an unset or missing file', async () => {
    const ours = join(dir, 'ours-summary');
    const theirs = join(dir, 'theirs-summary');
    await writeFile(ours, 'before\n');
    await writeFile(theirs, 'before\n');
    try {
      for (const text of TEXTS) {
        process.env.GITHUB_STEP_SUMMARY = ours;
        await runner.appendSummary(`<p>${text}</p>\n`);
        process.env.GITHUB_STEP_SUMMARY = theirs;
        await core.summary.emptyBuffer().addRaw(`<p>${text}</p>\n`).write();
      }
      assert.equal(await readFile(ours, 'utf8'), await readFile(theirs, 'utf8'));
      process.env.GITHUB_STEP_SUMMARY = join(dir, 'missing');
      await assert.rejects(runner.appendSummary('x'), /not readable and writable/);
      delete process.env.GITHUB_STEP_SUMMARY;
      await assert.rejects(runner.appendSummary('x'), /GITHUB_STEP_SUMMARY is not set/);
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
  });
});

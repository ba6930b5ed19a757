/* global process, console, URL */
// Reads Stryker's JSON report (reports/mutation/mutation.json) and prints, per module, the
// mutation score, then every surviving or uncovered mutant that stryker/accepted/*.json
// does not accept, as `file:line:column mutator: original → replacement`.
//
//   node stryker/survivors.mjs [--min PERCENT] [report.json]
//
// Exit code 1 when a surviving mutant is not accepted (each accepted one is reviewed: equivalent
// or cosmetic, never a false pass) or, with --min, when the score of all modules together is
// below PERCENT. `.ci/run` calls it with --min 90 after the incremental mutation run (issue 16).
//
// An accepted mutant is matched by file, mutator, replacement, the text of its source line
// (whitespace collapsed) and the exact code it replaces (`original`), not by line number: edits
// elsewhere in the file move lines, not the reason a mutant is harmless; an edit to the line
// itself makes it a new survivor to review again. Each entry accepts one mutant: a second,
// identical-looking survivor (a mutant killed today that stops being killed) is listed again.

import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { min: { type: 'string' } }, allowPositionals: true });
const reportPath = positionals[0] ?? 'reports/mutation/mutation.json';
const minScore = values.min === undefined ? undefined : Number(values.min);
if (minScore !== undefined && !(minScore >= 0 && minScore <= 100)) {
  console.error(`--min takes a percentage from 0 to 100, got ${values.min}`);
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
// The accepted survivors, one file per area (stryker/accepted/*.json), each entry with its reason.
const acceptedDir = new URL('./accepted/', import.meta.url);
const accepted = readdirSync(acceptedDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(readFileSync(new URL(f, acceptedDir), 'utf8')).mutants);

const KILLED = new Set(['Killed', 'Timeout']);
const LIVE = new Set(['Survived', 'NoCoverage']);
const oneLine = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
const key = (file, mutator, replacement, code, original) => `${file}\0${mutator}\0${oneLine(replacement)}\0${oneLine(code)}\0${oneLine(original)}`;
/** key → how many entries accept it (each accepts one mutant). */
const acceptedKeys = new Map();
for (const a of accepted) {
  const k = key(a.file, a.mutator, a.replacement, a.code, a.original);
  acceptedKeys.set(k, (acceptedKeys.get(k) ?? 0) + 1);
}
const used = new Map();

/** The source text a mutant replaces (Stryker's locations: lines 1-based, columns 1-based). */
function originalOf(lines, { start, end }) {
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const parts = [(lines[start.line - 1] ?? '').slice(start.column - 1)];
  for (let l = start.line + 1; l < end.line; l++) parts.push(lines[l - 1] ?? '');
  parts.push((lines[end.line - 1] ?? '').slice(0, end.column - 1));
  return parts.join('\n');
}

const rows = [];
const open = [];
for (const [file, { source, mutants }] of Object.entries(report.files).sort()) {
  const lines = source.split('\n');
  let killed = 0;
  let valid = 0;
  let equivalent = 0;
  for (const m of mutants) {
    if (KILLED.has(m.status)) {
      killed++;
      valid++;
    } else if (LIVE.has(m.status)) {
      valid++;
      const code = lines[m.location.start.line - 1] ?? '';
      const original = originalOf(lines, m.location);
      const k = key(file, m.mutatorName, m.replacement, code, original);
      if ((used.get(k) ?? 0) < (acceptedKeys.get(k) ?? 0)) {
        equivalent++;
        used.set(k, (used.get(k) ?? 0) + 1);
      } else {
        open.push({
          where: `${file}:${m.location.start.line}:${m.location.start.column}`,
          text: `${m.status} ${m.mutatorName}: ${oneLine(code).slice(0, 120)} → ${oneLine(m.replacement).slice(0, 80)}`,
          entry: { file, line: m.location.start.line, mutator: m.mutatorName, replacement: oneLine(m.replacement), code: oneLine(code), original: oneLine(original) },
        });
      }
    }
  }
  const score = valid ? (100 * killed) / valid : 100;
  const withoutEquivalents = valid - equivalent ? (100 * killed) / (valid - equivalent) : 100;
  rows.push([file, valid, killed, equivalent, score.toFixed(1), withoutEquivalents.toFixed(1)]);
}
console.log('module | mutants | killed | accepted survivors | score % | score % without accepted');
for (const r of rows) console.log(r.join(' | '));
const total = rows.reduce((a, r) => [a[0] + r[1], a[1] + r[2], a[2] + r[3]], [0, 0, 0]);
const totalScore = total[0] ? (100 * total[1]) / total[0] : 100;
const totalWithout = total[0] - total[2] ? (100 * total[1]) / (total[0] - total[2]) : 100;
console.log(`all | ${total[0]} | ${total[1]} | ${total[2]} | ${totalScore.toFixed(1)} | ${totalWithout.toFixed(1)}`);

const stale = [...acceptedKeys].reduce((n, [k, count]) => n + count - (used.get(k) ?? 0), 0);
if (stale) console.log(`\n${stale} accepted entr${stale === 1 ? 'y matches' : 'ies match'} no surviving mutant now (killed, or the line changed): prune with care.`);

if (open.length) {
  console.log(`\n${open.length} surviving mutant(s) not in stryker/accepted/*.json (kill each with a test, or review and accept it there):`);
  for (const o of open) console.log(`${o.where} ${o.text}`);
  if (process.env.SURVIVORS_JSON) console.log(JSON.stringify(open.map((o) => o.entry), null, 1));
  process.exitCode = 1;
}
if (minScore !== undefined && totalScore < minScore) {
  console.log(`\nmutation score ${totalScore.toFixed(1)} % is below the required ${minScore} %`);
  process.exitCode = 1;
} else if (minScore !== undefined) {
  console.log(`\nmutation score ${totalScore.toFixed(1)} % ≥ ${minScore} %`);
}

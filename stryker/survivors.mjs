/* global process, console, URL */
// Reads Stryker's JSON report (reports/mutation/mutation.json) and prints, per module, the
// mutation score, then every surviving or uncovered mutant that stryker/equivalent-mutants.json
// does not accept, as `file:line:column mutator: original → replacement`.
// Exit code 1 when there is such a mutant, so a CI step can fail on it later (issue 16).
//
//   node stryker/survivors.mjs [report.json]

import { readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const accepted = JSON.parse(readFileSync(new URL('./equivalent-mutants.json', import.meta.url), 'utf8')).mutants;

const KILLED = new Set(['Killed', 'Timeout']);
const LIVE = new Set(['Survived', 'NoCoverage']);
const key = (file, m) => `${file}:${m.location.start.line}:${m.mutatorName}:${m.replacement ?? ''}`;
const acceptedKeys = new Map(accepted.map((a) => [`${a.file}:${a.line}:${a.mutator}:${a.replacement}`, a]));

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
      if (acceptedKeys.has(key(file, m))) equivalent++;
      else open.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${lines[m.location.start.line - 1]?.trim().slice(0, 100)} → ${String(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}`);
    }
  }
  const score = valid ? (100 * killed) / valid : 100;
  const withoutEquivalents = valid - equivalent ? (100 * killed) / (valid - equivalent) : 100;
  rows.push([file, valid, killed, score.toFixed(1), withoutEquivalents.toFixed(1)]);
}
console.log('module | mutants | killed | score % | score % without accepted equivalents');
for (const r of rows) console.log(r.join(' | '));
const total = rows.reduce((a, r) => [a[0] + r[1], a[1] + r[2]], [0, 0]);
console.log(`all | ${total[0]} | ${total[1]} | ${((100 * total[1]) / total[0]).toFixed(1)} |`);
if (open.length) {
  console.log(`\n${open.length} surviving mutant(s) not in stryker/equivalent-mutants.json:`);
  for (const line of open) console.log(line);
  process.exitCode = 1;
}

// Small formatting rules shared by every renderer, so the summary, the CLI and the logs agree.

import { mapStrings, neutralise } from '../log.js';

export function humanSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/**
 * Turns a history `created_by` into the instruction a person wrote: the classic builder records
 * `/bin/sh -c #(nop)  COPY …`, BuildKit `RUN /bin/sh -c … # buildkit`, build args as `|2 A=1 B=2 …`.
 */
export function instructionOf(createdBy: string | undefined): string {
  if (!createdBy) return '';
  if (SQUASHED.test(createdBy)) return createdBy;
  let s = createdBy.trim().replace(/\s+# buildkit$/, '');
  // BuildKit prefixes RUN; the classic builder does not. Both record build args as `|N A=1 B=2`
  // and the shell-form wrapper, which the person never wrote.
  const buildkitRun = s.startsWith('RUN ');
  if (buildkitRun) s = s.slice('RUN '.length);
  s = s.replace(/^\|\d+\s+(?:\S+=\S*\s+)*/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(s);
  if (nop) s = s.slice(nop[0].length);
  else if (s.startsWith('/bin/sh -c ')) s = `RUN ${s.slice('/bin/sh -c '.length)}`;
  else if (buildkitRun) s = `RUN ${s}`;
  // COPY/ADD record content hashes (`file:<64 hex>`); the first 12 are enough to tell them apart.
  s = s.replace(/\b(file|dir|multi):([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1:$2');
  s = s.replace(/\s+/g, ' ').trim();
  // The classic builder records an exec-form RUN as the bare command.
  if (s && !INSTRUCTION.test(s)) s = `RUN ${s}`;
  return s;
}

/** The instruction cell of a layer that folds several build steps together (history.ts decides when). */
export function squashedLabel(steps: number): string {
  return `squashed (${steps} build step${steps === 1 ? '' : 's'})`;
}

const SQUASHED = /^squashed \(\d+ build steps?\)$/;

const INSTRUCTION = /^(FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)\b/;

export function shorten(text: string, max = 72): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Outside text as the text of an HTML element or attribute in the job summary (GitHub markdown
 * around HTML): one line (neutralise(): no line break can end the HTML block and let the rest
 * render as markdown), and every character that HTML or markdown could read as markup — `& < > "`
 * (attributes are double-quoted) and the markdown metacharacters `` ` | * _ [ ] \ ~ `` — as an
 * entity, which renders as itself. A value can neither close a cell or table nor become a link,
 * code span or emphasis.
 */
export function escapeHtml(text: string): string {
  return neutralise(text).replace(/[&<>"`|*_[\]\\~]/g, (c) => NAMED_ENTITIES[c] ?? `&#${c.charCodeAt(0)};`);
}

const NAMED_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** A copy of a report whose every string is one inert line (neutralise()), for the text renderers. */
export function plainCopy<T>(report: T): T {
  return mapStrings(report, neutralise);
}

/** "1 layer", "2 layers". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

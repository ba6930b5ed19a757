// Small formatting rules shared by every renderer, so the summary, the CLI and the logs agree.

import { mapStrings, neutralise } from '../log.js';

export { humanSize, seconds } from '../model/units.js';
export { instructionOf, squashedLabel } from '../model/history.js';

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

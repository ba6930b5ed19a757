// The terminal around the CLI: the width its text is laid out at, whether it is coloured, the
// colours of a laid-out report, and the one progress line that updates in place on a TTY. Off a
// TTY (a pipe, a file, GitHub's log) nothing here adds an escape sequence: the width is COLUMNS
// or 100, there is no colour unless FORCE_COLOR asks for it, and progress stays one line per event.

import { truncate } from './report/layout.js';

/** What the CLI knows of an output stream (process.stdout, process.stderr). */
export interface TerminalStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Below this, tables and wrapped prose stop making sense: narrower terminals get 40-column lines. */
export const MIN_WIDTH = 40;
/** Off a TTY without COLUMNS: wide enough for a full digest after its label, narrow enough for a log pane. */
export const DEFAULT_WIDTH = 100;

/** The width to lay text out at: the terminal's on a TTY, else COLUMNS when set, else 100; never under 40. */
export function terminalWidth(stream: Pick<TerminalStream, 'isTTY' | 'columns'>, env: NodeJS.ProcessEnv): number {
  const fromEnv = /^\d+$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : 0;
  const width = stream.isTTY && stream.columns ? stream.columns : fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
  return Math.max(MIN_WIDTH, width);
}

/**
 * Whether to colour a stream: never with --no-color or a non-empty NO_COLOR (no-color.org); with
 * FORCE_COLOR set to anything but 0 or false, even off a TTY; else only on a TTY whose TERM is
 * not dumb.
 */
export function colourWanted(stream: Pick<TerminalStream, 'isTTY'>, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
  if (noColorFlag || env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const RESET = '\u001b[0m';
const style = (codes: string) => (text: string) => `\u001b[${codes}m${text}${RESET}`;
export const green = style('32');
export const red = style('31');
export const yellow = style('33');
const boldGreen = style('1;32');
const boldRed = style('1;31');
const boldYellow = style('1;33');

const VERDICT = /^(VERIFIED|CONSISTENT \(registry only\)|MISMATCH|COULD NOT VERIFY)(?= {2}|$)/;
const VERDICT_COLOUR: Record<string, (t: string) => string> = {
  VERIFIED: boldGreen,
  'CONSISTENT (registry only)': boldGreen,
  MISMATCH: boldRed,
  'COULD NOT VERIFY': boldYellow,
};
/** Words of our own that carry a result: marks standing alone, base and deep statuses. */
const MARKS: [RegExp, (t: string) => string][] = [
  [/(?<=^|\s)✓(?=\s|$)/g, green],
  [/(?<=^|\s)✗(?=\s|$)/g, red],
  [/(?<=\s)(UP TO DATE)(?=\s|$)/g, green],
  [/(?<=\s)(DRIFTED|UNKNOWN)(?=\s|$)/g, yellow],
  [/(?<=\s)(NOT BUILT ON IT|ERROR|FAILED)(?=[\s:]|$)/g, red],
];

/**
 * A laid-out report (the text renderer's, already inert and scrubbed) in colour: the verdict word
 * in bold green, red or yellow, its qualifiers in yellow, pass and fail marks and statuses in
 * theirs. Only colour escapes are added, so the layout's widths still hold.
 */
export function paint(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const verdict = VERDICT.exec(line);
      if (verdict) {
        const word = verdict[1] as string;
        const rest = line.slice(word.length).replace(/ {2}· .*$/, (q) => yellow(q));
        return `${(VERDICT_COLOUR[word] as (t: string) => string)(word)}${rest}`;
      }
      return MARKS.reduce((painted, [pattern, colour]) => painted.replace(pattern, (m) => colour(m)), line);
    })
    .join('\n');
}

/**
 * One progress line on a TTY, rewritten in place (carriage return, clear line) with the latest
 * event, at most every `intervalMs`, cut to the terminal's width so it never wraps. Whole lines
 * (warnings) are printed above it; clear() removes it before the report is printed.
 */
export class ProgressLine {
  private pending: string | undefined;
  private shown = false;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: TerminalStream,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** The newest event; drawn now, or when the interval since the last drawing has passed. */
  update(line: string): void {
    this.pending = line;
    const wait = this.lastDraw + this.intervalMs - this.now();
    if (wait <= 0) this.draw();
    else this.timer ??= setTimeout(() => this.draw(), wait).unref();
  }

  /** A whole line above the progress line, which is drawn again under it. */
  print(line: string): void {
    this.erase();
    this.stream.write(`${line}\n`);
    if (this.pending !== undefined) this.draw();
  }

  /** Removes the progress line and forgets it. */
  clear(): void {
    this.pending = undefined;
    this.erase();
  }

  private draw(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === undefined) return;
    // One column short of the width: a line that fills it would wrap on some terminals.
    const width = Math.max(MIN_WIDTH, this.stream.columns ?? DEFAULT_WIDTH) - 1;
    this.stream.write(`\r\u001b[2K${truncate(this.pending, width)}`);
    this.shown = true;
    this.lastDraw = this.now();
  }

  private erase(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }
}

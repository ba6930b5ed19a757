// Fitting the CLI's text to a terminal: how many columns a string takes (wide characters such as
// CJK and emoji take two, combining marks none, colour escapes none), truncation with an
// ellipsis, word wrapping of prose, and tables whose least important columns give way first so
// that no line is wider than the terminal. Pure: the width comes from the caller (src/cli.ts);
// full values stay in --json.

/** A colour escape (SGR) we add ourselves after layout; it takes no columns. */
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/y;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;
const EMOJI = /\p{Emoji_Presentation}/u;

/** Columns one code point takes: 0 for combining and format characters, 2 for wide ones, else 1. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (ZERO_WIDTH.test(char)) return 0;
  if (EMOJI.test(char) || isWide(code)) return 2;
  return 1;
}

/** East Asian Wide and Fullwidth blocks (Hangul, CJK, kana, fullwidth forms, CJK extensions). */
function isWide(code: number): boolean {
  return (
    code >= 0x1100 &&
    (code <= 0x115f ||
      code === 0x2329 ||
      code === 0x232a ||
      (code >= 0x2e80 && code <= 0x3247 && code !== 0x303f) ||
      (code >= 0x3250 && code <= 0x4dbf) ||
      (code >= 0x4e00 && code <= 0xa4c6) ||
      (code >= 0xa960 && code <= 0xa97c) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe10 && code <= 0xfe19) ||
      (code >= 0xfe30 && code <= 0xfe6b) ||
      (code >= 0xff01 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1b000 && code <= 0x1b001) ||
      (code >= 0x1f200 && code <= 0x1f251) ||
      (code >= 0x20000 && code <= 0x3fffd))
  );
}

/** The text as pieces: colour escapes (width 0) and single code points. */
function* pieces(text: string): Generator<{ text: string; width: number; escape: boolean }> {
  for (let i = 0; i < text.length; ) {
    SGR.lastIndex = i;
    const escape = SGR.exec(text);
    if (escape) {
      yield { text: escape[0], width: 0, escape: true };
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
    yield { text: char, width: charWidth(char), escape: false };
    i += char.length;
  }
}

/** How many terminal columns the text takes. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const piece of pieces(text)) width += piece.width;
  return width;
}

/** The text cut to at most `width` columns, ending in `…` when cut; colour escapes kept (and reset when cut). */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  let coloured = false;
  for (const piece of pieces(text)) {
    if (piece.escape) {
      out += piece.text;
      coloured = true;
      continue;
    }
    if (used + piece.width > width - 1) break;
    out += piece.text;
    used += piece.width;
  }
  return `${out}…${coloured ? '\u001b[0m' : ''}`;
}

/** The text cut from the start to at most `width` columns, beginning with `…` when cut (the end of a reference is its tag). */
export function truncateStart(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  const chars = [...text];
  let used = 1;
  let start = chars.length;
  while (start > 0 && used + charWidth(chars[start - 1] as string) <= width) used += charWidth(chars[--start] as string);
  return `…${chars.slice(start).join('')}`;
}

/** The text padded with spaces to `width` columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * One line wrapped at word boundaries to `width` columns. Continuation lines are indented
 * `hanging` columns (default: two more than the line's own indentation); a word too long for a
 * line of its own is cut with `…`. A line that fits is returned as is.
 */
export function wrapLine(line: string, width: number, hangingColumns?: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const indent = /^ */.exec(line)?.[0] ?? '';
  const hanging = ' '.repeat(Math.min(hangingColumns ?? indent.length + 2, Math.floor(width / 2)));
  // Words with the spaces before them, so that a line that keeps two words keeps their spacing.
  const words = [...line.slice(indent.length).matchAll(/( *)(\S+)/g)].map((m) => ({ gap: m[1] ?? '', word: m[2] ?? '' }));
  const lines: string[] = [];
  let current = indent;
  let empty = true;
  for (const { gap, word } of words) {
    const candidate = empty ? current + word : current + gap + word;
    if (displayWidth(candidate) <= width) {
      current = candidate;
      empty = false;
      continue;
    }
    if (!empty) lines.push(current);
    const start = lines.length === 0 ? indent : hanging;
    current = start + truncate(word, width - start.length);
    empty = false;
  }
  if (!empty) lines.push(current);
  return lines;
}

/** Every line of a text wrapped to `width` (see wrapLine). */
export function wrapText(lines: readonly string[], width: number): string[] {
  return lines.flatMap((line) => wrapLine(line, width));
}

export interface TableColumn {
  title: string;
  /**
   * When the table is too wide, columns give way in this order (1 first): one with `drop` is left
   * out whole (a stub of a digest or a count says nothing), any other is cut down to `min`. A
   * column without it keeps its width.
   */
  giveWay?: number;
  /** The fewest columns a column that gives way keeps (default: its title's width, at least 3). */
  min?: number;
  drop?: boolean;
}

/**
 * A table as lines no wider than `width`: each column as wide as its widest cell, columns
 * separated by `gap` spaces after `indent`; when that is too wide, columns give way in their
 * `giveWay` order, cut with `…` or left out; should the table still not fit, each line is cut.
 * The last column is not padded.
 */
export function fitTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], width: number, indent = 2, gap = 1): string[] {
  const widths = columns.map((c, i) => Math.max(displayWidth(c.title), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const shown = columns.map(() => true);
  const total = () => indent + widths.reduce((sum, w, i) => sum + (shown[i] ? w + gap : 0), 0) - gap;
  const order = columns
    .map((c, i) => ({ i, rank: c.giveWay }))
    .filter((c): c is { i: number; rank: number } => c.rank !== undefined)
    .sort((a, b) => a.rank - b.rank || a.i - b.i);
  for (const { i } of order) {
    const excess = total() - width;
    if (excess <= 0) break;
    const column = columns[i] as TableColumn;
    if (column.drop) {
      shown[i] = false;
      continue;
    }
    const min = column.min ?? Math.max(3, displayWidth(column.title));
    widths[i] = Math.max(Math.min(min, widths[i] ?? 0), (widths[i] ?? 0) - excess);
  }
  const visible = columns.map((_, i) => i).filter((i) => shown[i]);
  const last = visible.at(-1);
  const line = (cells: readonly string[]) =>
    truncate(
      `${' '.repeat(indent)}${visible
        .map((i) => {
          const text = truncate(cells[i] ?? '', widths[i] ?? 0);
          return i === last ? text : padEnd(text, widths[i] ?? 0);
        })
        .join(' '.repeat(gap))}`.trimEnd(),
      width,
    );
  return [line(columns.map((c) => c.title)), ...rows.map(line)];
}

// The engine logs through this interface so that only entry points know about @actions/core.
// It also owns how text from outside (a registry, a Dockerfile, a token server) is made safe to
// print: GitHub's runner reads every line a step writes and runs it as a workflow command when
// its trimmed start is `::` (`::add-mask::`, `::stop-commands::`, `::error::`), and it runs the
// old `##[command]` form found anywhere in a line (actions/runner ActionCommand.TryParseV2 and
// TryParse). The runner compares with .NET's culture-sensitive StartsWith/IndexOf, which skip
// "ignorable" characters (soft hyphen, zero-width space, bidi marks), so those go too. Every
// Logger implementation prints each message through logLine().

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Register a value that must be masked in every log line from now on. */
  secret(value: string): void;
}

/** A logger that drops everything; handy for unit tests. */
export const silentLogger: Logger = {
  info() {},
  warning() {},
  debug() {},
  secret() {},
};

// Line breaks as any reader may see them: C0's LF/VT/FF/CR, NEL (U+0085), and Unicode's line
// and paragraph separators (U+2028/2029), which browsers and editors break on.
const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;
// Invisible code points a comparison may skip (zero-width, soft hyphen, bidi overrides, BOM…).
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
// Every other control character: C0 (ESC starts terminal escape sequences), DEL and C1.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** A `#` that would start `##[`; a space breaks the old command form. */
const OLD_COMMAND = /#(?=#\[)/g;
/** What a printed line may start with: our own words, never a space, `:` or `#`. */
const SAFE_START = /^[A-Za-z0-9[(]/;
/** Put in front of a line that would otherwise start with outside text. */
export const LINE_PREFIX = '> ';

/**
 * Outside text made into one inert line: line breaks and tabs become spaces, invisible
 * (default-ignorable) characters are removed, other control characters become '?', and `##[`
 * is broken up. It may still start with anything: see logLine().
 */
export function neutralise(text: string): string {
  return text
    .replace(LINE_BREAK, ' ')
    .replace(/\t/g, ' ')
    .replace(IGNORABLE, '')
    .replace(CONTROL, '?')
    .replace(OLD_COMMAND, '# ');
}

/**
 * One message as a log line that cannot be a workflow command: neutralise()d, and when it does
 * not begin with a letter, digit, `[` or `(` (so could begin with `::` after trimming), prefixed
 * with LINE_PREFIX.
 */
export function logLine(message: string): string {
  const line = neutralise(message);
  return SAFE_START.test(line) ? line : `${LINE_PREFIX}${line}`;
}

/**
 * A multi-line text we composed (the CLI's report), made inert line by line: each line is
 * neutralise()d, and one whose first non-space character is `:` gets LINE_PREFIX after its
 * indentation. Values inside should already be neutralise()d, so they cannot add lines.
 */
export function inertLines(text: string): string {
  return text
    .split('\n')
    .map((raw) => {
      const line = neutralise(raw);
      const body = line.trimStart();
      return body.startsWith(':') ? `${line.slice(0, line.length - body.length)}${LINE_PREFIX}${body}` : line;
    })
    .join('\n');
}

/** A copy of JSON-like data (a report) with `f` applied to every string, keys included. */
export function mapStrings<T>(value: T, f: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return f(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [f(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * A JSON text that means exactly the same but holds no line a runner would act on: JSON.stringify
 * already escapes control characters; this also escapes U+2028/2029 and the `#` of `##[` inside
 * strings (`\u0023`), so a value cannot carry an old-form command. Lines of pretty JSON never
 * start with `::`.
 */
export function inertJson(json: string): string {
  return json
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/#(?=#\[)/g, '\\u0023');
}

// Owns: reading a Dockerfile far enough to know the final stage's base image. Pure: text in,
// stages out. It follows what the Dockerfile frontend does for the parts that decide a FROM —
// parser directives (escape), line continuations, comment lines (also inside continuations),
// heredocs (whose bodies are not instructions), `FROM [--platform=…] image [AS name]`, and the
// global `ARG`s declared before the first FROM with `${VAR}`-style substitution — and ignores
// every other instruction.

import { VerifyImageError, type OptionWords } from '../errors.js';

export interface FromInstruction {
  /** 1-based line on which the instruction starts. */
  line: number;
  /** The image word as written, before substitution: `node:${NODE}-alpine`, `build`, `scratch`. */
  image: string;
  /** The `AS` alias, lowercased as the frontend compares it. */
  name?: string;
  /** The `--platform=` flag as written, before substitution. */
  platform?: string;
}

export interface ArgDeclaration {
  name: string;
  /** The default as written (quotes and variables unprocessed); undefined for `ARG NAME`. */
  default?: string;
  line: number;
}

export interface ParsedDockerfile {
  escape: string;
  /** ARGs declared before the first FROM: the only ones a FROM can use. */
  globalArgs: ArgDeclaration[];
  stages: FromInstruction[];
}

export interface FinalBase {
  /** The image the final stage is built on after following stage aliases; undefined for `FROM scratch`. */
  image?: string;
  /** The FROM that names `image` (or scratch). */
  from: FromInstruction;
  /** The stages walked from the final one to the one whose FROM names an image, e.g. ['runtime', 'build']. */
  stages: string[];
  /** The `--platform` flag of that FROM, substituted. */
  platform?: string;
}

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEREDOC = /<<(-?)\s*(["']?)([A-Za-z0-9_][A-Za-z0-9_.-]*)\2/g;
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Parser directives: `# key=value` lines at the very top, before any blank line or instruction.
  for (; i < lines.length; i++) {
    const directive = /^\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(lines[i] ?? '');
    if (!directive) break;
    if (directive[1]?.toLowerCase() === 'escape') {
      if (directive[2] !== '\\' && directive[2] !== '`') {
        throw new VerifyImageError('input', `the Dockerfile's escape directive "${directive[2]}" is invalid: the escape character must be \\ or \``);
      }
      escape = directive[2];
    }
  }

  const globalArgs: ArgDeclaration[] = [];
  const stages: FromInstruction[] = [];
  const continuation = new RegExp(`${escapeRegExp(escape)}[ \\t]*$`);
  while (i < lines.length) {
    const first = lines[i] ?? '';
    const start = i + 1;
    i++;
    if (isBlank(first) || isComment(first)) continue;
    // Join continued lines; comment and blank lines inside a continuation are dropped.
    let logical = first;
    while (continuation.test(logical) && i < lines.length) {
      logical = logical.replace(continuation, '');
      const next = lines[i] ?? '';
      i++;
      if (isComment(next) || isBlank(next)) {
        // A blank or comment line does not end the instruction; keep the continuation going.
        logical += escape;
        continue;
      }
      logical += next;
    }
    logical = logical.replace(continuation, '');

    const match = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(logical);
    if (!match) continue;
    const instruction = (match[1] ?? '').toUpperCase();
    const rest = (match[2] ?? '').trim();

    if (HEREDOC_INSTRUCTIONS.has(instruction)) {
      // Heredoc bodies follow the instruction line; skip them so a body line reading `FROM x` is not one.
      for (const doc of rest.matchAll(HEREDOC)) {
        const strip = doc[1] === '-';
        const word = doc[3] ?? '';
        while (i < lines.length) {
          const body = lines[i] ?? '';
          i++;
          if ((strip ? body.replace(/^\t+/, '') : body) === word) break;
        }
      }
      continue;
    }
    if (instruction === 'ARG' && stages.length === 0) {
      for (const word of splitWords(rest, escape)) {
        const eq = word.indexOf('=');
        const name = eq === -1 ? word : word.slice(0, eq);
        if (!ARG_NAME.test(name)) {
          throw new VerifyImageError('input', `the Dockerfile's ARG on line ${start} declares "${name}", which is not a valid name: fix the Dockerfile`);
        }
        globalArgs.push(eq === -1 ? { name, line: start } : { name, default: word.slice(eq + 1), line: start });
      }
      continue;
    }
    if (instruction === 'FROM') stages.push(parseFrom(rest, start, escape));
  }
  return { escape, globalArgs, stages };
}

function parseFrom(rest: string, line: number, escape: string): FromInstruction {
  const words = splitWords(rest, escape);
  let platform: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() ?? '';
    const eq = flag.indexOf('=');
    const name = eq === -1 ? flag.slice(2) : flag.slice(2, eq);
    if (name.toLowerCase() === 'platform') {
      if (eq === -1) throw new VerifyImageError('input', `the Dockerfile's FROM on line ${line} has --platform without a value: write --platform=os/arch`);
      platform = flag.slice(eq + 1);
    }
  }
  const image = words[0];
  if (!image) throw new VerifyImageError('input', `the Dockerfile's FROM on line ${line} names no image: write FROM image[:tag] [AS name]`);
  const from: FromInstruction = { line, image };
  if (platform !== undefined) from.platform = platform;
  if (words.length === 3 && words[1]?.toLowerCase() === 'as') {
    const name = (words[2] ?? '').toLowerCase();
    if (!STAGE_NAME.test(name)) {
      throw new VerifyImageError('input', `the Dockerfile's FROM on line ${line} names its stage "${words[2]}", which is not a valid stage name: use letters, digits, "-", "_" and "."`);
    }
    from.name = name;
  } else if (words.length !== 1) {
    throw new VerifyImageError('input', `the Dockerfile's FROM on line ${line} is malformed ("FROM ${rest}"): write FROM [--platform=…] image [AS name]`);
  }
  return from;
}

/**
 * The base of the final stage: substitutes the global ARGs (defaults, overridden by `buildArgs`;
 * `automaticArgs` such as TARGETARCH sit between the two, as BuildKit provides them) and follows
 * `FROM <stage>` to the stage it names until a FROM names an image or scratch.
 */
export function finalBase(
  dockerfile: ParsedDockerfile,
  buildArgs: Readonly<Record<string, string>> = {},
  automaticArgs: Readonly<Record<string, string>> = {},
): FinalBase {
  if (dockerfile.stages.length === 0) {
    throw new VerifyImageError('input', (w) => `the Dockerfile has no FROM instruction: point ${w.phrase('dockerfile')} at the Dockerfile the image was built from`);
  }
  const args = globalArgValues(dockerfile, buildArgs, automaticArgs);
  const substitute = (word: string, what: string, line: number): string =>
    expand(word, (name) => args.get(name), dockerfile.escape, `${what} on line ${line}`);

  const walked: string[] = [];
  let index = dockerfile.stages.length - 1;
  for (;;) {
    const from = dockerfile.stages[index] as FromInstruction;
    walked.push(from.name ?? `stage ${index}`);
    const image = substitute(from.image, 'the FROM', from.line).trim();
    if (!image) {
      const names = [...from.image.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
      throw new VerifyImageError(
        'input',
        (w) => `the Dockerfile's FROM on line ${from.line} ("${from.image}") expands to an empty image name: give ${names.join(', ') || 'its ARG'} a default or ${setArg(w, names[0] ?? 'NAME')}`,
      );
    }
    const lower = image.toLowerCase();
    // Only earlier stages can be named; a later stage of that name is not a reference.
    const previous = dockerfile.stages.slice(0, index).findLastIndex((s) => s.name === lower);
    if (previous !== -1) {
      index = previous;
      continue;
    }
    const result: FinalBase = { from, stages: walked };
    if (from.platform !== undefined) result.platform = substitute(from.platform, 'the --platform flag', from.line);
    if (lower !== 'scratch') result.image = image;
    return result;
  }
}

/** Values of the global ARGs in declaration order; a default may use ARGs declared before it. */
function globalArgValues(
  dockerfile: ParsedDockerfile,
  buildArgs: Readonly<Record<string, string>>,
  automaticArgs: Readonly<Record<string, string>>,
): Map<string, string> {
  const values = new Map<string, string>();
  // BuildKit's platform ARGs are usable in FROM without being declared.
  for (const [name, value] of Object.entries(automaticArgs)) values.set(name, value);
  for (const arg of dockerfile.globalArgs) {
    if (Object.hasOwn(buildArgs, arg.name)) values.set(arg.name, buildArgs[arg.name] as string);
    else if (Object.hasOwn(automaticArgs, arg.name)) values.set(arg.name, automaticArgs[arg.name] as string);
    else if (arg.default !== undefined) {
      values.set(arg.name, expand(arg.default, (name) => values.get(name), dockerfile.escape, `the ARG on line ${arg.line}`));
    } else values.delete(arg.name);
  }
  return values;
}

/**
 * Shell-style word processing as the frontend does it for FROM and ARG: quotes are removed
 * (nothing expands inside single quotes), the escape character makes the next character
 * literal, and `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`,
 * `${VAR:?message}` and `${VAR?message}` are substituted. An unset variable expands to ''.
 */
export function expand(word: string, lookup: (name: string) => string | undefined, escape = '\\', where = 'a Dockerfile word'): string {
  let out = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < word.length; i++) {
    const c = word[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
      continue;
    }
    if (c === escape && i + 1 < word.length) {
      out += word[++i];
      continue;
    }
    if (c === '"' || (c === "'" && quote === undefined)) {
      quote = quote === c ? undefined : (c as '"' | "'");
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    const simple = /^[A-Za-z_][A-Za-z0-9_]*/.exec(word.slice(i + 1));
    if (simple) {
      out += lookup(simple[0]) ?? '';
      i += simple[0].length;
      continue;
    }
    if (word[i + 1] !== '{') {
      out += c;
      continue;
    }
    const close = matchingBrace(word, i + 1);
    if (close === -1) throw new VerifyImageError('input', `${where} has an unclosed "\${" in "${word}": fix the Dockerfile`);
    out += substitution(word.slice(i + 2, close), lookup, escape, where);
    i = close;
  }
  return out;
}

function substitution(body: string, lookup: (name: string) => string | undefined, escape: string, where: string): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+?])([\s\S]*))?$/.exec(body);
  if (!m) throw new VerifyImageError('input', `${where} uses "\${${body}}", which is not a substitution the Dockerfile frontend understands: use \${NAME}, \${NAME:-default} or \${NAME:+alternative}`);
  const [, name = '', colon, operator, operand = ''] = m;
  const value = lookup(name);
  if (!operator) return value ?? '';
  // With a colon an empty value counts as unset, as in the shell.
  const set = colon ? value !== undefined && value !== '' : value !== undefined;
  switch (operator) {
    case '-':
      return set ? (value as string) : expand(operand, lookup, escape, where);
    case '+':
      return set ? expand(operand, lookup, escape, where) : '';
    default:
      if (set) return value as string;
      throw new VerifyImageError('input', (w) => `${where} requires ${name}: ${expand(operand, lookup, escape, where) || 'it is not set'} (${setArg(w, name)})`);
  }
}

function matchingBrace(word: string, open: number): number {
  let depth = 0;
  for (let i = open; i < word.length; i++) {
    if (word[i] === '{') depth++;
    else if (word[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits on unquoted whitespace, keeping quotes and escapes for expand() to process. */
function splitWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      current += c;
      if (c === escape && quote === '"' && i + 1 < text.length) current += text[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    current += c;
    if (c === escape && i + 1 < text.length) current += text[++i];
    else if (c === '"' || c === "'") quote = c;
  }
  if (inWord) words.push(current);
  return words;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function isComment(line: string): boolean {
  return /^\s*#/.test(line);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How the reader sets a build argument: `set it in build-args` (the action), `--build-arg NAME=…` (the CLI). */
function setArg(words: OptionWords, name: string): string {
  return words.cli ? `pass ${words.name('build-args')} ${name}=…` : `set it in ${words.name('build-args')}`;
}

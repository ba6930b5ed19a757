// One error type for everything a user can act on. Its message is a single line that says what
// went wrong and what to do; entry points print it as is, never a stack trace. A message that
// names an option (`the platform input`) is written once, as a function of how the entry point
// names options: the action by its inputs, the CLI by its flags (`--platform`), so one validation
// speaks to both.

export type ErrorCode =
  | 'input' // bad input value: fix the workflow
  | 'reference' // malformed image reference
  | 'unreachable' // registry or daemon cannot be reached
  | 'auth' // 401/403, bad or missing credentials
  | 'not-found' // tag, manifest, blob or local image missing
  | 'unsupported' // schema1, unknown media type, unsupported platform
  | 'protocol' // registry answered something that breaks the spec (bad JSON, bad redirect, oversized body)
  | 'integrity' // served content disagrees with its digest, size or media type: never retried into a pass
  | 'local'; // local image source problems (daemon, archive)

/** The options a user sets, by the action's input names; `credentials` is username and password together. */
export type OptionKey =
  | 'image'
  | 'local-image'
  | 'digest'
  | 'platform'
  | 'username'
  | 'password'
  | 'credentials'
  | 'base-image'
  | 'dockerfile'
  | 'build-args'
  | 'fail-on'
  | 'registry-timeout'
  | 'deep-concurrency';

/** How an entry point names options to its users. */
export interface OptionWords {
  /** The option as a name before a value: `fail-on "x"`, `--fail-on "x"`. */
  name(option: OptionKey): string;
  /** The option in a sentence: `set the platform input to …`, `set --platform to …`. */
  phrase(option: OptionKey): string;
  /** The option given a value: `local-image: none`, `--local none`. */
  setting(option: OptionKey, value: string): string;
  /** Whether the reader types flags (the CLI) rather than workflow inputs. */
  readonly cli: boolean;
}

/** The action's words: its inputs, as action.yml names them. */
export const ACTION_WORDS: OptionWords = {
  name: (option) => (option === 'credentials' ? 'username and password' : option),
  phrase: (option) => (option === 'credentials' ? 'the username and password inputs' : `the ${option} input`),
  setting: (option, value) => `${option}: ${value}`,
  cli: false,
};

/** A message, or a message that names options in the words of whoever prints it. */
export type ErrorMessage = string | ((words: OptionWords) => string);

export class VerifyImageError extends Error {
  readonly code: ErrorCode;
  private readonly worded: ((words: OptionWords) => string) | undefined;
  constructor(code: ErrorCode, message: ErrorMessage) {
    super(oneLine(typeof message === 'string' ? message : message(ACTION_WORDS)));
    this.name = 'VerifyImageError';
    this.code = code;
    this.worded = typeof message === 'string' ? undefined : message;
  }

  /** The message with each option named in `words` (the action's are in `message`). */
  messageFor(words: OptionWords): string {
    return this.worded ? oneLine(this.worded(words)) : this.message;
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The one line an entry point prints for any thrown value, naming options in its words. */
export function describeError(err: unknown, words: OptionWords = ACTION_WORDS): string {
  if (err instanceof VerifyImageError) return err.messageFor(words);
  if (err instanceof Error) return oneLine(`unexpected error: ${err.message} (please report this with the step's log)`);
  return oneLine(`unexpected error: ${String(err)} (please report this with the step's log)`);
}

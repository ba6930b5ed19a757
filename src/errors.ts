// One error type for everything a user can act on. Its message is a single line that says what
// went wrong and what to do; entry points print it as is, never a stack trace.

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

export class VerifyImageError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(oneLine(message));
    this.name = 'VerifyImageError';
    this.code = code;
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The one line an entry point prints for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof VerifyImageError) return err.message;
  if (err instanceof Error) return oneLine(`unexpected error: ${err.message} (please report this with the step's log)`);
  return oneLine(`unexpected error: ${String(err)} (please report this with the step's log)`);
}

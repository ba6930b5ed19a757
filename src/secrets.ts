// Every secret the engine learns (passwords, tokens, `user:password` pairs) is registered with
// the entry point's logger — for the action, core.setSecret, which masks it in the log — and
// remembered here, so that text leaving by any other door (the report, the job summary, the
// outputs, the CLI's output) is scrubbed too, in every form a secret travels in: raw,
// URL-encoded (encodeURIComponent and form encoding), JSON-escaped, HTML-escaped, and base64 —
// standard and URL-safe, padded or not, alone or inside a longer base64 string (a Basic header
// of `user:password`, a JWT), where only the characters that depend on the secret's own bytes
// are known.

import { mapStrings, type Logger } from './log.js';

/** Secrets shorter than this are masked in logs but not scrubbed from text (they would eat ordinary words). */
const MIN_SCRUB_LENGTH = 4;
/** A base64 fragment found at an unknown offset inside longer base64 must be at least this long to be scrubbed. */
const MIN_FRAGMENT_LENGTH = 8;
const MASK = '***';

/** Every form in which `secret` may show up in text, longest first. */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SCRUB_LENGTH) return [];
  const forms = new Set<string>([secret]);
  const add = (form: string, min = MIN_SCRUB_LENGTH) => {
    if (form.length >= min) forms.add(form);
  };
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams([['x', secret]]).toString().slice(2);
  for (const encoded of [uri, form]) {
    add(encoded);
    add(encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  }
  add(JSON.stringify(secret).slice(1, -1));
  add(secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  const bytes = Buffer.from(secret, 'utf8');
  const padded = bytes.toString('base64');
  add(padded);
  add(padded.replace(/=+$/, ''));
  add(bytes.toString('base64url'));
  // Inside a longer base64 text the secret starts at a byte offset of 0, 1 or 2 modulo 3. Encode it
  // behind that many filler bytes and keep only the characters made from the secret's bits alone.
  for (let shift = 0; shift < 3; shift++) {
    const text = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const first = Math.ceil((8 * shift) / 6);
    const end = Math.floor((8 * (shift + bytes.length)) / 6);
    const fragment = text.slice(first, end);
    add(fragment, MIN_FRAGMENT_LENGTH);
    add(fragment.replace(/\+/g, '-').replace(/\//g, '_'), MIN_FRAGMENT_LENGTH);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

export class SecretTracker {
  private readonly secrets = new Set<string>();
  private forms: string[] = [];

  /** Remembers a secret (and so every form of it). */
  add(secret: string): void {
    if (!secret || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.forms = [...new Set([...this.forms, ...secretForms(secret)])].sort((a, b) => b.length - a.length);
  }

  /** A logger that remembers every secret it is given before passing it on. */
  wrap(logger: Logger): Logger {
    return {
      info: (m) => logger.info(m),
      warning: (m) => logger.warning(m),
      debug: (m) => logger.debug(m),
      secret: (s) => {
        this.add(s);
        logger.secret(s);
      },
    };
  }

  /** `text` with every form of every known secret replaced by ***. Longest first, so a secret inside another is not left half-shown. */
  scrub(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(MASK);
    return out;
  }

  /** A copy of plain data (a report) with every string scrubbed, keys included. */
  scrubDeep<T>(value: T): T {
    return mapStrings(value, (s) => this.scrub(s));
  }
}

// Every secret the engine learns (passwords, tokens, the base64 `auth` form) is registered with
// the entry point's logger — for the action, core.setSecret, which masks it in the log — and
// remembered here, so text that leaves by another door (the report's error line, which goes into
// the JSON report and the job summary) is scrubbed too.

import type { Logger } from './log.js';

/** Secrets shorter than this are masked in logs but not scrubbed from text (they would eat ordinary words). */
const MIN_SCRUB_LENGTH = 4;

export class SecretTracker {
  private readonly secrets = new Set<string>();

  /** A logger that remembers every secret it is given before passing it on. */
  wrap(logger: Logger): Logger {
    return {
      info: (m) => logger.info(m),
      warning: (m) => logger.warning(m),
      debug: (m) => logger.debug(m),
      secret: (s) => {
        if (s) this.secrets.add(s);
        logger.secret(s);
      },
    };
  }

  /** `text` with every known secret replaced by ***. Longest first, so a secret inside another is not left half-shown. */
  scrub(text: string): string {
    const known = [...this.secrets].filter((s) => s.length >= MIN_SCRUB_LENGTH).sort((a, b) => b.length - a.length);
    return known.reduce((t, s) => t.split(s).join('***'), text);
  }
}

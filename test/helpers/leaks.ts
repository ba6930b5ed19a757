// Finds a secret in text in any form a careless program might print it, independently of the
// product's own scrubber: raw, percent- or form-decoded, JSON-escaped, and base64 (standard or
// URL-safe, at any offset inside a longer base64 word, so Basic headers and JWTs count).

/** A description of the first leak of any of `secrets` in `text`, or undefined. */
export function findLeak(text: string, secrets: readonly string[]): string | undefined {
  const words = text.split(/[\s"'<>(),;]+/).filter(Boolean);
  for (const secret of secrets) {
    if (text.includes(secret)) return `raw ${secret}`;
    if (text.includes(JSON.stringify(secret).slice(1, -1))) return `JSON-escaped ${secret}`;
    for (const word of words) {
      for (const decoded of percentDecodings(word)) if (decoded.includes(secret)) return `URL-encoded ${secret} in ${word}`;
      for (const decoded of base64Decodings(word)) if (decoded.includes(Buffer.from(secret))) return `base64 of ${secret} in ${word}`;
    }
  }
  return undefined;
}

function percentDecodings(word: string): string[] {
  const out: string[] = [];
  for (const candidate of [word, word.replace(/\+/g, ' ')]) {
    // Decode each %XX run on its own, so one stray '%' does not hide the rest.
    out.push(candidate.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    }));
  }
  return out;
}

function base64Decodings(word: string): Buffer[] {
  const out: Buffer[] = [];
  for (const run of word.match(/[A-Za-z0-9+/_-]{6,}/g) ?? []) {
    const standard = run.replace(/-/g, '+').replace(/_/g, '/');
    for (let offset = 0; offset < 4; offset++) out.push(Buffer.from(standard.slice(offset), 'base64'));
  }
  return out;
}

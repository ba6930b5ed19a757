// Owns: turning `WWW-Authenticate` header values into challenges (the RFC 9110 §11.6.1 grammar,
// read leniently). Pure and total: registries send odd headers, and a parse failure here must
// never crash the auth flow — the caller decides what to do with whatever could be understood.

export interface Challenge {
  /** Auth scheme, lowercased: 'bearer', 'basic', or anything else a server offers. */
  scheme: 'bearer' | 'basic' | string;
  /** Auth parameters; names lowercased, values unquoted and unescaped. */
  params: Record<string, string>;
}

// RFC 9110 `token` and `token68`. token68 only counts when it is all that follows the scheme
// (up to a comma or the end), otherwise `realm=` would be mistaken for a token68 with padding.
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*(?=[ \t]*(?:,|$))/y;
const SPACES = /[ \t]*/y;
const WHITESPACE = /\s*/y;
const SEPARATORS = /[\s,]*/y;
// Unquoted values are read up to a comma or whitespace rather than as strict tokens, so that
// non-conforming servers sending `realm=https://auth.example/token` still work.
const BARE_VALUE = /[^,\s]*/y;

/**
 * Parse one or more `WWW-Authenticate` values. Accepts the array form some HTTP clients give for
 * repeated headers, and values that hold several challenges (undici joins repeated headers with
 * ", "). Never throws; unparseable input yields the challenges that could be read, possibly none.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined || header === null) return [];
  const values: unknown[] = Array.isArray(header) ? header : [header];
  const challenges: Challenge[] = [];
  for (const value of values) {
    if (typeof value === 'string') challenges.push(...parseValue(value));
  }
  return challenges;
}

function parseValue(text: string): Challenge[] {
  const challenges: Challenge[] = [];
  let pos = 0;

  const eat = (pattern: RegExp): string => {
    pattern.lastIndex = pos;
    const match = pattern.exec(text);
    if (!match) return '';
    pos = pattern.lastIndex;
    return match[0];
  };

  const readQuoted = (): string => {
    let value = '';
    pos++; // opening quote
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '\\' && pos + 1 < text.length) {
        value += text[pos + 1];
        pos += 2;
      } else if (ch === '"') {
        pos++;
        return value;
      } else {
        value += ch;
        pos++;
      }
    }
    return value; // unterminated: keep what there is
  };

  // Reads `name=value` pairs until the end or until a token that is not followed by '=', which
  // can only be the scheme of the next challenge in the same header value.
  const readParams = (): Map<string, string> => {
    const params = new Map<string, string>();
    for (;;) {
      eat(WHITESPACE);
      if (pos >= text.length) return params;
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      const start = pos;
      const name = eat(TOKEN);
      if (!name) {
        // A stray character; step over it (a whole quoted string, so its commas do not split).
        if (text[pos] === '"') readQuoted();
        else pos++;
        continue;
      }
      eat(SPACES);
      if (text[pos] !== '=') {
        pos = start;
        return params;
      }
      pos++;
      eat(SPACES);
      const value = text[pos] === '"' ? readQuoted() : eat(BARE_VALUE);
      const key = name.toLowerCase();
      // RFC 9110 allows each name once per challenge; keep the first rather than let a later
      // duplicate silently change the realm.
      if (!params.has(key)) params.set(key, value);
    }
  };

  while (pos < text.length) {
    eat(SEPARATORS);
    if (pos >= text.length) break;
    const scheme = eat(TOKEN);
    if (!scheme) {
      // Not a scheme: skip the character (a whole quoted string, so its commas do not split).
      if (text[pos] === '"') readQuoted();
      else pos++;
      continue;
    }
    eat(SPACES);
    // A token68 credential (e.g. `Negotiate abc==`) carries no parameters we use; skip it.
    eat(TOKEN68);
    const params = readParams();
    // fromEntries defines own properties, so a `__proto__` parameter cannot touch the prototype.
    challenges.push({ scheme: scheme.toLowerCase(), params: Object.fromEntries(params) });
  }
  return challenges;
}

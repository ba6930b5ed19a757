// One strict JSON decoder for every document Docker and containerd read with Go's encoding/json:
// manifests, indexes, image configs, token responses, in-toto statements, cosign payloads, an OCI layout's
// index.json and a `docker save` manifest.json. JSON.parse and Go disagree on exactly the things
// an attacker needs to show us one image and the runtime another:
// - Go matches an object key to a struct field case-insensitively (Unicode simple folding, so
//   "layerſ" with a long s and "\u212A" KELVIN SIGN count too) and the last key wins; JSON.parse is
//   exact. Two keys that fold together in a struct, or a known field spelled in another case, is
//   refused. Map positions (annotations, labels, volumes) keep Go's exact keys and are not folded.
// - Duplicate keys: Go merges duplicate maps and overwrites fields; refused at any depth.
// - Invalid UTF-8 and lone surrogate escapes: Go reads them as U+FFFD, JS keeps something else;
//   refused. So is a byte-order mark (Go refuses it) and a non-integer where Go wants an integer.
// Pure: bytes in, a plain value or a one-line reason out.

import { VerifyImageError, type ErrorCode } from '../errors.js';
import { foldName } from './go-fold.js';

export { foldName };

export type DocumentKind = 'manifest' | 'config' | 'token response' | 'in-toto statement' | 'docker-save manifest' | 'cosign payload';

/** Where a value sits: the shape of the Go type that reads it. */
type Shape =
  | { t: 'struct'; fields: Record<string, Shape>; folded?: Map<string, string> }
  | { t: 'map'; values: Shape }
  | { t: 'array'; items: Shape }
  | { t: 'int' }
  | { t: 'leaf' }
  /** Not read by any Go struct we know: keys still may not fold together, as they might in some reader. */
  | { t: 'unknown' }
  /** Free-form data read into maps (an in-toto predicate): exact duplicates only. */
  | { t: 'free' };

const leaf: Shape = { t: 'leaf' };
const int: Shape = { t: 'int' };
const strings: Shape = { t: 'array', items: leaf };
const stringMap: Shape = { t: 'map', values: leaf };
const struct = (fields: Record<string, Shape>): Shape => ({ t: 'struct', fields });

/** image-spec specs.Platform, plus the `features` of Docker's manifest list PlatformSpec. */
const platform = struct({ architecture: leaf, os: leaf, 'os.version': leaf, 'os.features': strings, variant: leaf, features: strings });
/** image-spec specs.Descriptor (Docker's distribution.Descriptor is a subset). */
const descriptor = struct({
  mediaType: leaf,
  digest: leaf,
  size: int,
  urls: strings,
  annotations: stringMap,
  data: leaf,
  platform,
  artifactType: leaf,
});
/**
 * Manifest and index share one shape: a document is decoded before we know which it is, and
 * containerd sniffs every document for config, layers, manifests and fsLayers (schema1).
 */
const manifestDocument = struct({
  schemaVersion: int,
  mediaType: leaf,
  artifactType: leaf,
  config: descriptor,
  layers: { t: 'array', items: descriptor },
  manifests: { t: 'array', items: descriptor },
  subject: descriptor,
  annotations: stringMap,
  fsLayers: { t: 'unknown' },
});
/** moby's container.Config: Go field names without tags, matched case-insensitively. */
const containerConfig = struct({
  Hostname: leaf,
  Domainname: leaf,
  User: leaf,
  AttachStdin: leaf,
  AttachStdout: leaf,
  AttachStderr: leaf,
  ExposedPorts: { t: 'map', values: { t: 'unknown' } },
  Tty: leaf,
  OpenStdin: leaf,
  StdinOnce: leaf,
  Env: strings,
  Cmd: strings,
  Healthcheck: struct({ Test: strings, Interval: leaf, Timeout: leaf, StartPeriod: leaf, StartInterval: leaf, Retries: leaf }),
  ArgsEscaped: leaf,
  Image: leaf,
  Volumes: { t: 'map', values: { t: 'unknown' } },
  WorkingDir: leaf,
  Entrypoint: strings,
  NetworkDisabled: leaf,
  MacAddress: leaf,
  OnBuild: strings,
  Labels: stringMap,
  StopSignal: leaf,
  StopTimeout: leaf,
  Shell: strings,
});
/** image-spec specs.Image and moby's image.Image (V1Image + rootfs, history, os.version, os.features). */
const imageConfig = struct({
  id: leaf,
  parent: leaf,
  comment: leaf,
  created: leaf,
  container: leaf,
  container_config: containerConfig,
  docker_version: leaf,
  author: leaf,
  config: containerConfig,
  architecture: leaf,
  variant: leaf,
  os: leaf,
  'os.version': leaf,
  'os.features': strings,
  size: leaf,
  rootfs: struct({ type: leaf, diff_ids: strings }),
  history: { t: 'array', items: struct({ created: leaf, created_by: leaf, author: leaf, comment: leaf, empty_layer: leaf }) },
});
/** The token endpoint's answer as containerd and the Docker CLI read it. */
const tokenResponse = struct({ token: leaf, access_token: leaf, expires_in: int, issued_at: leaf, refresh_token: leaf, scope: leaf });
const inTotoStatement = struct({
  _type: leaf,
  subject: { t: 'array', items: struct({ name: leaf, digest: stringMap }) },
  predicateType: leaf,
  predicate: { t: 'free' },
});
/** cosign's simple-signing payload (sigstore's payload.SimpleContainerImage) as cosign reads it. */
const cosignPayload = struct({
  critical: struct({ identity: struct({ 'docker-reference': leaf }), image: struct({ 'docker-manifest-digest': leaf }), type: leaf }),
  optional: { t: 'free' },
});
/** moby's tarexport manifestItem: untagged Go fields, so "config" is read as Config. */
const dockerSaveManifest: Shape = {
  t: 'array',
  items: struct({ Config: leaf, RepoTags: strings, Layers: strings, Parent: leaf, LayerSources: { t: 'map', values: descriptor } }),
};

const SHAPES: Record<DocumentKind, Shape> = {
  manifest: manifestDocument,
  config: imageConfig,
  'token response': tokenResponse,
  'in-toto statement': inTotoStatement,
  'docker-save manifest': dockerSaveManifest,
  'cosign payload': cosignPayload,
};

/** Legit documents nest a dozen levels; Go stops at 10000, we far earlier, so deep input cannot exhaust the stack. */
const MAX_DEPTH = 512;

/** Why a document was refused; `message` is one line naming the key, without the document's name. */
export class StrictJsonError extends Error {
  constructor(
    message: string,
    /** true when Go and JSON.parse would read the document differently: a possible attack, not just damage. */
    readonly ambiguous: boolean,
  ) {
    super(message);
    this.name = 'StrictJsonError';
  }
}

/**
 * Decodes `bytes` as `kind` and throws a VerifyImageError(code) naming `what` when it is not JSON
 * or when Go would read it differently. Ambiguity from a registry is an integrity error.
 */
export function decodeDocument<T>(bytes: Uint8Array, kind: DocumentKind, what: string, code: ErrorCode): T {
  try {
    return decodeStrict(bytes, kind) as T;
  } catch (err) {
    if (!(err instanceof StrictJsonError)) throw err;
    const action = code === 'local' ? 'export or save it again' : 'do not trust this tag; check who can push to it';
    const errorCode: ErrorCode = err.ambiguous && code !== 'local' ? 'integrity' : code;
    throw new VerifyImageError(errorCode, `${what}: ${err.message}; ${err.ambiguous ? action : 'refusing it'}`);
  }
}

/** The value JSON.parse would give, when Go would read the same; a StrictJsonError otherwise. */
export function decodeStrict(input: Uint8Array, kind: DocumentKind): unknown {
  let text: string;
  try {
    // ignoreBOM keeps a BOM in the text, where the parser refuses it as Go does.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
  } catch {
    throw new StrictJsonError(`ambiguous ${kind}: it is not valid UTF-8, and Go would read the bad bytes as U+FFFD`, true);
  }
  return new Parser(text, kind).document(SHAPES[kind]);
}

const UNKNOWN: Shape = { t: 'unknown' };

class Parser {
  private i = 0;
  /** Keys and indexes from the top to the current value, rendered only into an error. */
  private readonly path: (string | number)[] = [];
  constructor(
    private readonly s: string,
    private readonly kind: DocumentKind,
  ) {}

  document(shape: Shape): unknown {
    this.ws();
    const value = this.value(shape, '');
    this.ws();
    if (this.i < this.s.length) this.fail('data after the JSON value');
    return value;
  }

  private value(shape: Shape, key: string): unknown {
    if (this.path.length > MAX_DEPTH) throw new StrictJsonError(`it nests deeper than ${MAX_DEPTH} levels`, false);
    const c = this.s.charCodeAt(this.i);
    if (c === 0x7b) return this.object(shape);
    if (c === 0x5b) return this.array(shape);
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number(shape, key);
    if (this.s.startsWith('true', this.i)) return this.literal('true', true);
    if (this.s.startsWith('false', this.i)) return this.literal('false', false);
    if (this.s.startsWith('null', this.i)) return this.literal('null', null);
    return this.fail('a value was expected');
  }

  private object(shape: Shape): Record<string, unknown> {
    this.i++; // {
    const result: Record<string, unknown> = {};
    const fields = shape.t === 'struct' ? shape.fields : undefined;
    const foldKeys = shape.t === 'struct' || shape.t === 'unknown';
    // Every key of this object by its folded form (or as written, where Go keeps keys exact).
    const keys = new Map<string, string>();
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return result;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail('a key was expected');
      const key = this.string();
      const known = fields !== undefined && Object.hasOwn(fields, key);
      const form = foldKeys ? foldName(key) : key;
      const first = keys.get(form);
      if (first === key) throw new StrictJsonError(`ambiguous ${this.kind}: ${quote(key)} appears twice${this.where()}: Docker would read the last`, true);
      if (first !== undefined) {
        const reader = fields !== undefined && Object.hasOwn(fields, first) ? 'Docker would read the second' : 'Go would read them as one field';
        throw new StrictJsonError(`ambiguous ${this.kind}: both ${quote(first)} and ${quote(key)}${this.where()}: ${reader}`, true);
      }
      keys.set(form, key);
      let child: Shape;
      if (shape.t === 'struct') {
        child = known ? shape.fields[key]! : UNKNOWN;
        const field = known ? undefined : fieldIndex(shape).get(form);
        if (field !== undefined) {
          throw new StrictJsonError(
            `ambiguous ${this.kind}: ${quote(key)}${this.where()} is not ${quote(field)}: Docker would read it as ${quote(field)}, JSON.parse would not`,
            true,
          );
        }
      } else if (shape.t === 'map') {
        child = shape.values;
      } else if (shape.t === 'free') {
        child = shape;
      } else {
        child = UNKNOWN;
      }
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail('":" was expected');
      this.i++;
      this.ws();
      this.path.push(key);
      const value = this.value(child, key);
      this.path.pop();
      // "__proto__" is data here, as it is for JSON.parse, never the object's prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return result;
      }
      this.fail('"," or "}" was expected');
    }
  }

  private array(shape: Shape): unknown[] {
    this.i++; // [
    const result: unknown[] = [];
    const items: Shape = shape.t === 'array' ? shape.items : shape.t === 'free' ? shape : UNKNOWN;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return result;
    }
    for (;;) {
      this.ws();
      this.path.push(result.length);
      result.push(this.value(items, ''));
      this.path.pop();
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return result;
      }
      this.fail('"," or "]" was expected');
    }
  }

  /** ' in $.manifests[0]' inside the document; nothing at its top level. */
  private where(): string {
    if (this.path.length === 0) return '';
    const rendered = this.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
    const short = rendered.length > 80 ? `${rendered.slice(0, 80)}…` : rendered;
    return ` in $${short.replace(/[^\x20-\x7e]/g, '?')}`;
  }

  private string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= s.length) this.fail('a string is not closed');
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(start, i);
        this.i = i + 1;
        return out;
      }
      if (c < 0x20) {
        this.i = i;
        this.fail('a control character inside a string');
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += s.slice(start, i);
      const e = s.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const unit = this.hex4(i);
          i += 4;
          if (unit >= 0xd800 && unit <= 0xdbff && s.charCodeAt(i) === 0x5c && s.charCodeAt(i + 1) === 0x75) {
            const low = this.hex4(i + 2);
            if (low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(unit, low);
              i += 6;
              break;
            }
          }
          if (unit >= 0xd800 && unit <= 0xdfff) {
            throw new StrictJsonError(
              `ambiguous ${this.kind}: a lone surrogate \\u${unit.toString(16)} in a string${this.where()}: Go would read it as U+FFFD, JSON.parse would not`,
              true,
            );
          }
          out += String.fromCharCode(unit);
          break;
        }
        default:
          this.i = i - 2;
          this.fail('an invalid escape in a string');
      }
      start = i;
    }
  }

  private hex4(at: number): number {
    const digits = this.s.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
      this.i = at;
      this.fail('an invalid \\u escape');
    }
    return parseInt(digits, 16);
  }

  private number(shape: Shape, key: string): number {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.i;
    const found = match.exec(this.s);
    if (!found) return this.fail('an invalid number');
    const lexeme = found[0];
    this.i += lexeme.length;
    const value = Number(lexeme);
    if (!Number.isFinite(value)) throw new StrictJsonError(`a number${this.where()} is out of range`, false);
    if (shape.t === 'int' && !/^-?(?:0|[1-9][0-9]*)$/.test(lexeme)) {
      throw new StrictJsonError(`${quote(key)}${this.where()} is ${lexeme.slice(0, 24)}, not a whole number: Docker would refuse it`, false);
    }
    return value;
  }

  private literal(word: string, value: boolean | null): boolean | null {
    this.i += word.length;
    return value;
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  private fail(reason: string): never {
    const at = this.i >= this.s.length ? 'at the end' : `at character ${this.i + 1}`;
    throw new StrictJsonError(`it is not valid JSON (${reason} ${at})`, false);
  }
}

function fieldIndex(shape: Extract<Shape, { t: 'struct' }>): Map<string, string> {
  if (!shape.folded) shape.folded = new Map(Object.keys(shape.fields).map((name) => [foldName(name), name]));
  return shape.folded;
}

/** A key or value from a document, safe to put in a message: quoted, escaped, short. */
export function quote(value: string, max = 64): string {
  const short = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(short).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// What is inside one layer, read from its uncompressed tar stream as it flows past. Nothing is
// written to disk and file contents are skipped by arithmetic, not copied. The result is a compact
// index of entries (path, kind, size) plus counts; whiteouts follow the OCI image spec's layer
// changeset rules (`.wh.NAME` deletes NAME below, `.wh..wh..opq` makes a directory opaque).
//
// The headers are walked as Go's archive/tar reads them, because that is what Docker and
// containerd unpack: the same checksum and numeric-field rules, PAX (`x`) and GNU long-name
// (`L`, `K`) headers applied to the next entry, global PAX headers (`g`) ignored, no body for
// links, devices, fifos and directories whatever their size field says, a zero block followed by
// a non-zero one refused. Go stops at the end-of-archive marker (two zero blocks); the runtime then
// drains the rest of the stream into the diff_id and never looks at it. So do we: bytes after the
// marker are counted, never parsed, which keeps the cost of a layer linear in its bytes and the
// memory flat however much follows.

import type { LayerCounts } from '../model/deep.js';

/** f file, d directory, l symlink, h hardlink, o other (device, fifo), w whiteout, q opaque dir. */
export type EntryKind = 'f' | 'd' | 'l' | 'h' | 'o' | 'w' | 'q';


/** One layer's entries, columnar to stay small: for a whiteout the path is the deleted path. */
export interface LayerIndex {
  paths: string[];
  kinds: string;
  sizes: number[];
}

export interface LayerContents {
  counts: LayerCounts;
  index: LayerIndex;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

/** `./usr/bin/` → `usr/bin`; the root is ''. */
export function normalizeEntryPath(path: string): string {
  let p = path.replace(/\\/g, '/');
  p = p.replace(/\/{2,}/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '.') return '';
  return p;
}

export function emptyCounts(): LayerCounts {
  return { files: 0, directories: 0, symlinks: 0, hardlinks: 0, others: 0, whiteouts: 0, opaqueDirs: 0, fileBytes: 0 };
}

const BLOCK = 512;
/** Go's archive/tar caps a PAX or GNU long-name body at 1 MiB (maxSpecialFileSize). */
const SPECIAL_CAP = 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

type Phase = 'header' | 'zero' | 'body' | 'special' | 'sparse' | 'end';
type Format = 'v7' | 'ustar' | 'star' | 'gnu';

/** A PAX or GNU long-name body being collected; `skip` is the padding after it. */
interface Special {
  type: string;
  parts: Buffer[];
  need: number;
  skip: number;
}

/**
 * A write-only sink for an uncompressed layer tar. `write` never holds more than a header block
 * (or a PAX/long-name body, at most 1 MiB, as Go allows); `end()` resolves with the contents or
 * rejects when the stream is not a tar Go would unpack.
 */
export class LayerIndexer {
  private readonly counts = emptyCounts();
  private readonly paths: string[] = [];
  private kinds: string[] = [];
  private readonly sizes: number[] = [];
  private problem: string | undefined;
  private phase: Phase = 'header';
  /** A header block split across chunks. */
  private readonly partial = Buffer.alloc(BLOCK);
  private partialFill = 0;
  /** Body bytes (with padding) still to skip. */
  private skip = 0;
  private special: Special | undefined;
  /** PAX records and GNU long name waiting for the entry they describe. */
  private pax: Map<string, string> | undefined;
  private longName: string | undefined;
  /** Body to skip after a GNU sparse header's extension blocks. */
  private sparseBody = 0;
  /** Bytes the header walker consumed: the archive up to and including its end marker. */
  private walked = 0;
  private after = 0;

  /** Bytes handed to the header walker so far; nothing after the end-of-archive marker. */
  get parsedBytes(): number {
    return this.walked;
  }

  /** Feeds uncompressed bytes; synchronous, so there is no backpressure to honour. */
  write(chunk: Buffer): void {
    if (this.problem) return;
    if (this.phase === 'end') {
      this.after += chunk.length;
      return;
    }
    let i = 0;
    while (i < chunk.length && !this.problem) {
      if ((this.phase as Phase) === 'end') {
        this.after += chunk.length - i;
        break;
      }
      if (this.phase === 'body') {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        this.walked += n;
        if (this.skip === 0) this.phase = 'header';
        continue;
      }
      if (this.phase === 'special') {
        i += this.collect(chunk.subarray(i));
        continue;
      }
      // A block phase: take a whole block from the chunk when it holds one, else assemble it.
      let block: Buffer;
      if (this.partialFill === 0 && chunk.length - i >= BLOCK) {
        block = chunk.subarray(i, i + BLOCK);
        i += BLOCK;
        this.walked += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.partialFill, chunk.length - i);
        chunk.copy(this.partial, this.partialFill, i, i + n);
        this.partialFill += n;
        i += n;
        this.walked += n;
        if (this.partialFill < BLOCK) break;
        this.partialFill = 0;
        block = this.partial;
      }
      this.onBlock(block);
    }
  }

  /** Ends the stream; resolves with the contents, or rejects when the archive is not one Go would read. */
  end(): Promise<LayerContents> {
    if (!this.problem) {
      if (this.partialFill > 0 || this.phase === 'body' || this.phase === 'special' || this.phase === 'sparse') {
        this.problem = `the archive ends inside an entry at byte ${this.walked} (truncated tar)`;
      }
    }
    if (this.problem) return Promise.reject(new Error(this.problem));
    if (this.after > 0) this.counts.bytesAfterEnd = this.after;
    return Promise.resolve({ counts: this.counts, index: { paths: this.paths, kinds: this.kinds.join(''), sizes: this.sizes } });
  }

  private fail(message: string): void {
    this.problem ??= `${message} at byte ${this.walked - BLOCK}`;
  }

  private onBlock(block: Buffer): void {
    switch (this.phase) {
      case 'header':
        if (block.equals(ZERO_BLOCK)) this.phase = 'zero';
        else this.onHeader(block);
        return;
      case 'zero':
        // Go: two zero blocks end the archive; a zero block and then anything else is an invalid header.
        if (block.equals(ZERO_BLOCK)) this.phase = 'end';
        else this.fail('a zero block followed by a non-zero block (Go reads this as an invalid header, not as the end of the archive)');
        return;
      case 'sparse':
        // Old GNU sparse extension blocks: 21 entries of 24 bytes, then the "more follow" flag.
        if (block[504] === 0) this.startBody(this.sparseBody);
        return;
    }
  }

  private onHeader(block: Buffer): void {
    const format = headerFormat(block);
    if (!format) return this.fail('invalid tar header (bad checksum or not a tar header)');
    const fields = new Fields();
    let name = cString(block, 0, 100);
    let type = String.fromCharCode(block[156] ?? 0);
    let size = fields.numeric(block, 124, 136);
    fields.numeric(block, 100, 108); // mode
    fields.numeric(block, 108, 116); // uid
    fields.numeric(block, 116, 124); // gid
    fields.numeric(block, 136, 148); // mtime
    let prefix = '';
    if (format !== 'v7') {
      fields.numeric(block, 329, 337); // devmajor
      fields.numeric(block, 337, 345); // devminor
      if (format === 'ustar') prefix = cString(block, 345, 500);
      else if (format === 'star') {
        prefix = cString(block, 345, 476);
        fields.numeric(block, 476, 488);
        fields.numeric(block, 488, 500);
      } else {
        // GNU atime/ctime; Go < 1.8 wrote a USTAR prefix there, which Go still reads as one.
        const times = new Fields();
        if (block[345] !== 0) times.numeric(block, 345, 357);
        if (block[357] !== 0) times.numeric(block, 357, 369);
        if (times.bad) {
          const old = cString(block, 345, 500);
          if (![...old].some((ch) => ch.charCodeAt(0) >= 0x80)) prefix = old;
        }
      }
    }
    if (prefix) name = `${prefix}/${name}`;
    if (fields.bad) return this.fail('invalid tar header (a numeric field is not a number)');

    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size < 0 || size > SPECIAL_CAP) return this.fail(`a ${type} header of ${size} bytes (Go refuses more than 1 MiB)`);
      this.special = { type, parts: [], need: size, skip: padding(size) };
      this.phase = size + padding(size) > 0 ? 'special' : 'header';
      if (this.phase === 'header') this.endSpecial();
      return;
    }

    const pax = this.pax;
    if (pax?.has('path')) name = pax.get('path') as string;
    if (pax?.has('size')) {
      const value = pax.get('size') as string;
      size = /^[0-9]+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(size)) return this.fail(`invalid PAX size "${value.slice(0, 40)}"`);
    }
    // Go: an empty long name (or one that starts with NUL) leaves the entry its own name.
    if (this.longName) name = this.longName;
    this.pax = undefined;
    this.longName = undefined;
    if (type === '\0') type = name.endsWith('/') ? '5' : '0';
    if (!Number.isSafeInteger(size) || size < 0) return this.fail('invalid tar header (negative or oversized size)');

    this.record(name, type, size);
    const body = HEADER_ONLY.has(type) ? 0 : size;
    if (type === 'S') {
      if (format !== 'gnu') return this.fail('a GNU sparse entry in a non-GNU header');
      if (block[482] !== 0) {
        this.sparseBody = body + padding(body);
        this.phase = 'sparse';
        return;
      }
    }
    this.startBody(body + padding(body));
  }

  private startBody(bytes: number): void {
    this.skip = bytes;
    this.phase = bytes > 0 ? 'body' : 'header';
  }

  /** Takes bytes of a PAX or long-name body (and its padding); returns how many it took. */
  private collect(bytes: Buffer): number {
    const special = this.special as Special;
    let taken = 0;
    if (special.need > 0) {
      taken = Math.min(special.need, bytes.length);
      special.parts.push(Buffer.from(bytes.subarray(0, taken)));
      special.need -= taken;
    }
    if (special.need === 0) {
      const pad = Math.min(special.skip, bytes.length - taken);
      special.skip -= pad;
      taken += pad;
    }
    this.walked += taken;
    if (special.need === 0 && special.skip === 0) this.endSpecial();
    return taken;
  }

  private endSpecial(): void {
    const special = this.special as Special;
    this.special = undefined;
    this.phase = 'header';
    const body = Buffer.concat(special.parts);
    switch (special.type) {
      case 'x': {
        const records = parsePax(body);
        if (!records) {
          this.problem ??= `invalid PAX header before byte ${this.walked}`;
          return;
        }
        this.pax = records;
        return;
      }
      case 'g':
        // Go hands a global header to its caller as an entry of its own, which unpackers skip,
        // and forgets what was pending: it describes no entry.
        if (!parsePax(body)) this.problem ??= `invalid PAX global header before byte ${this.walked}`;
        this.pax = undefined;
        this.longName = undefined;
        return;
      case 'L':
        this.longName = cString(body, 0, body.length);
        return;
      case 'K':
        return; // a long link target: not indexed
    }
  }

  private record(rawPath: string, type: string, size: number): void {
    const path = normalizeEntryPath(rawPath);
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const c = this.counts;
    if (base.startsWith(WHITEOUT_PREFIX)) {
      if (base === OPAQUE_MARKER) {
        c.opaqueDirs++;
        this.push(dir, 'q', 0);
      } else if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
        // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not content, not a deletion.
      } else {
        c.whiteouts++;
        this.push(dir ? `${dir}/${base.slice(WHITEOUT_PREFIX.length)}` : base.slice(WHITEOUT_PREFIX.length), 'w', 0);
      }
      return;
    }
    switch (type) {
      case '0':
      case '7':
        c.files++;
        c.fileBytes += size;
        this.push(path, 'f', size);
        break;
      case '5':
      case 'D':
        c.directories++;
        this.push(path, 'd', 0);
        break;
      case '2':
        c.symlinks++;
        this.push(path, 'l', 0);
        break;
      case '1':
        c.hardlinks++;
        this.push(path, 'h', 0);
        break;
      default:
        c.others++;
        this.push(path, 'o', 0);
    }
  }

  private push(path: string, kind: EntryKind, size: number): void {
    this.paths.push(path);
    this.kinds.push(kind);
    this.sizes.push(size);
  }
}

/** Go's isHeaderOnlyType: hard links, symlinks, devices, directories and fifos have no body. */
const HEADER_ONLY: ReadonlySet<string> = new Set(['1', '2', '3', '4', '5', '6']);

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Bytes up to the first NUL, as UTF-8. */
function cString(block: Buffer, from: number, to: number): string {
  const nul = block.indexOf(0, from);
  return block.toString('utf8', from, nul >= 0 && nul < to ? nul : to);
}

/** The header's format as Go's getFormat guesses it, or undefined when the checksum is wrong. */
function headerFormat(block: Buffer): Format | undefined {
  const stored = new Fields().octal(block, 148, 156);
  if (stored === undefined) return undefined;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += c;
    signed += c >= 0x80 ? c - 256 : c;
  }
  if (stored !== unsigned && stored !== signed) return undefined;
  const magic = block.toString('latin1', 257, 263);
  if (magic === 'ustar\0') return block.toString('latin1', 508, 512) === 'tar\0' ? 'star' : 'ustar';
  if (magic === 'ustar ' && block.toString('latin1', 263, 265) === ' \0') return 'gnu';
  return 'v7';
}

/** Go's numeric tar fields: octal text padded with spaces or NULs, or base-256 when the top bit is set. */
class Fields {
  bad = false;

  numeric(block: Buffer, from: number, to: number): number {
    if (((block[from] as number) & 0x80) === 0) return this.octal(block, from, to) ?? 0;
    const negative = ((block[from] as number) & 0x40) !== 0;
    let value = 0n;
    for (let i = from; i < to; i++) {
      let c = (block[i] as number) ^ (negative ? 0xff : 0);
      if (i === from) c &= 0x7f;
      if (value >> 56n > 0n) {
        this.bad = true;
        return 0;
      }
      value = (value << 8n) | BigInt(c);
    }
    if (value >> 63n > 0n) {
      this.bad = true;
      return 0;
    }
    const n = negative ? -Number(value) - 1 : Number(value);
    return Number.isSafeInteger(n) ? n : negative ? -Infinity : Infinity;
  }

  octal(block: Buffer, from: number, to: number): number | undefined {
    let start = from;
    let end = to;
    while (start < end && (block[start] === 0x20 || block[start] === 0)) start++;
    while (end > start && (block[end - 1] === 0x20 || block[end - 1] === 0)) end--;
    const nul = block.indexOf(0, start);
    if (nul >= 0 && nul < end) end = nul;
    if (start === end) return 0;
    const text = block.toString('latin1', start, end);
    if (!/^[0-7]+$/.test(text)) {
      this.bad = true;
      return undefined;
    }
    return parseInt(text, 8);
  }
}

/** PAX records (`LEN key=value\n`) as Go's parsePAX reads them; undefined when one is malformed. */
export function parsePax(body: Buffer): Map<string, string> | undefined {
  const records = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) return undefined;
    const lengthText = body.toString('latin1', at, space);
    if (!/^[0-9]+$/.test(lengthText)) return undefined;
    const length = Number(lengthText);
    if (length < 5 || length > body.length - at || length <= lengthText.length + 1) return undefined;
    const end = at + length;
    if (body[end - 1] !== 0x0a) return undefined;
    const record = body.subarray(space + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) return undefined;
    const key = record.toString('utf8', 0, eq);
    const value = record.toString('utf8', eq + 1);
    if (key.includes('\0')) return undefined;
    if ((key === 'path' || key === 'linkpath' || key === 'uname' || key === 'gname') && value.includes('\0')) return undefined;
    records.set(key, value);
    at = end;
  }
  return records;
}

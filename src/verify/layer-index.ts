// What is inside one layer, read from its uncompressed tar stream as it flows past (tar's
// Parser; nothing is written to disk, file contents are skipped, not kept). The result is a
// compact index of entries (path, kind, size) plus counts; whiteouts follow the OCI image spec's
// layer changeset rules (`.wh.NAME` deletes NAME below, `.wh..wh..opq` makes a directory opaque).

import { Parser, type ReadEntry } from 'tar';

/** f file, d directory, l symlink, h hardlink, o other (device, fifo), w whiteout, q opaque dir. */
export type EntryKind = 'f' | 'd' | 'l' | 'h' | 'o' | 'w' | 'q';

export interface LayerCounts {
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  others: number;
  /** `.wh.NAME` entries: paths this layer deletes from the layers below. */
  whiteouts: number;
  /** `.wh..wh..opq` entries: directories whose lower contents this layer hides. */
  opaqueDirs: number;
  /** Sum of regular file sizes. */
  fileBytes: number;
}

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

/**
 * A write-only sink for an uncompressed layer tar. `write` never buffers more than a tar block;
 * `end()` resolves with the contents or rejects when the stream is not a well-formed tar.
 */
export class LayerIndexer {
  private readonly parser: Parser;
  private readonly counts = emptyCounts();
  private readonly paths: string[] = [];
  private kinds: string[] = [];
  private readonly sizes: number[] = [];
  private problem: string | undefined;
  private sawEof = false;
  private entries = 0;

  constructor() {
    this.parser = new Parser({
      // Every entry is looked at and skipped: the parser then throws bodies away without
      // copying them, and never holds the stream back waiting for a consumer.
      filter: () => false,
      brotli: false,
      zstd: false,
    });
    this.parser.on('ignoredEntry', (entry: ReadEntry) => this.record(entry));
    this.parser.on('eof', () => (this.sawEof = true));
    this.parser.on('warn', (code: string, message: string) => this.warn(code, message));
    this.parser.on('error', (err: Error) => (this.problem ??= err.message));
  }

  /** Feeds uncompressed bytes; the parser is synchronous, so there is no backpressure to honour. */
  write(chunk: Buffer): void {
    if (this.problem) return;
    this.parser.write(chunk);
  }

  /** Ends the stream; resolves once the parser has seen everything. */
  end(): Promise<LayerContents> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        if (this.problem) reject(new Error(this.problem));
        else resolve({ counts: this.counts, index: { paths: this.paths, kinds: this.kinds.join(''), sizes: this.sizes } });
      };
      if (this.problem) return finish();
      this.parser.once('end', finish);
      this.parser.once('error', finish);
      this.parser.end();
    });
  }

  private warn(code: string, message: string): void {
    // A tar of nothing but end-of-archive blocks (Docker's empty layer) is legal; tar calls it unrecognised.
    if (code === 'TAR_BAD_ARCHIVE' && /Unrecognized archive format/.test(message) && this.sawEof && this.entries === 0) return;
    this.problem ??= `${message} (${code})`;
  }

  private record(entry: ReadEntry): void {
    if (entry.meta) return; // an oversized pax header the parser skipped; its entry follows
    this.entries++;
    const path = normalizeEntryPath(entry.path);
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
    switch (entry.type) {
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        const size = entry.size ?? 0;
        c.files++;
        c.fileBytes += size;
        this.push(path, 'f', size);
        break;
      }
      case 'Directory':
      case 'GNUDumpDir':
        c.directories++;
        this.push(path, 'd', 0);
        break;
      case 'SymbolicLink':
        c.symlinks++;
        this.push(path, 'l', 0);
        break;
      case 'Link':
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

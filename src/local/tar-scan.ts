// One streaming pass over a tarball (`docker save`, an OCI archive; plain, gzip or zstd as the
// `tar` package detects): every regular member is hashed as it flows by (and decompressed and
// hashed again when it is compressed), and small JSON members are kept. Nothing is extracted,
// nothing but the JSON is held in memory.
//
// A tar can only be read front to back, and `docker save` writes manifest.json last, after the
// layers it names. Rather than a second pass, we measure every member on the way: when the index
// and manifests are finally read, every blob they name has already been hashed.

import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { SNIFF_BYTES, sniffCompression, type Compression } from '../bytes/compression.js';
import { openDecoder } from '../bytes/decompress.js';
import { VerifyImageError } from '../errors.js';
import { BlobDigester, type BlobDigestResult } from './blob-digest.js';

/** No manifest or config we accept is larger (MANIFEST_CAP is 4 MiB, CONFIG_CAP 8 MiB). */
export const JSON_MEMBER_CAP = 8 * 1024 * 1024;
/** The JSON a tarball may make us hold in total: manifests, configs, attestations, legacy v1 JSON. */
export const JSON_BUDGET = 64 * 1024 * 1024;

export interface ArchiveMember {
  path: string;
  measure: BlobDigestResult;
}

export interface ArchiveScan {
  file: string;
  members: Map<string, ArchiveMember>;
  /** Symbolic and hard links: link path → target path (both archive-relative, normalised). */
  links: Map<string, string>;
  bytes: number;
}

export async function scanArchive(file: string, what: string): Promise<ArchiveScan> {
  let bytes: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new VerifyImageError('local', `${what} ${file} is not a file: give the path of the tarball`);
    bytes = stat.size;
  } catch (err) {
    if (err instanceof VerifyImageError) throw err;
    throw new VerifyImageError('local', `${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): check the path`);
  }
  const compression = outerCompression(file);
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  // A compressed tarball (`docker save | gzip`) is decompressed here, not by the parser, with the
  // layers' decoders (zstd through the command on Node 20): the decoder waits for the parser to
  // drain, so a highly compressible archive costs time, not memory.
  const inflate = openDecoder(compression);
  const scan = await scanTar(raw, inflate, file, what, 'check that it is complete (docker save -o, buildx --output type=oci,dest=…)');
  return { ...scan, bytes };
}

/**
 * The same pass over a tar that arrives as a stream (the Engine API's image export), never written
 * to disk. `label` names it in messages; `bytes` is what flowed through.
 */
export async function scanTarStream(input: Readable, label: string, what: string): Promise<ArchiveScan> {
  // A stream can end cleanly mid-archive (the sender stopped); the tar parser takes a cut at a header
  // boundary for the end. Writers end an archive with two zero blocks: require them.
  let tail = Buffer.alloc(0);
  input.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk.subarray(-END_OF_ARCHIVE)]).subarray(-END_OF_ARCHIVE);
  });
  const scan = await scanTar(input, undefined, label, what, 'the daemon stopped sending it; try again');
  if (scan.bytes % 512 !== 0 || tail.length < END_OF_ARCHIVE || tail.some((byte) => byte !== 0)) {
    throw new VerifyImageError('local', `${what} ${label} ended after ${scan.bytes} bytes, before the end of the archive: the daemon stopped sending it; try again`);
  }
  return scan;
}

/** Two zero 512-byte blocks end a tar archive. */
const END_OF_ARCHIVE = 1024;

async function scanTar(raw: Readable, inflate: NodeJS.ReadWriteStream | undefined, file: string, what: string, advice: string): Promise<ArchiveScan> {
  const members = new Map<string, ArchiveMember>();
  const links = new Map<string, string>();
  let jsonHeld = 0;
  let bytes = 0;
  const pending: Promise<void>[] = [];
  let failure: Error | undefined;

  const onEntry = (entry: ReadEntry) => {
    const path = normalise(entry.path);
    if (entry.type === 'SymbolicLink' && entry.linkpath) {
      links.set(path, normalise(posix.join(posix.dirname(path), entry.linkpath)));
    } else if (entry.type === 'Link' && entry.linkpath) {
      links.set(path, normalise(entry.linkpath));
    }
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
      entry.resume();
      return;
    }
    const digester = new BlobDigester({ keepJsonUpTo: Math.min(JSON_MEMBER_CAP, JSON_BUDGET - jsonHeld) });
    pending.push(
      new Promise<void>((resolve) => {
        digester.once('finish', () => {
          const measure = digester.measure;
          if (measure.json) jsonHeld += measure.json.length;
          members.set(path, { path, measure });
          resolve();
        });
        digester.once('error', (error: Error) => {
          failure ??= error;
          resolve();
        });
      }),
    );
    entry.pipe(digester);
  };

  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ strict: true, onReadEntry: onEntry });
    raw.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    const input = inflate ? raw.pipe(inflate) : raw;
    const fail = (error: unknown) => {
      raw.destroy();
      reject(new VerifyImageError('local', `${what} ${file} is not a readable tar archive (${error instanceof Error ? error.message : String(error)}): ${advice}`));
    };
    parser.on('error', fail);
    parser.on('abort', fail);
    raw.on('error', fail);
    inflate?.on('error', fail);
    parser.on('end', () => resolve());
    input.pipe(parser as unknown as NodeJS.WritableStream);
  });
  await Promise.all(pending);
  if (failure) throw new VerifyImageError('local', `${what} ${file} could not be read (${failure.message})`);
  if (members.size === 0) throw new VerifyImageError('local', `${what} ${file} holds no files: it is not an image archive`);
  return { file, members, links, bytes };
}

/** The member at `path`, following links (a `docker save` links identical layers to one copy). */
export function memberAt(scan: ArchiveScan, path: string): ArchiveMember | undefined {
  let current = normalise(path);
  for (let hops = 0; hops < 16; hops++) {
    const member = scan.members.get(current);
    if (member) return member;
    const target = scan.links.get(current);
    if (!target) return undefined;
    current = target;
  }
  return undefined;
}

function outerCompression(file: string): Compression {
  const head = Buffer.alloc(SNIFF_BYTES);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, SNIFF_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  return sniffCompression(head.subarray(0, read));
}

function normalise(path: string): string {
  const p = posix.normalize(path.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

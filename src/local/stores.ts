// The two places a layout's blobs can live: a directory, read file by file and streamed, or a
// tarball already measured in one pass (tar-scan.ts), whose members are looked up by path.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VerifyImageError } from '../errors.js';
import { digestOf } from '../oci/digest.js';
import { isImageManifest, isIndex, type Descriptor } from '../oci/types.js';
import { BlobDigester, measureOnly } from './blob-digest.js';
import { blobPath, type BlobStore } from './layout.js';
import type { BlobMeasure } from './source.js';
import { memberAt, type ArchiveScan } from './tar-scan.js';

const ROOT_FILE_CAP = 8 * 1024 * 1024;

export class DirectoryStore implements BlobStore {
  constructor(
    readonly dir: string,
    readonly what: string,
  ) {}

  async rootFile(name: string): Promise<Buffer | undefined> {
    try {
      return await readSmall(join(this.dir, name), ROOT_FILE_CAP, `${this.what}: ${name}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await stat(join(this.dir, blobPath(digest, this.what))).catch(() => undefined))?.isFile() ?? false;
  }

  async jsonBlob(descriptor: Descriptor, cap: number): Promise<Buffer> {
    const path = blobPath(descriptor.digest, this.what);
    let bytes: Buffer;
    try {
      bytes = await readSmall(join(this.dir, path), cap, `${this.what}: ${path}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(this.what, descriptor, path);
      throw err;
    }
    return checked(bytes, descriptor, path, this.what);
  }

  async measureBlob(descriptor: Descriptor): Promise<BlobMeasure> {
    const path = blobPath(descriptor.digest, this.what);
    const digester = new BlobDigester();
    try {
      await pipeline(createReadStream(join(this.dir, path), { highWaterMark: 1024 * 1024 }), digester);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(this.what, descriptor, path);
      throw new VerifyImageError('local', `${this.what}: ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    return measureOnly(digester.measure);
  }
}

export class ArchiveStore implements BlobStore {
  constructor(
    readonly scan: ArchiveScan,
    readonly what: string,
  ) {}

  async rootFile(name: string): Promise<Buffer | undefined> {
    const member = memberAt(this.scan, name);
    if (!member) return undefined;
    if (!member.measure.json) throw notJson(this.what, name);
    return member.measure.json;
  }

  async hasBlob(digest: string): Promise<boolean> {
    return memberAt(this.scan, blobPath(digest, this.what)) !== undefined;
  }

  async jsonBlob(descriptor: Descriptor, cap: number): Promise<Buffer> {
    const path = blobPath(descriptor.digest, this.what);
    const member = memberAt(this.scan, path);
    if (!member) throw missing(this.what, descriptor, path);
    if (member.measure.digest !== descriptor.digest) throw altered(this.what, path, member.measure.digest, descriptor.digest, descriptor.mediaType);
    const json = member.measure.json;
    if (!json || json.length > cap) throw notJson(this.what, path);
    return checked(json, descriptor, path, this.what);
  }

  async measureBlob(descriptor: Descriptor): Promise<BlobMeasure> {
    const path = blobPath(descriptor.digest, this.what);
    const member = memberAt(this.scan, path);
    if (!member) throw missing(this.what, descriptor, path);
    return measureOnly(member.measure);
  }
}

async function readSmall(path: string, cap: number, what: string): Promise<Buffer> {
  const info = await stat(path);
  if (info.size > cap) throw new VerifyImageError('local', `${what} is ${info.size} bytes, more than the ${cap} a manifest or config may be`);
  // Read through a handle so a file that grows between stat and read is still capped.
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(info.size, cap));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function checked(bytes: Buffer, descriptor: Descriptor, path: string, what: string): Buffer {
  const actual = digestOf(bytes, descriptor.digest);
  if (actual !== descriptor.digest) throw altered(what, path, actual, descriptor.digest, descriptor.mediaType);
  if (typeof descriptor.size === 'number' && descriptor.size !== bytes.length) {
    throw new VerifyImageError('local', `${what}: ${path} is ${bytes.length} bytes but its descriptor says ${descriptor.size}: the layout is damaged`);
  }
  return bytes;
}

function missing(what: string, descriptor: Descriptor, path: string): VerifyImageError {
  return new VerifyImageError('local', `${what} lacks ${path} (${descriptor.mediaType}), which its index or manifest names: the layout is incomplete; export it again`);
}

function altered(what: string, path: string, actual: string, expected: string, mediaType?: string): VerifyImageError {
  return new VerifyImageError('local', `${what}: ${kindOf(mediaType)}${path} hashes to ${actual}, not ${expected}: the blob was altered or damaged; export the image again`);
}

function kindOf(mediaType: string | undefined): string {
  if (!mediaType) return '';
  if (isIndex(mediaType)) return 'index ';
  if (isImageManifest(mediaType)) return 'manifest ';
  return /config/.test(mediaType) ? 'config ' : '';
}

function notJson(what: string, path: string): VerifyImageError {
  return new VerifyImageError('local', `${what}: ${path} is not a JSON document of at most a few MiB, as a manifest, index or config must be`);
}

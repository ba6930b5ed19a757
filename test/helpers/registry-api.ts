// Talking to a test registry through the distribution API directly, the way a tool that crafts
// images (or an attacker with push access) would: upload blobs, put manifests, read them back.
// Also a tiny in-memory tar writer for hand-made layers.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Monolithic blob upload: POST to start, PUT with the digest. Returns the descriptor fields. */
export async function uploadBlob(host: string, repo: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const started = await start.text();
  assert.equal(start.status, 202, `start upload: ${start.status} ${started}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
    body: bytes,
  });
  const answer = await put.text();
  assert.equal(put.status, 201, `PUT blob: ${put.status} ${answer}`);
  return { digest, size: bytes.length };
}

/** Puts a manifest under `reference`; resolves with the registry's status and the manifest's digest. */
export async function putManifest(host: string, repo: string, reference: string, body: object, mediaType: string): Promise<{ status: number; digest: string; text: string }> {
  const bytes = JSON.stringify(body);
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: bytes,
  });
  return { status: res.status, digest: sha256(bytes), text: await res.text() };
}

/** Puts a manifest and requires the registry to accept it; returns the digest of the bytes sent. */
export async function pushManifest(host: string, repo: string, reference: string, body: object, mediaType: string): Promise<string> {
  const put = await putManifest(host, repo, reference, body, mediaType);
  assert.equal(put.status, 201, `PUT manifest ${repo}:${reference}: ${put.status} ${put.text}`);
  return put.digest;
}

/** A manifest or index as served: its exact bytes, their digest and the media type it was served as. */
export interface ServedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  size: number;
}

export async function getServedManifest(host: string, repo: string, reference: string): Promise<ServedManifest> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    headers: {
      accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  assert.equal(res.status, 200, `GET manifest ${repo}:${reference}: ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { bytes, digest: sha256(bytes), mediaType: (res.headers.get('content-type') ?? '').split(';')[0] ?? '', size: bytes.length };
}

export interface PushedManifest {
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
}

export async function getManifest(host: string, repo: string, reference: string): Promise<PushedManifest> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  assert.equal(res.status, 200, `GET manifest ${repo}:${reference}: ${res.status}`);
  return (await res.json()) as PushedManifest;
}

export async function getBlob(host: string, repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 200, `GET blob ${digest}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Where the filesystem driver keeps a blob's bytes under a registry's storage directory. */
export function blobDataPath(storageDir: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

export interface TarEntry {
  path: string;
  /** Regular file content; omit for directories and symlinks. */
  content?: string | Buffer;
  type?: 'file' | 'dir' | 'symlink';
  linkpath?: string;
}

/** A ustar archive of `entries`, ending with the two zero blocks. Paths must be under 100 bytes. */
export function makeTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    const h = Buffer.alloc(512);
    h.write(e.path, 0, 100, 'utf8');
    h.write(type === 'dir' ? '0000755\0' : '0000644\0', 100, 'ascii');
    h.write('0000000\0', 108, 'ascii');
    h.write('0000000\0', 116, 'ascii');
    h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    h.write('00000000000\0', 136, 'ascii');
    h.write('        ', 148, 'ascii');
    h.write(type === 'dir' ? '5' : type === 'symlink' ? '2' : '0', 156, 'ascii');
    if (e.linkpath) h.write(e.linkpath, 157, 100, 'utf8');
    h.write('ustar\u000000', 257, 'binary');
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

// Building image content by hand for tests: layer tars, configs, manifests, OCI image layouts,
// both `docker save` layouts, and pushing a layout to a registry through the distribution API
// byte for byte (so digests are exactly the layout's), as buildx or skopeo would.

import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create as createTar } from 'tar';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

export interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** `bytes` as one zstd frame, by the zstd command (Node 20's node:zlib has no zstd). */
export const zstdSync = (bytes: Buffer): Buffer => execFileSync('zstd', ['-c', '-q'], { input: bytes });

/** An uncompressed tar holding `files` (path → content), portable (no uid/mtime noise). */
export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-tar-'));
  try {
    const root = join(dir, 'root');
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    const file = join(dir, 'out.tar');
    await createTar({ file, cwd: root, portable: true, mtime: new Date(0) }, Object.keys(files).sort());
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A tarball of a directory tree given as path → content (a symlink is `{ link: target }`). */
export async function archiveOf(file: string, members: Record<string, string | Buffer | { link: string }>, opts: { gzip?: boolean } = {}): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-archive-'));
  try {
    const { symlink } = await import('node:fs/promises');
    for (const [path, content] of Object.entries(members)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      if (typeof content === 'object' && !Buffer.isBuffer(content)) await symlink(content.link, join(dir, path));
      else await writeFile(join(dir, path), content);
    }
    await createTar({ file, cwd: dir, portable: true, gzip: opts.gzip ?? false }, Object.keys(members));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface BuiltImage {
  config: Buffer;
  configDigest: string;
  /** Uncompressed layer tars, bottom first. */
  layers: Buffer[];
  diffIds: string[];
}

/** A tiny image: one layer per entry of `layerFiles`, with a config for `architecture`. */
export async function buildTestImage(layerFiles: Record<string, string>[], architecture = 'amd64', extra: Record<string, unknown> = {}): Promise<BuiltImage> {
  const layers: Buffer[] = [];
  for (const files of layerFiles) layers.push(await tarOf(files));
  const diffIds = layers.map((l) => sha256(l));
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      config: { Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layerFiles.map((_, i) => ({ created_by: `COPY layer${i + 1} /` })),
      ...extra,
    }),
  );
  return { config, configDigest: sha256(config), layers, diffIds };
}

/** Writes blobs into an OCI layout directory and returns their descriptors. */
export class LayoutWriter {
  constructor(readonly dir: string) {}

  async blob(bytes: Buffer | string, mediaType: string): Promise<Desc> {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    const digest = sha256(buffer);
    const path = join(this.dir, 'blobs', 'sha256', digest.slice(7));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, buffer);
    return { mediaType, digest, size: buffer.length };
  }

  /** Config, layers (gzip-compressed unless `compress` is false or 'zstd') and manifest of one image. */
  async image(image: BuiltImage, opts: { compress?: boolean | 'zstd' } = {}): Promise<{ manifest: Desc; layers: Desc[]; config: Desc }> {
    const compress = opts.compress ?? true;
    const config = await this.blob(image.config, OCI_CONFIG);
    const layers: Desc[] = [];
    for (const layer of image.layers) {
      if (compress === 'zstd') layers.push(await this.blob(zstdSync(layer), OCI_LAYER_ZSTD));
      else layers.push(await this.blob(compress ? gzipSync(layer) : layer, compress ? OCI_LAYER_GZIP : OCI_LAYER));
    }
    const manifest = await this.blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers }), OCI_MANIFEST);
    return { manifest, layers, config };
  }

  /** A BuildKit-style attestation manifest for `subject`: one in-toto statement about it of `predicateType`. */
  async attestation(subject: Desc, predicateType: string): Promise<Desc> {
    const config = await this.blob('{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}', OCI_CONFIG);
    const statement = {
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [{ name: '_', digest: { sha256: subject.digest.replace(/^sha256:/, '') } }],
      predicateType,
      predicate: {},
    };
    const layer = await this.blob(JSON.stringify(statement), 'application/vnd.in-toto+json');
    const manifest = await this.blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [{ ...layer, annotations: { 'in-toto.io/predicate-type': predicateType } }] }), OCI_MANIFEST);
    return {
      ...manifest,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': subject.digest },
    };
  }

  async index(manifests: Desc[]): Promise<Desc> {
    return this.blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }), OCI_INDEX);
  }

  /** index.json and oci-layout; `entries` are the top-level descriptors (with their ref names). */
  async finish(entries: Desc[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, 'oci-layout'), '{"imageLayoutVersion": "1.0.0"}');
    await writeFile(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }));
  }

  async read(digest: string): Promise<Buffer> {
    return readFile(join(this.dir, 'blobs', 'sha256', digest.slice(7)));
  }
}

export function named(descriptor: Desc, tag: string, extra: Record<string, string> = {}): Desc {
  return { ...descriptor, annotations: { ...descriptor.annotations, 'org.opencontainers.image.ref.name': tag, ...extra } };
}

export function withPlatform(descriptor: Desc, architecture: string, os = 'linux'): Desc {
  return { ...descriptor, platform: { os, architecture } };
}

/**
 * Pushes what `top` names in a layout directory to `host/repo` through the registry API: blobs
 * first, then manifests by digest, then `top` under `tag`. Bytes are sent as stored.
 */
export async function pushLayout(host: string, repo: string, dir: string, top: Desc, tag: string): Promise<void> {
  const writer = new LayoutWriter(dir);
  const pushed = new Set<string>();
  const pushBlob = async (d: Desc) => {
    if (pushed.has(d.digest)) return;
    const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    await start.arrayBuffer();
    if (start.status !== 202) throw new Error(`start upload: HTTP ${start.status}`);
    const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
    location.searchParams.set('digest', d.digest);
    const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: await writer.read(d.digest) });
    const text = await put.text();
    if (put.status !== 201) throw new Error(`PUT blob ${d.digest}: HTTP ${put.status} ${text}`);
    pushed.add(d.digest);
  };
  const pushManifest = async (d: Desc, reference: string) => {
    const bytes = await writer.read(d.digest);
    const body = JSON.parse(bytes.toString('utf8')) as { manifests?: Desc[]; config?: Desc; layers?: Desc[] };
    if (body.manifests) for (const child of body.manifests) await pushManifest(child, child.digest);
    if (body.config) await pushBlob(body.config);
    for (const layer of body.layers ?? []) await pushBlob(layer);
    const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': d.mediaType }, body: bytes });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`PUT manifest ${reference}: HTTP ${res.status} ${text}`);
  };
  await pushManifest(top, tag);
}

/** A legacy `docker save` (Docker < 25): manifest.json, <id>.json, <dir>/layer.tar. */
export function legacySaveMembers(image: BuiltImage, repoTags: string[]): Record<string, string | Buffer | { link: string }> {
  const members: Record<string, string | Buffer | { link: string }> = {};
  const layerPaths = image.layers.map((layer, i) => {
    const dir = sha256(`${i}:${image.diffIds[i]}`).slice(7);
    members[`${dir}/VERSION`] = '1.0';
    members[`${dir}/json`] = JSON.stringify({ id: dir });
    members[`${dir}/layer.tar`] = layer;
    return `${dir}/layer.tar`;
  });
  const configName = `${image.configDigest.slice(7)}.json`;
  members[configName] = image.config;
  members['manifest.json'] = JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerPaths }]);
  members['repositories'] = '{}';
  return members;
}

/** A Docker 25+ `docker save`: an OCI layout (uncompressed layers) plus manifest.json. */
export function ociSaveMembers(image: BuiltImage, repoTag: string): { members: Record<string, string | Buffer>; manifestDigest: string } {
  const members: Record<string, string | Buffer> = {};
  const blob = (bytes: Buffer | string, mediaType: string): Desc => {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    const digest = sha256(buffer);
    members[`blobs/sha256/${digest.slice(7)}`] = buffer;
    return { mediaType, digest, size: buffer.length };
  };
  const layers = image.layers.map((l) => blob(l, OCI_LAYER));
  const config = blob(image.config, OCI_CONFIG);
  const manifest = blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers }), OCI_MANIFEST);
  const [name, tag] = [repoTag.slice(0, repoTag.lastIndexOf(':')), repoTag.slice(repoTag.lastIndexOf(':') + 1)];
  members['index.json'] = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ ...manifest, annotations: { 'io.containerd.image.name': `docker.io/library/${name}:${tag}`, 'org.opencontainers.image.ref.name': tag } }],
  });
  members['manifest.json'] = JSON.stringify([{ Config: `blobs/sha256/${config.digest.slice(7)}`, RepoTags: [repoTag], Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]);
  members['oci-layout'] = '{"imageLayoutVersion": "1.0.0"}';
  members['repositories'] = '{}';
  return { members, manifestDigest: manifest.digest };
}

/** Runs Debian's skopeo (1.9) and resolves with its stdout. */
export function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`skopeo ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

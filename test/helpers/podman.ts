// podman and buildah as their users run them: rootful, `--network=none` builds (no bridge here),
// `podman push --tls-verify=false` to the plain-http test registry, `podman save` archives,
// `buildah manifest` lists, and podman's Docker-compatible API socket (started by
// scripts/ensure-services.sh) for the action's DOCKER_HOST.

import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContext } from './buildx.js';

/** podman's Docker-compatible API, as scripts/ensure-services.sh serves it. */
export const PODMAN_SOCKET = '/run/vi-podman/podman.sock';
export const PODMAN_HOST = `unix://${PODMAN_SOCKET}`;

const TIMEOUT_MS = 300_000;

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || stdout.trim() || error.message}`, { cause: error }));
        return;
      }
      resolve(stdout);
    });
  });
}

export const podman = (args: string[]): Promise<string> => run('podman', args);
export const buildah = (args: string[]): Promise<string> => run('buildah', args);

/** Throws unless podman, buildah and podman's API socket answer; e2e files fail, never skip. */
export async function requirePodman(): Promise<void> {
  try {
    await podman(['--version']);
    await buildah(['--version']);
  } catch (error: unknown) {
    throw new Error(`podman or buildah is missing (${error instanceof Error ? error.message : String(error)}): run \`sudo bash scripts/ensure-services.sh\``, { cause: error });
  }
  const ping = await new Promise<string>((resolve) => {
    const req = request({ socketPath: PODMAN_SOCKET, path: '/_ping', timeout: 5_000 }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.once('error', (error) => resolve(error.message));
    req.once('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.end();
  });
  if (ping !== 'HTTP 200') {
    throw new Error(`podman's API socket ${PODMAN_HOST} does not answer /_ping (${ping}): run \`sudo bash scripts/ensure-services.sh\`, which starts it`);
  }
}

export interface PodmanBuildOptions {
  /** --format: oci (podman's default) or docker (Docker v2 manifest and config). */
  format?: 'oci' | 'docker';
  squash?: boolean;
  platform?: string;
}

/** `podman build --network=none`; returns the image ID (sha256:…, the config digest). */
export async function podmanBuild(tag: string, dockerfile: string, files: Record<string, string | Buffer> = {}, opts: PodmanBuildOptions = {}): Promise<string> {
  const context = await makeContext(dockerfile, files);
  try {
    const args = ['build', '--quiet', '--network=none', '--file', context.dockerfile, '--tag', tag];
    if (opts.format) args.push('--format', opts.format);
    if (opts.squash) args.push('--squash');
    if (opts.platform) args.push('--platform', opts.platform);
    args.push(context.root);
    await podman(args);
    return `sha256:${(await podman(['image', 'inspect', '--format', '{{.Id}}', tag])).trim()}`;
  } finally {
    await rm(context.dir, { recursive: true, force: true });
  }
}

/** Runs a push-like command with --digestfile and returns the digest it wrote. */
async function withDigestFile(push: (digestFile: string) => Promise<unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-podman-'));
  try {
    const digestFile = join(dir, 'digest');
    await push(digestFile);
    const digest = (await readFile(digestFile, 'utf8')).trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`the push wrote no digest to --digestfile (got "${digest}")`);
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `podman push --tls-verify=false`; returns the pushed manifest digest. */
export function podmanPush(ref: string): Promise<string> {
  return withDigestFile((file) => podman(['push', '--quiet', '--tls-verify=false', '--digestfile', file, ref]));
}

/** `buildah manifest push --all` of list `list` to `destination` (docker://…, oci-archive:…); returns the list digest. */
export function manifestPush(list: string, destination: string): Promise<string> {
  return withDigestFile((file) => buildah(['manifest', 'push', '--quiet', '--all', '--tls-verify=false', '--digestfile', file, list, destination]));
}

/**
 * Removes a manifest list with `buildah manifest rm`. `podman rmi LIST` would resolve the list to
 * its platform image and remove that instead, leaving a list whose instance is gone, which makes
 * every later `podman images` fail.
 */
export async function manifestRemove(list: string): Promise<void> {
  await buildah(['manifest', 'rm', list]).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (!/image not known|no such image|not found/i.test(message)) throw error;
  });
}

/** Removes podman images (not manifest lists: manifestRemove); ones that do not exist are not an error. */
export async function podmanRemove(...refs: string[]): Promise<void> {
  for (const ref of refs) {
    await podman(['rmi', '--force', ref]).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!/image not known|no such image|not found/i.test(message)) throw error;
    });
  }
}

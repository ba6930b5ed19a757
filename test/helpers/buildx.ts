// Building the way our users build: `docker buildx build` against a chosen Docker Engine (the
// Docker 26 daemons scripts/ensure-services.sh starts), with the flags docker/build-push-action
// passes (--push --load, --provenance, --metadata-file, --platform), and the legacy builder
// (`DOCKER_BUILDKIT=0 docker build`) for the classic cases. Every build runs with
// --network=none: the daemons have no bridge network, and nothing may leave 127.0.0.0/8.

import { mkdtempSync, rmSync, symlinkSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUSYBOX_PATH, docker, uniqueName } from './docker.js';

/** The Docker 26 daemons of scripts/ensure-services.sh; helper E2 and the e2e files rely on these paths. */
export const ENGINES = {
  containerd: 'unix:///run/vi-ctd/docker.sock',
  classic: 'unix:///run/vi-classic/docker.sock',
} as const;

export type Store = keyof typeof ENGINES;

/** Where scripts/ensure-services.sh and the usual installs put the buildx CLI plugin. */
const BUILDX_CANDIDATES = [
  process.env.VI_BUILDX,
  '/usr/local/lib/docker/cli-plugins/docker-buildx',
  '/usr/libexec/docker/cli-plugins/docker-buildx',
  '/usr/lib/docker/cli-plugins/docker-buildx',
  '/opt/vi-engine/usr/libexec/docker/cli-plugins/docker-buildx',
  join(homedir(), '.docker', 'cli-plugins', 'docker-buildx'),
];

let configDir: string | undefined;

/**
 * A DOCKER_CONFIG of our own for buildx: its cli-plugins holds the buildx binary and its buildx
 * state (builders, refs) belongs to this test process, so runs never share or leak builder state
 * and never read the user's ~/.docker.
 */
export function buildxConfigDir(): string {
  if (configDir) return configDir;
  const plugin = BUILDX_CANDIDATES.find((path): path is string => !!path && existsSync(path));
  if (!plugin) {
    throw new Error(
      `no docker-buildx plugin found (looked in ${BUILDX_CANDIDATES.filter(Boolean).join(', ')}): ` +
        'run `sudo bash scripts/ensure-services.sh`, which installs it',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'verify-image-buildx-config-'));
  mkdirSync(join(dir, 'cli-plugins'));
  symlinkSync(plugin, join(dir, 'cli-plugins', 'docker-buildx'));
  writeFileSync(join(dir, 'config.json'), '{"auths":{}}\n');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (configDir = dir);
}

/** The environment for a docker CLI call against `host` with our buildx plugin. */
export function engineEnv(host: string): NodeJS.ProcessEnv {
  return { DOCKER_HOST: host, DOCKER_CONFIG: buildxConfigDir(), DOCKER_CONTEXT: undefined, BUILDX_BUILDER: undefined };
}

/** `docker ARGS` against the daemon at `host`. */
export function engine(host: string, args: string[]): Promise<string> {
  return docker(args, { env: engineEnv(host) });
}

/**
 * Throws unless the daemon at `host` answers, is Docker >= 25 and uses the expected image store;
 * the e2e files call this in before() and fail loudly, never skip.
 */
export async function requireEngine(store: Store): Promise<{ version: string; apiVersion: string }> {
  const host = ENGINES[store];
  let answer: string;
  try {
    answer = await engine(host, ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
    await engine(host, ['buildx', 'version']);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the Docker 26 ${store}-store daemon at ${host} does not answer, or buildx is missing (${reason}). ` +
        'Run `sudo bash scripts/ensure-services.sh`, which installs and starts it.',
      { cause: error },
    );
  }
  const [version = '', apiVersion = ''] = answer.trim().split(' ');
  if (!/^(2[5-9]|[3-9]\d)\./.test(version)) throw new Error(`the daemon at ${host} is Docker ${version}; these tests need Docker >= 25`);
  const status = await engine(host, ['info', '--format', '{{json .DriverStatus}}']);
  const containerd = status.includes('io.containerd.snapshotter.v1');
  if (containerd !== (store === 'containerd')) {
    throw new Error(`the daemon at ${host} uses the ${containerd ? 'containerd' : 'classic'} image store, not the ${store} store these tests expect`);
  }
  return { version, apiVersion };
}

export interface BuildxOptions {
  /** Tags, each a full reference; the first is the one pushed and verified. */
  tags: string[];
  dockerfile: string;
  /** Extra context files; the static busybox is always there as `busybox`. */
  files?: Record<string, string | Buffer>;
  /** --push (default true) and --load (default true), as build-push-action with push and load. */
  push?: boolean;
  load?: boolean;
  /** The --provenance value; undefined leaves buildx's default (mode=min), as build-push-action does with load. */
  provenance?: string;
  /** --platform list; one platform (the daemon's) when empty. */
  platforms?: string[];
  buildArgs?: Record<string, string>;
  /** --output entries (e.g. type=registry,name=… and type=oci,dest=…); replace --push and --load. */
  outputs?: string[];
}

export interface BuildxResult {
  /** `containerimage.digest` from --metadata-file: build-push-action's `digest` output. */
  digest: string;
  metadata: Record<string, unknown>;
  /** How many builds it took (the containerd store's `already exists` race retries). */
  attempts: number;
}

/**
 * Two races a rebuild gets past, matched exactly:
 * - BuildKit with --push --load on the containerd store sometimes fails with `image "…": already
 *   exists` (the image is loaded but not pushed);
 * - on the containerd store a push is made twice (BuildKit's, then dockerd's "pushing … with
 *   docker"), and the CNCF registry's filesystem driver rewrites a tag's link file in place, so a
 *   HEAD of the tag while the first push rewrites it can read it half-written and answer 500.
 */
const RETRIED = [
  /failed to solve: image "[^"\n]+": already exists/,
  /unexpected status from HEAD request to http:\/\/127\.0\.0\.1:\d+\/v2\/[^\s]+\/manifests\/[^\s:]+: 500 Internal Server Error/,
];
const BUILD_ATTEMPTS = 4;

/** `docker ARGS` (a buildx build) against `host`, again after a known engine or registry race; resolves with the attempts it took. */
export async function engineBuild(host: string, args: string[]): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await engine(host, args);
      return attempt;
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt < BUILD_ATTEMPTS && RETRIED.some((race) => race.test(message))) continue;
      throw error;
    }
  }
}

/** `docker buildx build` against `host` as docker/build-push-action runs it. */
export async function buildxBuild(host: string, opts: BuildxOptions): Promise<BuildxResult> {
  const context = await makeContext(opts.dockerfile, opts.files);
  try {
    const metadataFile = join(context.dir, 'metadata.json');
    const args = ['buildx', 'build', '--network=none', '--metadata-file', metadataFile, '--file', context.dockerfile];
    for (const tag of opts.tags) args.push('--tag', tag);
    if (opts.outputs) {
      for (const output of opts.outputs) args.push('--output', output);
    } else {
      if (opts.push ?? true) args.push('--push');
      if (opts.load ?? true) args.push('--load');
    }
    if (opts.provenance !== undefined) args.push(`--provenance=${opts.provenance}`);
    if (opts.platforms?.length) args.push('--platform', opts.platforms.join(','));
    for (const [name, value] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${name}=${value}`);
    args.push(context.root);

    const attempts = await engineBuild(host, args);
    const metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
    const digest = metadata['containerimage.digest'];
    if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new Error(`buildx wrote no containerimage.digest to ${metadataFile}: ${JSON.stringify(metadata)}`);
    }
    return { digest, metadata, attempts };
  } finally {
    await rm(context.dir, { recursive: true, force: true });
  }
}

/** The legacy builder (`DOCKER_BUILDKIT=0 docker build`) against `host`; returns the image Id. */
export async function legacyBuild(host: string, tag: string, dockerfile: string, files: Record<string, string | Buffer> = {}): Promise<string> {
  const context = await makeContext(dockerfile, files);
  try {
    await docker(['build', '--file', context.dockerfile, '--tag', tag, context.root], {
      env: { ...engineEnv(host), DOCKER_BUILDKIT: '0' },
    });
    return (await engine(host, ['image', 'inspect', '--format', '{{.Id}}', tag])).trim();
  } finally {
    await rm(context.dir, { recursive: true, force: true });
  }
}

/** `docker push` against `host`; returns the pushed manifest digest from its output. */
export async function enginePush(host: string, tag: string): Promise<string> {
  const output = await engine(host, ['push', tag]);
  const match = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(output);
  if (!match) throw new Error(`docker push ${tag}: no "digest: sha256:… size:" line in its output:\n${output}`);
  return match[1]!;
}

/** What `docker image inspect` says about `ref` on `host`: Id and RepoDigests. */
export async function engineInspect(host: string, ref: string): Promise<{ Id: string; RepoDigests: string[] }> {
  const [image] = JSON.parse(await engine(host, ['image', 'inspect', ref])) as { Id: string; RepoDigests?: string[] }[];
  if (!image) throw new Error(`docker image inspect ${ref} on ${host} returned nothing`);
  return { Id: image.Id, RepoDigests: image.RepoDigests ?? [] };
}

/** Removes image references on `host`; ones that do not exist are not an error. */
export async function engineRemove(host: string, ...refs: string[]): Promise<void> {
  for (const ref of refs) {
    try {
      await engine(host, ['image', 'rm', '--force', ref]);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/no such image|not found/i.test(message)) throw error;
    }
  }
}

/**
 * A build context in a fresh temp dir: the static busybox, `files`, and the Dockerfile outside
 * the context root (so a `COPY . /` never copies it).
 */
export async function makeContext(dockerfile: string, files: Record<string, string | Buffer> = {}): Promise<{ dir: string; root: string; dockerfile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-buildx-'));
  const root = join(dir, 'context');
  await mkdir(root);
  if (!('busybox' in files)) await copyFile(BUSYBOX_PATH, join(root, 'busybox'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  const dockerfilePath = join(dir, 'Dockerfile');
  await writeFile(dockerfilePath, dockerfile);
  return { dir, root, dockerfile: dockerfilePath };
}

/** FROM scratch + the busybox applets, RUN in exec form (no shell exists before it). */
/** Every platform gets its own file; only the build stage (on the build platform) runs a RUN. */
export const MULTI_PLATFORM_DOCKERFILE = [
  'FROM --platform=$BUILDPLATFORM scratch AS build',
  'COPY busybox /bin/busybox',
  'RUN ["/bin/busybox", "sh", "-c", "echo built > /built"]',
  'FROM scratch',
  'COPY --from=build /built /built',
  'ARG TARGETARCH',
  'COPY stamp.txt arch-${TARGETARCH}.txt /',
  '',
].join('\n');

export const BUSYBOX_BASE_DOCKERFILE = [
  'FROM scratch',
  'COPY busybox /bin/busybox',
  'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
  '',
].join('\n');

/** An app on the busybox base: four layers, RUN in exec form; stampFiles() makes each build unique. */
export function appDockerfile(): string {
  return `${BUSYBOX_BASE_DOCKERFILE}COPY stamp.txt /stamp.txt\nRUN ["/bin/sh", "-c", "echo built > /built"]\nENV MODE=prod\n`;
}

/** The context file appDockerfile() copies: a label plus a unique stamp, so no two builds are equal. */
export function stampFiles(label: string): Record<string, string> {
  return { 'stamp.txt': `${label} ${uniqueName('stamp')}\n` };
}

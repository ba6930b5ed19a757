// The docker CLI as the e2e tests use it: building tiny images from the static busybox binary
// (nothing can be pulled from Docker Hub), tagging, pushing, and naming things so that repeated
// runs against the same daemon never collide.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface DockerOptions {
  /** Written to the command's stdin (e.g. a password for `login --password-stdin`). */
  input?: string;
  /** Merged over process.env; a key set to undefined is removed (e.g. to drop DOCKER_CONFIG). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** The static busybox from Debian's busybox-static; runs in a `FROM scratch` image. */
export const BUSYBOX_PATH = '/bin/busybox';

const DOCKER_TIMEOUT_MS = 300_000;

/** Runs `docker ARGS` and resolves with its stdout; rejects with the command line and its stderr. */
export function docker(args: string[], opts: DockerOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'docker',
      args,
      {
        // The classic builder unless a caller asks otherwise: these helpers build for the e2e files
        // that assert the legacy builder's history, and with the buildx plugin installed (as
        // scripts/ensure-services.sh does) a plain `docker build` would be BuildKit.
        env: mergeEnv(process.env, { DOCKER_BUILDKIT: '0', ...opts.env }),
        cwd: opts.cwd,
        maxBuffer: 64 * 1024 * 1024,
        timeout: DOCKER_TIMEOUT_MS,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || stdout.trim() || error.message;
          reject(new Error(`docker ${args.join(' ')} failed: ${detail}`, { cause: error }));
          return;
        }
        resolve(stdout);
      },
    );
    // A command that does not read stdin closes it early; that EPIPE is not the command's failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

/** Throws unless a Docker daemon answers; e2e tests call this in before() and fail, never skip. */
export async function requireDaemon(): Promise<void> {
  let version: string;
  try {
    version = (await docker(['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).trim();
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `no Docker daemon answers (${reason}). The e2e tests need a running dockerd: ` +
        'run `sudo bash scripts/ensure-services.sh`, which installs and starts it.',
      { cause: error },
    );
  }
  if (!/^\d/.test(version)) {
    throw new Error(`the docker CLI answered but reported no server version ("${version}"); is dockerd running?`);
  }
}

/**
 * Builds `dockerfile` as `tag` and returns the image Id (sha256:…, the config digest).
 * The context always holds `busybox` (the static binary) unless `files` supplies its own.
 */
export async function buildImage(
  tag: string,
  dockerfile: string,
  files: Record<string, string | Buffer> = {},
  buildArgs: Record<string, string> = {},
): Promise<string> {
  const context = await mkdtemp(join(tmpdir(), 'verify-image-build-'));
  try {
    if (!('busybox' in files)) await copyFile(BUSYBOX_PATH, join(context, 'busybox'));
    for (const [name, content] of Object.entries(files)) {
      const path = join(context, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
    await writeFile(join(context, 'Dockerfile'), dockerfile);
    // No build step needs a network (FROM scratch, busybox copied in), and the daemon may have no bridge.
    const args = ['build', '--network=none', '-t', tag];
    for (const [name, value] of Object.entries(buildArgs)) args.push('--build-arg', `${name}=${value}`);
    args.push(context);
    await docker(args);
    return await imageId(tag);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

export const BUSYBOX_DOCKERFILE = [
  'FROM scratch',
  'COPY busybox /bin/busybox',
  'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
  '',
].join('\n');

/** A two-layer busybox image built from scratch; returns its image Id. */
export function busyboxBase(tag: string): Promise<string> {
  return buildImage(tag, BUSYBOX_DOCKERFILE);
}

/** The image Id (config digest) the daemon reports for `ref`. */
export async function imageId(ref: string): Promise<string> {
  return (await docker(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
}

export async function tagImage(source: string, target: string): Promise<void> {
  await docker(['tag', source, target]);
}

/**
 * Pushes `tag` and returns the manifest digest the registry accepted, parsed from the
 * `<tag>: digest: sha256:… size: N` line. `opts.env` can carry a DOCKER_CONFIG from dockerLogin.
 */
export async function pushImage(tag: string, opts: DockerOptions = {}): Promise<string> {
  const output = await docker(['push', tag], opts);
  const match = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(output);
  if (!match) throw new Error(`docker push ${tag}: no "digest: sha256:… size:" line in its output:\n${output}`);
  return match[1]!;
}

/** Removes image references; ones that do not exist are not an error. */
export async function removeImage(...refs: string[]): Promise<void> {
  for (const ref of refs) {
    try {
      await docker(['image', 'rm', '--force', ref]);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/no such image|not found/i.test(message)) throw error;
    }
  }
}

/** A repository-name component that is valid for registries and unique across runs and processes. */
export function uniqueName(prefix: string): string {
  const base = prefix.toLowerCase().replace(/[^a-z0-9._/-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  return `${base || 'test'}-${stamp}`;
}

/** `base` with `overrides` applied; an override set to undefined removes the variable. */
export function mergeEnv(base: NodeJS.ProcessEnv, overrides: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

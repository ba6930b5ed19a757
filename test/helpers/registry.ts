// Throwaway CNCF distribution registries (Debian's `docker-registry`) for e2e tests: one temp
// directory per registry holding its config, storage and optional htpasswd file, on a random
// 127.0.0.1 port, which dockerd treats as an insecure (plain HTTP) registry without configuration.
// Auth is either htpasswd (Basic) or token (Bearer, with a token server from token-server.ts).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from './docker.js';

export interface RegistryOptions {
  /** Require HTTP Basic auth with these credentials (bcrypt htpasswd, as distribution requires). */
  htpasswd?: { username: string; password: string };
  /** Log every request (method, path, status) to logs(), to count what a run asked for. */
  accessLog?: boolean;
  /** Require Bearer tokens from this token server (distribution's `auth: token`). */
  token?: TokenAuthConfig;
}

/** distribution's `auth: token` section: tokens are JWTs whose x5c chain ends in rootCertBundle. */
export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file with the certificate(s) token signatures must chain to. */
  rootCertBundle: string;
}

export interface TestRegistry {
  /** '127.0.0.1:PORT', usable in image references and URLs. */
  host: string;
  storageDir: string;
  configPath: string;
  /** The registry's combined stdout/stderr so far (the most recent part). */
  logs(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const PORT_ATTEMPTS = 5;
const LOG_LIMIT = 64 * 1024;

/** Registries still running, killed synchronously if the test process exits without stop(). */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-registry-'));
  try {
    const storageDir = join(dir, 'storage');
    await mkdir(storageDir);
    let htpasswdPath: string | undefined;
    if (opts.htpasswd) {
      htpasswdPath = join(dir, 'htpasswd');
      await writeFile(htpasswdPath, await htpasswdLine(opts.htpasswd.username, opts.htpasswd.password));
    }
    const configPath = join(dir, 'config.yml');
    let lastFailure = '';
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const host = `127.0.0.1:${await freePort()}`;
      await writeFile(configPath, registryConfig(host, storageDir, htpasswdPath, opts.accessLog ?? false, opts.token));
      const started = await launch(host, configPath);
      if ('child' in started) {
        const { child, logs } = started;
        running.set(child, dir);
        let stopped: Promise<void> | undefined;
        return {
          host,
          storageDir,
          configPath,
          logs,
          stop: () => (stopped ??= stopRegistry(child, dir)),
        };
      }
      lastFailure = started.failure;
      // Another process may have taken the port between our probe and the registry's bind.
      if (!/address already in use/i.test(started.logs)) break;
    }
    throw new Error(lastFailure);
  } catch (error: unknown) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Logs in to `host` with a brand-new docker config directory and returns that directory, for
 * DOCKER_CONFIG or `docker --config`. The user's ~/.docker is never read or written.
 */
export async function dockerLogin(host: string, username: string, password: string): Promise<string> {
  const configDir = await mkdtemp(join(tmpdir(), 'verify-image-docker-config-'));
  try {
    // An explicit empty config keeps the CLI from importing anything from the user's environment.
    await writeFile(join(configDir, 'config.json'), '{"auths":{}}\n');
    await docker(['--config', configDir, 'login', host, '-u', username, '--password-stdin'], {
      input: password,
      env: { DOCKER_CONFIG: undefined },
    });
    return configDir;
  } catch (error: unknown) {
    await rm(configDir, { recursive: true, force: true });
    throw error;
  }
}

function registryConfig(
  host: string,
  storageDir: string,
  htpasswdPath: string | undefined,
  accessLog: boolean,
  token: TokenAuthConfig | undefined,
): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    `    disabled: ${!accessLog}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${host}`,
    // A fixed secret silences the "no secret configured" warning; there is only one instance.
    '  secret: verify-image-test-registry',
  ];
  if (htpasswdPath && token) throw new Error('startRegistry: choose htpasswd or token auth, not both');
  if (htpasswdPath) {
    lines.push('auth:', '  htpasswd:', '    realm: verify-image-test', `    path: ${JSON.stringify(htpasswdPath)}`);
  }
  if (token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(token.realm)}`,
      `    service: ${JSON.stringify(token.service)}`,
      `    issuer: ${JSON.stringify(token.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(token.rootCertBundle)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

type Launch = { child: ChildProcess; logs: () => string } | { failure: string; logs: string };

async function launch(host: string, configPath: string): Promise<Launch> {
  const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  // Neither the registry nor its pipes keep a test process alive; the exit hook kills it.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  installExitHook();

  let exited: string | undefined;
  child.once('error', (error) => (exited = `could not run docker-registry: ${error.message}`));
  child.once('exit', (code, signal) => (exited = `docker-registry exited early (${signal ?? `code ${code}`})`));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProbe = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited !== undefined) return { failure: `${exited}; registry log:\n${tail(log)}`, logs: log };
    try {
      const response = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return { child, logs: () => log };
      lastProbe = `HTTP ${response.status}`;
    } catch (error: unknown) {
      lastProbe = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  return {
    failure:
      `docker-registry on ${host} did not answer GET /v2/ within ${READY_TIMEOUT_MS / 1000} s ` +
      `(last probe: ${lastProbe}); registry log:\n${tail(log)}`,
    logs: log,
  };
}

async function stopRegistry(child: ChildProcess, dir: string): Promise<void> {
  running.delete(child);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [child, dir] of running) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** A port nobody listens on right now; the registry may still lose a race for it (we retry). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

function htpasswdLine(username: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`htpasswd -Bbn failed (is apache2-utils installed?): ${stderr.trim() || error.message}`));
        return;
      }
      // htpasswd -n prints the entry followed by an empty line; keep exactly one entry line.
      resolve(`${stdout.trim()}\n`);
    });
  });
}

function tail(log: string, lines = 30): string {
  return log.trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}

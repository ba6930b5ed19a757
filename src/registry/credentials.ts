// Owns: finding the credential for one registry — action inputs, DOCKER_AUTH_CONFIG, Docker's
// config.json (credHelpers, credsStore, auths) and the docker-credential-* helper protocol.
// It never talks to a registry, and no secret ever reaches an error message.
//
// Precedence follows docker/cli (configfile.GetCredentialsStore, credentials.nativeStore) so that
// whatever `docker push` authenticated with, we authenticate with too:
//   1. inputs (username + password), our own addition in front;
//   2. DOCKER_AUTH_CONFIG `auths` (docker/cli's in-memory store sits in front of the others);
//   3. config.json: the helper named by credHelpers[key], else the credsStore helper, else `auths`.
// Like Docker, a configured helper is authoritative: when it answers "credentials not found" we
// go anonymous instead of reading plain-text `auths`, which `docker login` leaves empty (`{}`)
// whenever a helper is in use. Wildcard keys (`*.example.com`, very new in docker/cli) are not
// supported.

import { execFile, type ExecFileException } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VerifyImageError, type OptionWords } from '../errors.js';
import { SecretTracker } from '../secrets.js';

export interface Credential {
  /** Basic / token-server credentials. */
  username?: string;
  password?: string;
  /** OAuth2 refresh token (config.json `identitytoken`, or a helper's `<token>` username). */
  identityToken?: string;
  /** Bearer token sent as is (config.json `registrytoken`). */
  registryToken?: string;
  /** Where it came from, for logs; never contains a secret. */
  source: string;
}

export interface CredentialOptions {
  username?: string;
  password?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HELPER_TIMEOUT_MS = 10_000;
const HELPER_MAX_OUTPUT = 1024 * 1024;
const TOKEN_USERNAME = '<token>';
// A helper name becomes part of a program name; anything path-like would run another program.
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Where a credential came from, in a message: the CLI's user gave flags where the action's gave inputs. */
export function credentialSource(source: string, words: OptionWords): string {
  return source === 'inputs' && words.cli ? words.phrase('credentials') : source;
}

/** The key Docker files credentials under: Docker Hub's legacy URL, else host[:port]. */
export function configKeyFor(registry: string): string {
  return DOCKER_HUB_HOSTS.has(registry.trim().toLowerCase()) ? DOCKER_HUB_KEY : registry;
}

/** Every secret a credential holds, in every form it may be sent, for the logger's masking. */
export function secretsOf(c: Credential): string[] {
  const secrets = new Set<string>();
  if (c.password) {
    secrets.add(c.password);
    // The pair is what Basic headers and config.json's `auth` encode: scrubbing it scrubs those.
    secrets.add(`${c.username ?? ''}:${c.password}`);
    secrets.add(Buffer.from(`${c.username ?? ''}:${c.password}`).toString('base64'));
  }
  if (c.identityToken) secrets.add(c.identityToken);
  if (c.registryToken) secrets.add(c.registryToken);
  return [...secrets];
}

export async function resolveCredential(registry: string, opts: CredentialOptions): Promise<Credential | undefined> {
  const env = opts.env ?? process.env;

  // GitHub gives unset inputs as '', so empty means "not given".
  const { username, password } = opts;
  if (username || password) {
    if (!username || !password) {
      const missing = username ? 'password' : 'username';
      throw new VerifyImageError(
        'input',
        (w) => `both ${w.name('username')} and ${w.name('password')} are needed to log in to ${registry}, but ${w.name(missing)} is empty: set both${w.cli ? '' : ' inputs'}, or neither to use Docker's stored credentials`,
      );
    }
    return { username, password, source: 'inputs' };
  }

  const envConfig = env.DOCKER_AUTH_CONFIG;
  if (envConfig?.trim()) {
    const config = parseConfig(envConfig, 'DOCKER_AUTH_CONFIG', 'fix or unset the variable');
    const found = fromAuths(config, registry, 'DOCKER_AUTH_CONFIG', 'DOCKER_AUTH_CONFIG');
    if (found) return found;
  }

  const file = env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(opts.homeDir ?? homedir(), '.docker', 'config.json');
  const text = await readConfigFile(file);
  if (text === undefined) return undefined;
  const config = parseConfig(text, file, 'fix or remove it, or set DOCKER_CONFIG to another directory');

  const helperEntry = lookup(config.credHelpers, registry);
  // docker/cli: a credHelpers entry with an empty name means "no helper, use the file".
  const helper = helperEntry ? helperEntry[1] : config.credsStore;
  if (helper) return fromHelper(helper, configKeyFor(registry), env, file);
  return fromAuths(config, registry, `${file} (auths)`, file);
}

interface DockerConfig {
  auths?: Record<string, unknown>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

async function readConfigFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new VerifyImageError('input', `cannot read ${file} (${code ?? 'unknown error'}): fix its permissions, or set DOCKER_CONFIG to another directory`);
  }
}

function parseConfig(text: string, where: string, remedy: string): DockerConfig {
  if (!text.trim()) return {}; // docker/cli accepts an empty file
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the surrounding text, which may hold a password: give only a position.
    const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    throw new VerifyImageError('input', `${where} is not valid JSON${position ? ` (error at ${describePosition(text, Number(position))})` : ''}: ${remedy}`);
  }
  const bad = (field: string): never => {
    throw new VerifyImageError('input', `${where}: "${field}" has the wrong type: ${remedy}`);
  };
  if (!isRecord(raw)) return bad('(top level)');
  const { auths, credHelpers, credsStore } = raw;
  if (auths != null && !isRecord(auths)) bad('auths');
  if (credHelpers != null && (!isRecord(credHelpers) || !Object.values(credHelpers).every((v) => typeof v === 'string'))) bad('credHelpers');
  if (credsStore != null && typeof credsStore !== 'string') bad('credsStore');
  return {
    auths: (auths ?? undefined) as Record<string, unknown> | undefined,
    credHelpers: (credHelpers ?? undefined) as Record<string, string> | undefined,
    credsStore: (credsStore ?? undefined) as string | undefined,
  };
}

function describePosition(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length} column ${before[before.length - 1].length + 1}`;
}

/**
 * Docker's matching (credentials.fileStore.Get): the exact key first, then keys written with a
 * scheme and/or path (`https://ghcr.io/v1/`, `http://127.0.0.1:5000`) compared by host[:port].
 * We also treat every Docker Hub host name as one, as docker.io images may be pushed under any.
 */
function lookup<T>(entries: Record<string, T> | undefined, registry: string): [string, T] | undefined {
  if (!entries) return undefined;
  const key = configKeyFor(registry);
  if (Object.hasOwn(entries, key)) return [key, entries[key]];
  const host = hostOfKey(registry);
  return Object.entries(entries).find(([candidate]) => hostOfKey(candidate) === host);
}

function hostOfKey(key: string): string {
  const host = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0].toLowerCase();
  return DOCKER_HUB_HOSTS.has(host) ? 'docker.io' : host;
}

function fromAuths(config: DockerConfig, registry: string, source: string, where: string): Credential | undefined {
  const found = lookup(config.auths, registry);
  if (!found) return undefined;
  const [key, entry] = found;
  const fix = `run docker login ${registry} again or fix the entry`;
  if (!isRecord(entry)) throw new VerifyImageError('input', `${where}: auths["${key}"] is not an object: ${fix}`);
  const field = (name: string): string | undefined => {
    const value = entry[name];
    if (value == null || value === '') return undefined;
    if (typeof value !== 'string') throw new VerifyImageError('input', `${where}: auths["${key}"].${name} is not a string: ${fix}`);
    return value;
  };

  let username = field('username');
  let password = field('password');
  const auth = field('auth');
  if (auth) {
    // Like docker/cli, `auth` wins over username/password; split at the first ':' because the
    // password may contain colons while a Basic-auth user name may not.
    const decoded = /^[A-Za-z0-9+/]+=*$/.test(auth.trim()) ? Buffer.from(auth.trim(), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new VerifyImageError('input', `${where}: auths["${key}"].auth is not base64 of "username:password": ${fix}`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1).replace(/\0+$/, '');
  }
  return credential(source, { username, password, identityToken: field('identitytoken'), registryToken: field('registrytoken') });
}

/** Runs `docker-credential-NAME get` per the docker-credential-helpers protocol. */
async function fromHelper(name: string, serverKey: string, env: NodeJS.ProcessEnv, file: string): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`;
  if (!HELPER_NAME.test(name)) {
    throw new VerifyImageError('input', `${file} names the credential helper "${name}", which is not a valid helper name: fix credHelpers/credsStore`);
  }
  const { error, stdout, stderr } = await runHelper(program, serverKey, env);
  const who = `credential helper ${program} (named in ${file}, asked for ${serverKey})`;
  const fail = (why: string): never => {
    throw new VerifyImageError('auth', `${who} ${why}`);
  };
  if (error) {
    if (error.code === 'ENOENT') fail('is not on PATH: install it, or remove it from that file');
    if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') fail('printed more than 1 MiB: check the helper');
    if (error.killed) fail(`did not answer within ${HELPER_TIMEOUT_MS / 1000} s: check that it works without a prompt`);
    // The protocol's "no credentials" answer is a failing exit with this text on stdout.
    if (/credentials not found/i.test(`${stdout}\n${stderr}`)) return undefined;
    const status = typeof error.code === 'number' ? `exit code ${error.code}` : String(error.code ?? error.signal ?? 'error');
    // stdout is never quoted: a helper that fails may still have printed its JSON, secret and all.
    // Its stderr is, once every secret we can see in stdout is scrubbed from it.
    const detail = scrubHelperText(firstLine(stderr), stdout);
    fail(`failed (${status})${detail ? `: ${detail}` : ''}`);
  }

  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    answer = undefined;
  }
  // Never quote stdout here: a near-miss answer is likely to contain the secret.
  if (!isRecord(answer) || typeof answer.Secret !== 'string' || (answer.Username != null && typeof answer.Username !== 'string')) {
    return fail('answered with something other than {"ServerURL","Username","Secret"} JSON: check the helper');
  }
  const helperUser = (answer.Username as string | undefined) ?? '';
  const source = `credential helper ${program}`;
  if (helperUser === TOKEN_USERNAME) return credential(source, { identityToken: answer.Secret });
  return credential(source, { username: helperUser || undefined, password: answer.Secret || undefined });
}

interface HelperRun {
  error: ExecFileException | null;
  stdout: string;
  stderr: string;
}

function runHelper(program: string, serverKey: string, env: NodeJS.ProcessEnv): Promise<HelperRun> {
  return new Promise((resolve) => {
    // execFile looks the program up on env.PATH when env is given, and never uses a shell.
    const child = execFile(
      program,
      ['get'],
      { env, timeout: HELPER_TIMEOUT_MS, maxBuffer: HELPER_MAX_OUTPUT, windowsHide: true, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ error, stdout, stderr }),
    );
    // A helper may exit without reading stdin (EPIPE); its exit status tells the real story.
    child.stdin?.on('error', () => {});
    child.stdin?.end(serverKey);
  });
}

function credential(source: string, fields: Omit<Credential, 'source'>): Credential | undefined {
  const present = Object.entries(fields).filter(([, value]) => value !== undefined && value !== '');
  // Docker leaves `{}` entries behind; a user name alone cannot authenticate either.
  if (!present.some(([name]) => name !== 'username')) return undefined;
  return { ...Object.fromEntries(present), source };
}

/**
 * A failing helper's stderr line without the secrets its stdout gave away (any string value of a
 * JSON answer, or of `"Secret": "…"` text that is not valid JSON) and without long opaque words,
 * which are more likely a token than a reason.
 */
function scrubHelperText(line: string, stdout: string): string {
  if (!line) return '';
  const tracker = new SecretTracker();
  const secretKey = /secret|password|token/i;
  try {
    const answer: unknown = JSON.parse(stdout);
    if (isRecord(answer)) {
      for (const [key, value] of Object.entries(answer)) if (secretKey.test(key) && typeof value === 'string') tracker.add(value);
      if (typeof answer.Username === 'string' && typeof answer.Secret === 'string') tracker.add(`${answer.Username}:${answer.Secret}`);
    }
  } catch {
    for (const m of stdout.matchAll(/"(?:[A-Za-z_]*(?:secret|password|token)[A-Za-z_]*)"\s*:\s*"((?:[^"\\]|\\.)*)"/gi)) if (m[1]) tracker.add(m[1]);
  }
  return tracker.scrub(line).replace(/[A-Za-z0-9+/_.=~-]{24,}/g, (word) => (/\d/.test(word) && /[A-Za-z]/.test(word) ? '***' : word));
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Image references: parsing `[registry/]repository[:tag][@digest]` the way Docker does
// (distribution/reference grammar and normalisation), pinning to digests, and deciding which
// registries may be spoken to over plain HTTP. Pure: no I/O, no environment.

import { VerifyImageError } from '../errors.js';

export interface ImageReference {
  /** Registry host as users write it, normalised: 'docker.io', 'ghcr.io', '127.0.0.1:5000', '[::1]:5000'. */
  registry: string;
  /** host[:port] the API lives on: 'registry-1.docker.io' for docker.io, else the same as `registry`. */
  apiHost: string;
  /** Repository path inside the registry: 'library/nginx', 'acme/app'. */
  repository: string;
  /** 'latest' when neither tag nor digest was given; kept for display when both were. */
  tag?: string;
  /** 'sha256:<64 hex>' when given. */
  digest?: string;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const DEFAULT_TAG = 'latest';
const MAX_REPOSITORY_LENGTH = 255;
const EXAMPLE = 'ghcr.io/acme/app:1.0';
const DIGEST_EXAMPLE = 'ghcr.io/acme/app@sha256:<64 hex digits>';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DOMAIN_COMPONENT = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]{1,5}$/;
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{64}$/;
// OCI image-spec digest grammar; registered algorithms get their exact encodings below.
const GENERIC_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const REGISTERED_DIGESTS: Readonly<Record<string, RegExp>> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export function isValidDigest(s: string): boolean {
  if (!GENERIC_DIGEST.test(s)) return false;
  const colon = s.indexOf(':');
  const encoding = REGISTERED_DIGESTS[s.slice(0, colon)];
  return encoding === undefined || encoding.test(s.slice(colon + 1));
}

export function parseReference(input: string): ImageReference {
  const fail = (reason: string, example = EXAMPLE): never => {
    throw new VerifyImageError('reference', `invalid image reference ${quote(input)}: ${reason} (e.g. ${example})`);
  };

  if (input === '') fail('it is empty');
  if (/\s/.test(input)) fail('it contains whitespace');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) fail('drop the scheme, references have no "https://" or similar prefix');
  // Docker refuses these too: a bare ID would silently become docker.io/library/<hex>.
  if (IMAGE_ID.test(input)) fail('this looks like an image ID, not a reference; give the repository it was pushed to');

  const at = input.indexOf('@');
  let namePart = input;
  let digest: string | undefined;
  if (at !== -1) {
    namePart = input.slice(0, at);
    digest = input.slice(at + 1);
    if (digest.includes('@')) fail('it has more than one "@"', DIGEST_EXAMPLE);
    if (!isValidDigest(digest)) {
      fail(`"${digest}" is not a valid digest; a digest is sha256: followed by 64 lowercase hex digits`, DIGEST_EXAMPLE);
    }
  }

  // The tag colon is the last one after the last slash; earlier colons belong to a registry port.
  let tag: string | undefined;
  const colon = namePart.lastIndexOf(':');
  if (colon > namePart.lastIndexOf('/')) {
    tag = namePart.slice(colon + 1);
    namePart = namePart.slice(0, colon);
    if (tag === '') fail('the tag after ":" is empty');
    if (tag.length > 128) fail(`the tag is ${tag.length} characters long; tags are at most 128 characters`);
    if (!TAG.test(tag)) {
      fail(`"${tag}" is not a valid tag; tags use letters, digits, "_", "." and "-" and must not start with "." or "-"`);
    }
  }
  if (namePart === '') fail('the repository name is missing');

  const { registry, path } = splitRegistry(namePart);
  if (registry !== undefined) {
    const problem = registryProblem(registry);
    if (problem) fail(problem);
  }
  const host = normaliseRegistry(registry ?? DOCKER_HUB);
  // Docker Hub's official images live under library/; users write them without it.
  const repository = host === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;

  for (const component of repository.split('/')) {
    if (component === '') fail('the repository path has an empty component (check for "//" or a trailing "/")');
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) fail('repository names must be lowercase');
    fail(`"${component}" is not a valid repository name component; use lowercase letters and digits separated by ".", "_", "__" or "-"`);
  }
  if (repository.length > MAX_REPOSITORY_LENGTH) {
    fail(`the repository path is ${repository.length} characters long; the limit is ${MAX_REPOSITORY_LENGTH}`);
  }

  const ref: ImageReference = { registry: host, apiHost: apiHostFor(host), repository };
  if (tag !== undefined) ref.tag = tag;
  else if (digest === undefined) ref.tag = DEFAULT_TAG;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** What goes after /manifests/: a digest pins the content, so it wins over a tag given with it. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}

export function formatReference(ref: ImageReference): string {
  let text = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}

export function withDigest(ref: ImageReference, digest: string): ImageReference {
  if (!isValidDigest(digest)) {
    throw new VerifyImageError('reference', `cannot pin ${formatReference(ref)} to "${digest}": not a valid digest (expected sha256:<64 hex digits>)`);
  }
  const pinned: ImageReference = { registry: ref.registry, apiHost: ref.apiHost, repository: ref.repository, digest };
  if (ref.tag !== undefined) pinned.tag = ref.tag;
  return pinned;
}

export function isLoopbackHost(registry: string): boolean {
  const host = splitHostPort(registry.toLowerCase()).host;
  if (host === 'localhost') return true;
  const ipv4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4) return ipv4.slice(1).every((octet) => Number(octet) <= 255);
  const ipv6 = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipv6.includes(':') && isIpv6Loopback(ipv6);
}

/**
 * Plain HTTP is allowed only where a mistake cannot leak anything off the machine (loopback),
 * or where the user named the registry explicitly: an entry 'host' allows every port of that
 * host, an entry 'host:port' only that port.
 */
export function registryUsesHttp(ref: ImageReference, insecureRegistries: readonly string[]): boolean {
  if (isLoopbackHost(ref.registry)) return true;
  const registry = ref.registry.toLowerCase();
  const { host } = splitHostPort(registry);
  return insecureRegistries.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
    if (entry === '') return false;
    return splitHostPort(entry).port === undefined ? entry === host : entry === registry;
  });
}

/**
 * Docker's rule: the first component is a host only if it could not be a Docker Hub namespace.
 * An IPv6 host has a ":" in it; "[abcd]" without one is a (bad) Docker Hub path, as for Docker.
 */
function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { path: name };
  const first = name.slice(0, slash);
  const looksLikeHost = first === 'localhost' || first.includes('.') || first.includes(':');
  return looksLikeHost ? { registry: first, path: name.slice(slash + 1) } : { path: name };
}

function registryProblem(registry: string): string | undefined {
  const { host, port } = splitHostPort(registry);
  const hostOk = IPV6_HOST.test(host) || host.split('.').every((part) => DOMAIN_COMPONENT.test(part));
  if (!hostOk) return `"${registry}" is not a valid registry host`;
  if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return `"${port}" is not a valid port for registry "${host}"`;
  }
  return undefined;
}

// Hostnames are case-insensitive; one spelling keeps credential and insecure-registry lookups simple.
function normaliseRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  return lower === 'index.docker.io' ? DOCKER_HUB : lower;
}

function apiHostFor(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** Splits 'host:port' and '[v6]:port'; a bare IPv6 address without brackets counts as all host. */
function splitHostPort(hostPort: string): { host: string; port?: string } {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close !== -1 && hostPort[close + 1] === ':') return { host: hostPort.slice(0, close + 1), port: hostPort.slice(close + 2) };
    return { host: hostPort };
  }
  const colon = hostPort.indexOf(':');
  if (colon === -1 || hostPort.indexOf(':', colon + 1) !== -1) return { host: hostPort };
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/** ::1 in any spelling: compressed, expanded or with leading zeros. */
function isIpv6Loopback(address: string): boolean {
  if (!/^[0-9a-f:]+$/.test(address)) return false;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = (text: string): string[] => (text === '' ? [] : text.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return false;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return false;
  return all.slice(0, 7).every((group) => parseInt(group, 16) === 0) && parseInt(all[7] ?? '', 16) === 1;
}

function quote(input: string): string {
  const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
  return JSON.stringify(shown);
}

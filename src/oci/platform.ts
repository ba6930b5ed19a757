// Platforms: parsing 'os/arch[/variant]', normalising the many spellings of one architecture
// (as containerd/platforms does), and picking an image manifest out of an index. Pure apart
// from hostPlatform(), which reads process.platform/process.arch.

import { VerifyImageError } from '../errors.js';
import { isAttestation, type Descriptor, type ImageIndex, type Platform } from './types.js';

const PLATFORM_COMPONENT = /^[A-Za-z0-9_.-]+$/;

/** Parses 'linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'; the result is normalised. */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/');
  const valid = parts.length >= 2 && parts.length <= 3 && parts.every((part) => PLATFORM_COMPONENT.test(part));
  if (!valid) {
    throw new VerifyImageError(
      'input',
      `invalid platform ${JSON.stringify(s)}: use os/architecture[/variant] (e.g. linux/amd64, linux/arm64, linux/arm/v7)`,
    );
  }
  const [os = '', architecture = '', variant] = parts;
  const platform: Platform = { os, architecture };
  if (variant !== undefined) platform.variant = variant;
  return normalizePlatform(platform);
}

/**
 * One spelling per platform, so that 'aarch64', 'arm64/v8' and 'arm64' compare equal.
 * The table follows containerd/platforms: it is what BuildKit writes into indexes.
 */
export function normalizePlatform(p: Platform): Platform {
  let os = lower(p.os);
  let architecture = lower(p.architecture);
  let variant = lower(p.variant);
  if (os === 'macos') os = 'darwin';

  switch (architecture) {
    case 'i386':
    case '386':
      architecture = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = ''; // v1 is the baseline every amd64 CPU meets
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = ''; // the baseline again
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      // An arm image without a variant is built for v7 in practice; Docker assumes the same.
      if (variant === '') variant = 'v7';
      break;
  }
  if (/^\d+$/.test(variant)) variant = `v${variant}`;

  const normalised: Platform = { os, architecture };
  if (variant !== '') normalised.variant = variant;
  if (p['os.version'] !== undefined) normalised['os.version'] = p['os.version'];
  if (p['os.features'] !== undefined) normalised['os.features'] = [...p['os.features']];
  return normalised;
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/**
 * Does an image built for `have` satisfy a request for `want`? A request without a variant
 * accepts any variant (linux/amd64 takes amd64/v3); a request with one needs that one.
 */
export function platformMatches(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  if (w.os !== h.os || w.architecture !== h.architecture) return false;
  if (w.variant !== undefined && w.variant !== h.variant) return false;
  if (w['os.version'] !== undefined && w['os.version'] !== h['os.version']) return false;
  return true;
}

/** First matching image entry, as the spec and every runtime pick it; attestations never match. */
export function selectManifest(index: ImageIndex, want: Platform): Descriptor | undefined {
  return imageEntries(index).find((entry) => platformMatches(want, entry.platform));
}

/** The platforms an index offers, as written by the registry, for "no manifest for …" messages. */
export function availablePlatforms(index: ImageIndex): string[] {
  const seen = new Set<string>();
  for (const entry of imageEntries(index)) seen.add(formatPlatform(entry.platform));
  return [...seen];
}

/**
 * The platform a build on this machine produces by default. Docker Desktop runs Linux
 * containers on macOS, so only Windows hosts get a non-Linux OS.
 */
export function hostPlatform(): Platform {
  const os = process.platform === 'win32' ? 'windows' : 'linux';
  switch (process.arch) {
    case 'x64':
      return { os, architecture: 'amd64' };
    case 'arm64':
      return { os, architecture: 'arm64' };
    case 'ia32':
      return { os, architecture: '386' };
    case 'arm': {
      const armVersion = (process.config.variables as { arm_version?: unknown }).arm_version;
      return { os, architecture: 'arm', variant: armVersion === '6' ? 'v6' : 'v7' };
    }
    case 'ppc64':
      return { os, architecture: 'ppc64le' }; // Node ships only little-endian ppc64 builds
    case 'mipsel':
      return { os, architecture: 'mipsle' };
    default:
      return { os, architecture: process.arch }; // riscv64, s390x, loong64 … share Go's names
  }
}

type PlatformEntry = Descriptor & { platform: Platform };

/**
 * Entries that describe an image for a platform. Attestations and entries without a platform
 * are skipped; index JSON comes from the network, so malformed entries are skipped, not thrown on.
 */
function imageEntries(index: ImageIndex): PlatformEntry[] {
  const manifests: unknown = index.manifests;
  if (!Array.isArray(manifests)) return [];
  return manifests.filter((entry: unknown): entry is PlatformEntry => {
    if (entry === null || typeof entry !== 'object') return false;
    const platform = (entry as Descriptor).platform as Partial<Platform> | null | undefined;
    if (platform === null || typeof platform !== 'object') return false;
    if (typeof platform.os !== 'string' || typeof platform.architecture !== 'string') return false;
    return !isAttestation(entry as Descriptor);
  });
}

function lower(value: string | undefined): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

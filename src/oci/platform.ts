// Platforms: parsing 'os/arch[/variant]', normalising the many spellings of one architecture,
// and choosing an image out of an index exactly as containerd's `platforms` package does for a
// pull (Normalize, Only, the preference order, first among equals), because that is what Docker
// pulls and runs. Our own code, written from containerd/platforms' behaviour and tests. Pure apart
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
 * containerd's Normalize: one spelling per platform, so that 'aarch64', 'arm64/v8' and 'arm64'
 * compare equal. Exactly containerd/platforms' table (database.go), nothing more: amd64 drops
 * only "v1", arm64 drops "8"/"v8"/"v8.0" and writes "9"/"9.0"/"v9.0" as "v9", arm without a
 * variant (or "7") is v7 and "5"/"6"/"8" gain a "v"; os.features are sorted and deduplicated.
 */
export function normalizePlatform(p: Platform): Platform {
  let os = lower(p.os);
  let architecture = lower(p.architecture);
  let variant = lower(p.variant);
  if (os === 'macos') os = 'darwin';

  switch (architecture) {
    case 'i386':
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
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
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
      // An arm image without a variant is built for v7 in practice; containerd assumes the same.
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }

  const normalised: Platform = { os, architecture };
  if (variant !== '') normalised.variant = variant;
  if (typeof p['os.version'] === 'string' && p['os.version'] !== '') normalised['os.version'] = p['os.version'];
  const features = Array.isArray(p['os.features']) ? [...new Set(p['os.features'])].sort() : [];
  if (features.length > 0) normalised['os.features'] = features;
  return normalised;
}

/** The platform an image config declares, normalised; fields of the wrong type read as empty, as they would fail Go. */
export function configPlatform(config: { os?: unknown; architecture?: unknown; variant?: unknown; 'os.version'?: unknown; 'os.features'?: unknown }): Platform {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const platform: Platform = { os: text(config.os), architecture: text(config.architecture) };
  if (text(config.variant)) platform.variant = text(config.variant);
  if (text(config['os.version'])) platform['os.version'] = text(config['os.version']);
  const features = config['os.features'];
  if (Array.isArray(features) && features.every((f): f is string => typeof f === 'string') && features.length) platform['os.features'] = features;
  return normalizePlatform(platform);
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** Same os, architecture and variant once normalised: how pairs and index entries are keyed. */
export function samePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(normalizePlatform(a)) === formatPlatform(normalizePlatform(b));
}

/** containerd's MatchComparer: which platforms a runtime accepts, and which it prefers. */
export interface PlatformMatcher {
  match(p: Platform): boolean;
  /** True when `a` is preferred to `b`; neither preferred keeps index order (a stable sort). */
  less(a: Platform, b: Platform): boolean;
}

/**
 * containerd's `platforms.Only(spec)`: what Docker pulls for `--platform spec`, and (with the
 * runner's platform as spec) `platforms.Default()`. The spec and the platforms it falls back to, in
 * order of preference (platformVector): amd64/vN takes vN…v2, then plain amd64, then 386; plain
 * amd64 takes only amd64 (never amd64/v2) and then 386; arm/vN takes vN down to v5; arm64/v8.x
 * and v9.x take the lower arm64 revisions and then arm v8 … v5. Each step matches one platform
 * exactly: os, architecture and variant equal, Windows os.version compatible, and the
 * candidate's os.features a subset of the spec's.
 */
export function onlyPlatform(spec: Platform): PlatformMatcher {
  const steps = platformVector(normalizePlatform(spec)).map(exactMatcher);
  const rank = (p: Platform): number => steps.findIndex((m) => m(p));
  return {
    match: (p) => rank(p) >= 0,
    less: (a, b) => orderedLess(steps, a, b),
  };
}

/**
 * The entry a runtime takes out of several: among those the matcher accepts, the most preferred,
 * and among equals the first (containerd sorts stably and takes the head).
 */
export function bestMatch<T>(items: readonly T[], platformOf: (item: T) => Platform | undefined, matcher: PlatformMatcher): T | undefined {
  let best: { item: T; platform: Platform } | undefined;
  for (const item of items) {
    const platform = platformOf(item);
    if (!platform || !matcher.match(platform)) continue;
    if (!best || matcher.less(platform, best.platform)) best = { item, platform };
  }
  return best?.item;
}

/** The image entry containerd pulls from an index for `want` (platforms.Only); attestations never match. */
export function selectManifest(index: ImageIndex, want: Platform): Descriptor | undefined {
  return bestMatch(imageEntries(index), (entry) => entry.platform, onlyPlatform(want));
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

type StepMatcher = (p: Platform) => boolean;

/** containerd's platformVector: the spec first, then what it can also run, best first. */
function platformVector(spec: Platform): Platform[] {
  const base = { os: spec.os, 'os.version': spec['os.version'], 'os.features': spec['os.features'] };
  const variantNumber = (v: string | undefined): number => (v !== undefined && /^v?\d+$/.test(v) ? Number(v.replace(/^v/, '')) : NaN);
  switch (spec.architecture) {
    case 'amd64': {
      const vector: Platform[] = [spec];
      const version = variantNumber(spec.variant);
      for (let v = version - 1; v >= 1; v--) vector.push({ ...base, architecture: 'amd64', variant: `v${v}` });
      vector.push({ ...base, architecture: '386' });
      return vector;
    }
    case 'arm': {
      const vector: Platform[] = [spec];
      const version = variantNumber(spec.variant);
      for (let v = version - 1; v >= 5; v--) vector.push({ ...base, architecture: 'arm', variant: `v${v}` });
      return vector;
    }
    case 'arm64': {
      const variant = spec.variant ?? 'v8';
      const versions = ARM64_VARIANTS[variant];
      const vector: Platform[] = [];
      if (!versions) return vector; // containerd: an unknown arm64 variant matches nothing
      versions.forEach(([major, topMinor]) => {
        for (let minor = topMinor; minor >= 0; minor--) {
          vector.push({ ...base, architecture: 'arm64', variant: minor === 0 ? `v${major}` : `v${major}.${minor}` });
        }
      });
      // Every arm64 v8.x/v9.x CPU runs 32-bit arm v8 and below.
      return [...vector, ...platformVector({ ...base, architecture: 'arm', variant: 'v8' })];
    }
    default:
      return [spec];
  }
}

/** arm64 variant → [major, highest minor] revisions it runs, best first (containerd's arm64variantToVersion). */
const ARM64_VARIANTS: Record<string, Array<[number, number]>> = Object.fromEntries([
  ['v8', [[8, 0]]],
  ...Array.from({ length: 10 }, (_, minor) => [`v8.${minor}`, [[8, minor]]]),
  ['v9', [[9, 0], [8, 5]]],
  ...Array.from({ length: 8 }, (_, minor) => [`v9.${minor}`, [[9, minor], [8, Math.min(minor + 5, 9)]]]),
]) as Record<string, Array<[number, number]>>;

/** containerd's NewMatcher(step).Match, with its Windows rules (os.version compatibility, win32k ignored). */
function exactMatcher(step: Platform): StepMatcher {
  const want = normalizePlatform(step);
  const windows = want.os === 'windows';
  const host = windows ? windowsVersion(want['os.version']) : undefined;
  return (candidate) => {
    // containerd ignores win32k on Windows candidates (windowsStripFeaturesMatcher): one of them,
    // taken out before normalising, so a list with win32k twice still has one and does not match.
    const p = normalizePlatform(windows ? withoutOneWin32k(candidate) : candidate);
    if (p.os !== want.os || p.architecture !== want.architecture || (p.variant ?? '') !== (want.variant ?? '')) return false;
    if (host && !windowsCompatible(host, candidate['os.version'])) return false;
    const features = p['os.features'] ?? [];
    const allowed = new Set(want['os.features'] ?? []);
    return features.every((f) => allowed.has(f));
  };
}

function withoutOneWin32k(p: Platform): Platform {
  const features: unknown = p['os.features'];
  const at = Array.isArray(features) ? features.indexOf('win32k') : -1;
  return at < 0 ? p : { ...p, 'os.features': p['os.features']!.filter((_, i) => i !== at) };
}

/** containerd's orderedPlatformComparer.Less. */
function orderedLess(steps: StepMatcher[], a: Platform, b: Platform): boolean {
  for (const step of steps) {
    const am = step(a);
    const bm = step(b);
    if (am && !bm) return true;
    if (am || bm) {
      // Both match: prefer the one with more os.features.
      if (am && bm) {
        const af = a['os.features']?.length ?? 0;
        const bf = b['os.features']?.length ?? 0;
        if (af !== bf) return af > bf;
      }
      return false;
    }
  }
  if (a['os.features']?.length || b['os.features']?.length) {
    return orderedLess(steps, withoutFeatures(a), withoutFeatures(b));
  }
  return false;
}

function withoutFeatures(p: Platform): Platform {
  const bare = { ...p };
  delete bare['os.features'];
  return bare;
}

interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
}

const LTSC2022 = 20348;
const COMPAT_LTSC = [LTSC2022, 26100];

function windowsVersion(version: string | undefined): WindowsVersion | undefined {
  const parts = (version ?? '').split('.');
  if (parts.length < 3) return undefined;
  const [major, minor, build] = parts.slice(0, 3).map((n) => (/^\d+$/.test(n) ? Number(n) : NaN)) as [number, number, number];
  if (!(major <= 255 && minor <= 255 && build <= 65535)) return undefined;
  if (major === 0 && minor === 0 && build === 0) return undefined;
  return { major, minor, build };
}

/** containerd's checkWindowsHostAndContainerCompat: exact build before ltsc2022, stable ABI after. */
function windowsCompatible(host: WindowsVersion, containerVersion: string | undefined): boolean {
  if (!containerVersion) return true;
  const ctr = windowsVersion(containerVersion) ?? { major: 0, minor: 0, build: 0 };
  if (host.major !== ctr.major || host.minor !== ctr.minor) return false;
  if (host.build < LTSC2022) return host.build === ctr.build;
  let supported = LTSC2022;
  for (let i = COMPAT_LTSC.length - 1; i >= 0; i--) {
    if (host.build > COMPAT_LTSC[i]!) {
      supported = COMPAT_LTSC[i]!;
      break;
    }
  }
  return supported <= ctr.build && ctr.build <= host.build;
}

function lower(value: string | undefined): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

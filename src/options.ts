// Parsing of option values shared by the action's inputs and the CLI's flags. Pure: no
// @actions/core here, so the CLI and tests use the same rules and messages.

import { VerifyImageError } from './errors.js';
import { formatPlatform, parsePlatform } from './oci/platform.js';
import { isValidDigest } from './oci/reference.js';
import type { Platform } from './oci/types.js';

export type FailOn = { mismatch: boolean };

export function parseDigest(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  if (!isValidDigest(v)) {
    throw new VerifyImageError('input', `the digest input "${v.slice(0, 80)}" is not a digest: pass sha256:<64 hex>, e.g. \${{ steps.build.outputs.digest }}`);
  }
  return v;
}

export function parseList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseFailOn(value: string): FailOn {
  const items = parseList(value.toLowerCase());
  if (items.length === 0) return { mismatch: true };
  const known = new Set(['mismatch', 'never']);
  const unknown = items.filter((i) => !known.has(i));
  if (unknown.length) throw new VerifyImageError('input', `fail-on "${value}" is not understood: use mismatch (the default) or never`);
  if (items.includes('never') && items.length > 1) throw new VerifyImageError('input', `fail-on "${value}" mixes never with other values: use one or the other`);
  return { mismatch: items.includes('mismatch') };
}

export function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase();
  if (!v) return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new VerifyImageError('input', `the ${name} input "${value}" is not a boolean: use true or false`);
}

/**
 * The platform input: empty (the local image's platform, or every platform of a local index),
 * `all`, one `os/arch[/variant]`, or a comma-separated list.
 */
export type PlatformSelection =
  | { kind: 'default' }
  | { kind: 'all' }
  | { kind: 'one'; platform: Platform }
  | { kind: 'list'; platforms: Platform[] };

export function parsePlatformSelection(value: string | undefined): PlatformSelection {
  const items = parseList(value ?? '');
  if (items.length === 0) return { kind: 'default' };
  if (items.some((i) => i.toLowerCase() === 'all')) {
    if (items.length > 1) throw new VerifyImageError('input', `platform "${value}" mixes all with single platforms: use all, or list the platforms`);
    return { kind: 'all' };
  }
  const platforms: Platform[] = [];
  for (const item of items) {
    let platform: Platform;
    try {
      platform = parsePlatform(item);
    } catch {
      throw new VerifyImageError('input', `platform "${item}" is not os/architecture[/variant]: use e.g. linux/amd64, a comma-separated list (linux/amd64,linux/arm64) or all`);
    }
    if (!platforms.some((p) => formatPlatform(p) === formatPlatform(platform))) platforms.push(platform);
  }
  return platforms.length === 1 ? { kind: 'one', platform: platforms[0] as Platform } : { kind: 'list', platforms };
}

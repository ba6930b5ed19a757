// Parsing of option values shared by the action's inputs and the CLI's flags. Pure: no
// @actions/core here, so the CLI and tests use the same rules and messages.

import { VerifyImageError, type OptionKey } from './errors.js';
import { formatPlatform, parsePlatform } from './oci/platform.js';
import { isValidDigest, parseReference } from './oci/reference.js';
import type { Platform } from './oci/types.js';

/** What fails the step: a mismatch with the local build, a base that has moved on, or nothing (never). */
export type FailOn = { mismatch: boolean; drift: boolean };

export function parseDigest(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  if (!isValidDigest(v)) {
    throw new VerifyImageError('input', (w) => `${w.phrase('digest')} "${v.slice(0, 80)}" is not a digest: pass sha256:<64 hex>${w.cli ? '' : ', e.g. ${{ steps.build.outputs.digest }}'}`);
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
  if (items.length === 0) return { mismatch: true, drift: false };
  const known = new Set(['mismatch', 'drift', 'never']);
  const unknown = items.filter((i) => !known.has(i));
  if (unknown.length) {
    throw new VerifyImageError('input', (w) => `${w.name('fail-on')} "${value}" is not understood: use a comma list of mismatch (the default) and drift, e.g. mismatch,drift, or never`);
  }
  if (items.includes('never') && items.length > 1) throw new VerifyImageError('input', (w) => `${w.name('fail-on')} "${value}" mixes never with other values: use one or the other`);
  return { mismatch: items.includes('mismatch'), drift: items.includes('drift') };
}

/** The base-image input: auto (detect), none (skip the base check), or a reference checked now. */
export function parseBaseImage(value: string): string {
  const v = value.trim();
  if (!v || v.toLowerCase() === 'auto') return 'auto';
  if (v.toLowerCase() === 'none') return 'none';
  try {
    parseReference(v);
  } catch (err) {
    if (err instanceof VerifyImageError) throw new VerifyImageError('input', (w) => `${w.phrase('base-image')}: ${err.message}; or use auto or none`);
    throw err;
  }
  return v;
}

/**
 * build-args as docker/build-push-action takes them: one NAME=value per line (values may contain
 * '=' and ','). A bare NAME takes its value from the environment, as `docker build --build-arg NAME` does.
 */
export function parseBuildArgs(value: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const args: Record<string, string> = {};
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    const name = (eq === -1 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new VerifyImageError('input', (w) =>
        w.cli
          ? `${w.name('build-args')} "${line.slice(0, 80)}" does not start with an ARG name: write NAME=value`
          : `${w.name('build-args')} line "${line.slice(0, 80)}" does not start with an ARG name: write one NAME=value per line`,
      );
    }
    if (eq !== -1) args[name] = line.slice(eq + 1);
    else if (env[name] !== undefined) args[name] = env[name] as string;
  }
  return args;
}

export function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase();
  if (!v) return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new VerifyImageError('input', `the ${name} input "${value}" is not a boolean: use true or false`);
}

/** `registry-timeout`: whole seconds of silence, 1 to 3600; empty means the default (60 s). */
export function parseRegistryTimeout(value: string): number | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const n = Number(v.replace(/s$/, ''));
  if (!/^\d+s?$/.test(v) || n < 1 || n > 3600) {
    throw new VerifyImageError('input', (w) => `${w.name('registry-timeout')} "${v.slice(0, 40)}" is not understood: give whole seconds from 1 to 3600, e.g. 60`);
  }
  return n * 1000;
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
    if (items.length > 1) throw new VerifyImageError('input', (w) => `${w.name('platform')} "${value}" mixes all with single platforms: use all, or list the platforms`);
    return { kind: 'all' };
  }
  const platforms: Platform[] = [];
  for (const item of items) {
    let platform: Platform;
    try {
      platform = parsePlatform(item);
    } catch {
      throw new VerifyImageError('input', (w) => `${w.name('platform')} "${item}" is not os/architecture[/variant]: use e.g. linux/amd64, a comma-separated list (linux/amd64,linux/arm64) or all`);
    }
    if (!platforms.some((p) => formatPlatform(p) === formatPlatform(platform))) platforms.push(platform);
  }
  return platforms.length === 1 ? { kind: 'one', platform: platforms[0] as Platform } : { kind: 'list', platforms };
}

/** The most layers deep verification keeps in flight (the deep-concurrency input and --concurrency). */
export const MAX_CONCURRENCY = 32;

/** Layers verified at once: a whole number from 1 to `max`; empty means automatic (undefined). */
export function parseConcurrency(option: OptionKey, value: string, max: number): number | undefined {
  const v = value.trim().toLowerCase();
  if (!v || v === 'auto') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new VerifyImageError('input', (w) => `${w.phrase(option)} "${value}" is not a number of layers: use a whole number from 1 to ${max}${w.cli ? '' : ', or leave it empty for automatic'}`);
  }
  return n;
}

export type RequiredAttestation = 'provenance' | 'sbom';

/** `require-attestations`: a comma or newline list of provenance and sbom; empty requires none. */
export function parseRequireAttestations(name: string, value: string): RequiredAttestation[] {
  const kinds: RequiredAttestation[] = [];
  for (const item of parseList(value.toLowerCase())) {
    if (item !== 'provenance' && item !== 'sbom') {
      throw new VerifyImageError('input', `${name} "${item.slice(0, 80)}" is not an attestation kind: use provenance, sbom or both (comma-separated), or leave it empty`);
    }
    if (!kinds.includes(item)) kinds.push(item);
  }
  return kinds;
}

/**
 * `platforms-expected`: the platforms the pushed tag must serve, exactly (a comma or newline list,
 * normalised as containerd does: linux/arm64/v8 is linux/arm64). Empty: no platform gate.
 */
export function parsePlatformsExpected(name: string, value: string): Platform[] | undefined {
  const items = parseList(value);
  if (items.length === 0) return undefined;
  const platforms: Platform[] = [];
  for (const item of items) {
    let platform: Platform;
    try {
      platform = parsePlatform(item);
    } catch {
      throw new VerifyImageError('input', `${name} "${item.slice(0, 80)}" is not os/architecture[/variant]: list every platform the tag must serve, e.g. linux/amd64,linux/arm64`);
    }
    if (platforms.some((p) => formatPlatform(p) === formatPlatform(platform))) {
      throw new VerifyImageError('input', `${name} lists ${formatPlatform(platform)} twice: name each platform once`);
    }
    platforms.push(platform);
  }
  return platforms;
}

/**
 * A byte count: `1048576`, `20MB`, `1.5 GiB`. K, M, G, T (with or without B) are powers of 1000
 * and KiB, MiB, GiB, TiB powers of 1024, as dive's `.dive-ci` reads them (go-humanize).
 */
export function parseByteSize(name: string, value: string): number | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(i?)b?|b)?$/i.exec(v);
  const power = match?.[2] ? 'kmgt'.indexOf(match[2].toLowerCase()) + 1 : 0;
  const bytes = match ? Math.round(Number(match[1]) * (match[3] ? 1024 : 1000) ** power) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new VerifyImageError('input', `${name} "${v.slice(0, 40)}" is not a size: give bytes, optionally with K, M or G (powers of 1000) or KiB, MiB, GiB, e.g. 20MB`);
  }
  return bytes;
}

/** A percentage from 0 to 100, with or without `%`. */
export function parsePercent(name: string, value: string): number | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const n = Number(v.replace(/\s*%$/, ''));
  if (!/^\d+(\.\d+)?\s*%?$/.test(v) || n > 100) {
    throw new VerifyImageError('input', `${name} "${v.slice(0, 40)}" is not a percentage: give a number from 0 to 100, e.g. 10 or 10%`);
  }
  return n;
}

/** A ratio from 0 to 1 (dive's lowestEfficiency). */
export function parseRatio(name: string, value: string): number | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(v) || n > 1) {
    throw new VerifyImageError('input', `${name} "${v.slice(0, 40)}" is not a ratio: give a number from 0 to 1, e.g. 0.95`);
  }
  return n;
}

export interface EfficiencyValues {
  maxWastedBytes: string;
  maxWastedPercent: string;
  minWastedBytes: string;
  minEfficiency: string;
}

/**
 * The efficiency gate from its four inputs (`flag` spells each name as the caller's users write it).
 * It reads every layer's files, so it needs deep; min-wasted-bytes only qualifies max-wasted-percent.
 */
export function parseEfficiencyGate(values: EfficiencyValues, deep: boolean, flag: (name: string) => string, deepFlag: string): EfficiencyGate | undefined {
  const gate: EfficiencyGate = {
    maxWastedBytes: parseByteSize(flag('max-wasted-bytes'), values.maxWastedBytes),
    maxWastedPercent: parsePercent(flag('max-wasted-percent'), values.maxWastedPercent),
    minWastedBytes: parseByteSize(flag('min-wasted-bytes'), values.minWastedBytes),
    minEfficiency: parseRatio(flag('min-efficiency'), values.minEfficiency),
  };
  const given = (Object.keys(gate) as (keyof EfficiencyGate)[]).filter((k) => gate[k] !== undefined);
  if (given.length === 0) return undefined;
  const names = given.map((k) => flag(k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))).join(', ');
  if (!deep) throw new VerifyImageError('input', `${names} need${given.length === 1 ? 's' : ''} ${deepFlag} (wasted bytes and efficiency are counted from every layer's files): add ${deepFlag}`);
  if (gate.minWastedBytes !== undefined && gate.maxWastedPercent === undefined) {
    throw new VerifyImageError('input', `${flag('min-wasted-bytes')} is the floor under which ${flag('max-wasted-percent')} does not apply: set ${flag('max-wasted-percent')} too, or use ${flag('max-wasted-bytes')}`);
  }
  return gate;
}

/** The efficiency gate's limits; each is off when undefined. */
export interface EfficiencyGate {
  /** Wasted bytes allowed. */
  maxWastedBytes?: number;
  /** Wasted bytes allowed, in percent (0–100) of the image's uncompressed size. */
  maxWastedPercent?: number;
  /** Below this many wasted bytes the percentage limit does not apply (small images). */
  minWastedBytes?: number;
  /** The lowest efficiency score allowed, 0–1 (dive's `lowestEfficiency`). */
  minEfficiency?: number;
}

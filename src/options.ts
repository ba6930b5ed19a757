// Parsing of option values shared by the action's inputs and the CLI's flags. Pure: no
// @actions/core here, so the CLI and tests use the same rules and messages.

import { VerifyImageError } from './errors.js';
import { isValidDigest } from './oci/reference.js';

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

/** Layers verified at once: a whole number from 1 to `max`; empty means automatic (undefined). */
export function parseConcurrency(name: string, value: string, max: number): number | undefined {
  const v = value.trim().toLowerCase();
  if (!v || v === 'auto') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new VerifyImageError('input', `the ${name} input "${value}" is not a number of layers: use a whole number from 1 to ${max}, or leave it empty for automatic`);
  }
  return n;
}

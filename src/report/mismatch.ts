// A mismatch, side by side: what the registry serves and what the local build is (digest, image
// ID, created, layer counts, the first layer that differs), and a one-line diagnosis of why, from
// the layer rows and the two build times. Pure and plain text: the summary renders it as a table,
// the verdict sentence borrows the diagnosis, and each medium escapes what it shows.

import { shortDigest } from '../oci/digest.js';
import { instructionOf } from '../model/history.js';
import type { LayerRow, PlatformReport } from '../model/report.js';
import { shorten } from './format.js';
import { span, timeOf, utcSecond } from './time.js';

/** What the diagnosis reads: one platform's layer rows, its base layer count and both build times. */
export interface MismatchFacts {
  layers: readonly LayerRow[];
  /** How many leading layers are the base's (from the base attribution), when known. */
  baseLayers?: number;
  registryCreated?: string;
  localCreated?: string;
  /** The layers all match but the config does not (rule image-id failed, diff-ids passed). */
  configDiffers?: boolean;
}

export interface Diagnosis {
  /** The first layer (1-based) whose diff_id differs, or that one side lacks. */
  firstDiffering?: number;
  /** What differs, in a few words: "a different base", "a different build of the same Dockerfile". */
  cause: string;
  /** What the two build times add: "the registry's image was built 9 s after yours: …". */
  timing?: string;
}

/**
 * Why the registry's image is not the local build, from what the report holds and nothing else:
 * a differing layer of the base means another base; the same steps with other layers mean another
 * build of the same Dockerfile; other steps, another image. The build times say who came later.
 */
export function diagnose(facts: MismatchFacts): Diagnosis {
  const timing = timingOf(facts.registryCreated, facts.localCreated);
  const first = facts.layers.find((row) => row.status === 'differs');
  const withTiming = (d: Diagnosis): Diagnosis => (timing ? { ...d, timing } : d);
  if (!first) {
    return withTiming({
      cause: facts.configDiffers
        ? 'the same layers with a different config: rebuilt with other metadata (labels, environment, created time) or converted'
        : 'no layer differs',
    });
  }
  const n = first.index;
  const base = facts.baseLayers !== undefined && facts.baseLayers > 0 && n <= facts.baseLayers ? true : first.origin === 'base';
  if (base) return withTiming({ firstDiffering: n, cause: `a different base (layer ${n} belongs to the base image)` });
  const steps = sameSteps(facts.layers);
  if (steps === true) return withTiming({ firstDiffering: n, cause: 'a different build of the same Dockerfile (the same steps made other layers)' });
  if (steps === false) return withTiming({ firstDiffering: n, cause: `different build steps from layer ${n} on: another image` });
  return withTiming({ firstDiffering: n, cause: `a different build from layer ${n} on` });
}

/** The diagnosis as one line: "a different base: …; the registry's image was built …". */
export function diagnosisText(diagnosis: Diagnosis): string {
  return diagnosis.timing ? `${diagnosis.cause}; ${diagnosis.timing}` : diagnosis.cause;
}

/**
 * Whether both sides were made by the same build steps: true or false when every layer's
 * instruction is known on both sides, undefined when any is not (the comparison would be a guess).
 */
export function sameSteps(rows: readonly LayerRow[]): boolean | undefined {
  const registry = rows.filter((r) => r.diffId !== undefined).map((r) => r.instruction);
  const local = rows.filter((r) => r.localDiffId !== undefined).map((r) => r.localInstruction);
  if (registry.length === 0 || local.length === 0 || [...registry, ...local].some((i) => i === undefined)) return undefined;
  if (registry.length !== local.length) return false;
  return registry.every((instruction, i) => instructionOf(instruction) === instructionOf(local[i]));
}

function timingOf(registryCreated: string | undefined, localCreated: string | undefined): string | undefined {
  const registry = timeOf(registryCreated);
  const local = timeOf(localCreated);
  if (registry === undefined || local === undefined) return undefined;
  const delta = registry - local;
  // Within a second the two times tell nothing (and a reproducible build pins both).
  if (Math.abs(delta) < 1000) return undefined;
  if (delta > 0) return `the registry's image was built ${span(delta)} after yours: another job likely overwrote the tag`;
  return `your build is ${span(delta)} newer than the registry's image: the tag holds an older build (another job pushed it, or yours was never pushed)`;
}

/** One row of the side-by-side table; `code` marks digests and instructions. */
export interface ComparisonRow {
  label: string;
  registry: string;
  local: string;
  code?: boolean;
  /** The full values behind shortened ones, for a copyable block. */
  fullRegistry?: string;
  fullLocal?: string;
}

export interface Comparison {
  platform: string;
  rows: ComparisonRow[];
  /** The leading layers both sides share, when any: their range, 1-based, inclusive. */
  identical?: { from: number; to: number; base: boolean };
  /** The first differing layer's rows (instruction, diff_id), after `identical`. */
  differing: ComparisonRow[];
  diagnosis: Diagnosis;
}

/** The side-by-side comparison of one platform that exists on both sides; undefined otherwise. */
export function comparisonOf(platform: PlatformReport): Comparison | undefined {
  const { remote, local } = platform;
  if (!remote || !local) return undefined;
  const rows = platform.layers;
  const baseLayers = platform.base?.layers ?? (rows.some((r) => r.origin) ? rows.filter((r) => r.origin === 'base').length : undefined);
  const configDiffers = platform.checks.some((c) => c.rule === 'image-id' && !c.ok) && !platform.checks.some((c) => c.rule === 'diff-ids' && !c.ok);
  const diagnosis = diagnose({ layers: rows, baseLayers, registryCreated: remote.created, localCreated: local.created, configDiffers });
  const registryLayers = rows.filter((r) => r.diffId !== undefined).length;
  const localLayers = rows.filter((r) => r.localDiffId !== undefined).length;
  const first = diagnosis.firstDiffering;
  // The local build shares the base when it holds the base's layers unchanged.
  const localSharesBase = baseLayers !== undefined && rows.slice(0, baseLayers).every((r) => r.status === 'match');
  const table: ComparisonRow[] = [
    digestRow('Digest', remote.manifestDigest, local.manifestDigest ?? (local.idKind === 'manifest' ? local.id : undefined)),
    digestRow('Image ID', remote.configDigest, local.idKind === 'config' ? local.id : undefined),
    { label: 'Created', registry: utcSecond(remote.created) || '—', local: utcSecond(local.created) || '—' },
    {
      label: 'Layers',
      registry: layerCount(registryLayers, baseLayers),
      local: layerCount(localLayers, localSharesBase ? baseLayers : undefined),
    },
  ];
  const differing: ComparisonRow[] = [];
  const row = first !== undefined ? rows[first - 1] : undefined;
  if (row && first !== undefined) {
    const registryStep = instructionOf(row.instruction);
    const localStep = instructionOf(row.localInstruction);
    differing.push({
      label: `Layer ${first}`,
      registry: row.diffId === undefined ? '(no such layer)' : shorten(registryStep, 60) || '(instruction unknown)',
      local: row.localDiffId === undefined ? '(no such layer)' : shorten(localStep, 60) || '(instruction unknown)',
      code: true,
      ...(registryStep ? { fullRegistry: registryStep } : {}),
      ...(localStep ? { fullLocal: localStep } : {}),
    });
    differing.push(digestRow(`diff_id ${first}`, row.diffId, row.localDiffId));
  }
  const comparison: Comparison = { platform: platform.platform, rows: table, differing, diagnosis };
  if (first !== undefined && first > 1) comparison.identical = { from: 1, to: first - 1, base: baseLayers !== undefined && baseLayers > 0 && first - 1 <= baseLayers };
  return comparison;
}

function digestRow(label: string, registry: string | undefined, local: string | undefined): ComparisonRow {
  return {
    label,
    registry: registry ? shortDigest(registry) : '—',
    local: local ? shortDigest(local) : '—',
    code: true,
    ...(registry ? { fullRegistry: registry } : {}),
    ...(local ? { fullLocal: local } : {}),
  };
}

/** "5 (3 base + 2 own)", or "5" when the base's share is not known. */
export function layerCount(total: number, base: number | undefined): string {
  return base !== undefined && base > 0 && base <= total ? `${total} (${base} base + ${total - base} own)` : String(total);
}

// Which history entries made which layer. The image spec pairs them in order: each entry without
// `empty_layer` took the next layer. That holds for what Docker and BuildKit write; a squashed
// build (buildah's default, `podman build --squash`) keeps every entry but one layer, and marks
// the last entry (often CMD) as the one that made it. We pair only when the history can be read
// that way, and otherwise say how many build steps the layer folds together. The one place the
// layer table and the base attribution learn which instruction made a layer.

import type { HistoryEntry } from '../oci/types.js';

/** How one layer relates to the history. */
export type LayerSteps =
  /** Made by the history entry at `entry` (0-based index into the full history). */
  | { kind: 'step'; entry: number }
  /** Folds several build steps together: a squashed build, or a history that cannot be paired. */
  | { kind: 'squashed'; steps: number };

/** Instructions that change only the config; a layer "made" by one of them was made by earlier steps. */
const CONFIG_ONLY = /^(CMD|ENTRYPOINT|ENV|LABEL|EXPOSE|USER|ARG|STOPSIGNAL|HEALTHCHECK|SHELL|VOLUME|ONBUILD|MAINTAINER)\b/;

/**
 * One entry per layer (bottom first). Pairs in order when the non-empty entries and the layers
 * agree in number; when they do not, or when a config-only instruction claims a layer, the layer
 * is `squashed` with the number of build steps it stands for. No history: an empty list.
 */
export function layerSteps(history: readonly HistoryEntry[] | undefined, layers: number): LayerSteps[] {
  const entries = history ?? [];
  if (entries.length === 0 || layers === 0) return [];
  const makers: number[] = [];
  entries.forEach((entry, i) => {
    if (!entry.empty_layer) makers.push(i);
  });
  if (makers.length !== layers) {
    // Nothing says which entries made which layer: every layer stands for the whole history.
    return Array.from({ length: layers }, () => ({ kind: 'squashed' as const, steps: entries.length }));
  }
  return makers.map((entry, layer) => {
    if (!CONFIG_ONLY.test(instructionOf(entries[entry]?.created_by))) return { kind: 'step' as const, entry };
    // The steps since the previous layer's maker were folded into this layer.
    const previous = layer > 0 ? (makers[layer - 1] as number) : -1;
    return { kind: 'squashed' as const, steps: entry - previous };
  });
}

/** For each history entry, the 1-based layer it made; undefined for empty entries and squashed steps. */
export function layerOfEntries(history: readonly HistoryEntry[] | undefined, layers: number): (number | undefined)[] {
  const result: (number | undefined)[] = (history ?? []).map(() => undefined);
  layerSteps(history, layers).forEach((step, layer) => {
    if (step.kind === 'step') result[step.entry] = layer + 1;
  });
  return result;
}

/** The instruction that made each layer (bottom first), as imageLayers names them: `created_by`, or the squashed label. */
export function layerInstructions(history: readonly HistoryEntry[] | undefined, layers: number): (string | undefined)[] {
  return layerSteps(history, layers).map((step) => (step.kind === 'squashed' ? squashedLabel(step.steps) : history?.[step.entry]?.created_by));
}

/**
 * Turns a history `created_by` into the instruction a person wrote: the classic builder records
 * `/bin/sh -c #(nop)  COPY …`, BuildKit `RUN /bin/sh -c … # buildkit`, build args as `|2 A=1 B=2 …`.
 */
export function instructionOf(createdBy: string | undefined): string {
  if (!createdBy) return '';
  if (SQUASHED.test(createdBy)) return createdBy;
  let s = createdBy.trim().replace(/\s+# buildkit$/, '');
  // BuildKit prefixes RUN; the classic builder does not. Both record build args as `|N A=1 B=2`
  // and the shell-form wrapper, which the person never wrote.
  const buildkitRun = s.startsWith('RUN ');
  if (buildkitRun) s = s.slice('RUN '.length);
  s = s.replace(/^\|\d+\s+(?:\S+=\S*\s+)*/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(s);
  if (nop) s = s.slice(nop[0].length);
  else if (s.startsWith('/bin/sh -c ')) s = `RUN ${s.slice('/bin/sh -c '.length)}`;
  else if (buildkitRun) s = `RUN ${s}`;
  // COPY/ADD record content hashes (`file:<64 hex>`); the first 12 are enough to tell them apart.
  s = s.replace(/\b(file|dir|multi):([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1:$2');
  s = s.replace(/\s+/g, ' ').trim();
  // The classic builder records an exec-form RUN as the bare command.
  if (s && !INSTRUCTION.test(s)) s = `RUN ${s}`;
  return s;
}

/** The instruction cell of a layer that folds several build steps together (history.ts decides when). */
export function squashedLabel(steps: number): string {
  return `squashed (${steps} build step${steps === 1 ? '' : 's'})`;
}

const SQUASHED = /^squashed \(\d+ build steps?\)$/;

const INSTRUCTION = /^(FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)\b/;

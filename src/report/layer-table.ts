// The layer table, once, for every medium: which columns a platform's table has and what each
// cell says, from its LayerRows and (with deep verification) what its blobs proved. The job
// summary turns the cells into HTML, the CLI into padded text; neither decides a column or a
// value. Cells hold plain text: each medium escapes or neutralises it.

import { shortDigest } from '../oci/digest.js';
import { compressionLabel, layerResult, resultMark, shorten } from './format.js';
import { instructionOf } from '../model/history.js';
import { humanSize } from '../model/units.js';
import { shareBar } from './bars.js';
import type { DeepLayer, DeepReport } from '../model/deep.js';
import type { LayerRow } from '../model/report.js';

export type LayerColumn =
  | 'index'
  | 'match'
  | 'diffId'
  | 'digest'
  | 'size'
  | 'share'
  | 'type'
  | 'uncompressed'
  | 'files'
  | 'deleted'
  | 'wasted'
  | 'bytes'
  | 'result'
  | 'origin'
  | 'instruction';

/**
 * `main`: the table a reader scans. `detail`: what a narrow medium may move into a collapsed
 * section (compression type, deletions, the full deep result with its throughput).
 */
export type ColumnGroup = 'main' | 'detail';

export interface LayerCell {
  /** What the cell shows: a short digest, a shortened instruction, a size. */
  text: string;
  /** The whole value when `text` shortens it (a digest, an instruction). */
  full?: string;
  /** A digest or an instruction: shown as code. */
  code?: boolean;
  /** The local build's value, where it differs from the registry's. */
  local?: LayerCell;
}

export interface LayerTable {
  columns: { id: LayerColumn; title: string; group?: ColumnGroup }[];
  /** One row per layer, one cell per column, in column order. */
  rows: LayerCell[][];
  /**
   * Sums under the rows, one cell per column: the base's layers and the image's own when the
   * origin is known, then the whole image. The label is in the instruction column.
   */
  totals?: LayerCell[][];
}

const TITLES: Record<LayerColumn, string> = {
  index: '#',
  match: 'Match',
  diffId: 'diff_id',
  digest: 'Compressed digest',
  size: 'Size',
  share: 'Share of pull',
  type: 'Type',
  uncompressed: 'Uncompressed',
  files: 'Files',
  deleted: 'Deleted',
  wasted: 'Wasted',
  bytes: 'Bytes',
  result: 'Result',
  origin: 'Origin',
  instruction: 'Instruction',
};

/** An instruction cell shows this many characters; the whole instruction is in `full`. */
const INSTRUCTION_CHARS = 60;

/**
 * The table of one platform's layers. Deep columns (type, sizes, files, wasted bytes, what the
 * blob proved) appear when deep verification ran; the origin column once a base is known.
 */
export function layerTable(rows: readonly LayerRow[], deep?: DeepReport): LayerTable {
  const columns: LayerColumn[] = [
    'index',
    'match',
    'diffId',
    'digest',
    'size',
    'share',
    ...(deep ? (['type', 'uncompressed', 'files', 'deleted', 'wasted', 'bytes', 'result'] as const) : []),
    ...(rows.some((r) => r.origin) ? (['origin'] as const) : []),
    'instruction',
  ];
  const deepLayers = new Map((deep?.layers ?? []).map((l) => [l.index, l]));
  const pull = sum(rows.map((r) => r.size));
  const table: LayerTable = {
    columns: columns.map((id) => ({ id, title: TITLES[id], ...(DETAIL.has(id) ? { group: 'detail' as const } : {}) })),
    rows: rows.map((row) => columns.map((id) => cell(id, row, deepLayers.get(row.index), pull))),
  };
  if (rows.length) table.totals = totalRows(rows, deepLayers).map((group) => columns.map((id) => totalCell(id, group, pull)));
  return table;
}

/** Columns a narrow medium may fold away: the deep result in full (with throughput), the compression, deletions. `bytes` is its mark. */
const DETAIL = new Set<LayerColumn>(['type', 'deleted', 'result']);

interface TotalGroup {
  label: string;
  size?: number;
  uncompressed?: number;
  files?: number;
  deleted?: number;
  wasted?: number;
}

/** The base's layers, the image's own (when the origin is known), and all of them. */
export function totalRows(rows: readonly LayerRow[], deepLayers: ReadonlyMap<number, DeepLayer>): TotalGroup[] {
  const group = (label: string, members: readonly LayerRow[]): TotalGroup => {
    const deep = members.map((r) => deepLayers.get(r.index));
    const counts = deep.map((d) => d?.counts);
    return {
      label,
      size: sum(members.map((r) => r.size)),
      uncompressed: sum(deep.map((d) => d?.uncompressedSize)),
      files: sum(counts.map((c) => (c ? c.files + c.symlinks + c.hardlinks + c.others : undefined))),
      deleted: sum(counts.map((c) => (c ? c.whiteouts + c.opaqueDirs : undefined))),
      wasted: sum(deep.map((d) => (d?.counts ? (d.wastedBytes ?? 0) : undefined))),
    };
  };
  const groups: TotalGroup[] = [];
  if (rows.some((r) => r.origin)) {
    const base = rows.filter((r) => r.origin === 'base');
    const own = rows.filter((r) => r.origin === 'image');
    if (base.length) groups.push(group(`Base image: ${layerRange(base)}`, base));
    if (own.length) groups.push(group(`Your build: ${layerRange(own)}`, own));
  }
  groups.push(group(`Total: ${rows.length} ${rows.length === 1 ? 'layer' : 'layers'}`, rows));
  return groups;
}

function layerRange(rows: readonly LayerRow[]): string {
  const first = rows[0]?.index ?? 0;
  const last = rows[rows.length - 1]?.index ?? 0;
  return first === last ? `layer ${first}` : `layers ${first}–${last}`;
}

/** The sum of the known values; undefined when none is known (a column with nothing to add up). */
export function sum(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return known.length ? known.reduce((a, b) => a + b, 0) : undefined;
}

function totalCell(id: LayerColumn, group: TotalGroup, pull: number | undefined): LayerCell {
  switch (id) {
    case 'size':
      return { text: humanSize(group.size) };
    case 'share':
      return { text: group.size !== undefined && pull ? shareBar(group.size, pull) : '' };
    case 'uncompressed':
      return { text: humanSize(group.uncompressed) };
    case 'files':
      return { text: group.files !== undefined ? String(group.files) : '' };
    case 'deleted':
      return { text: group.deleted !== undefined ? String(group.deleted) : '' };
    case 'wasted':
      return { text: group.wasted === undefined ? '' : group.wasted ? humanSize(group.wasted) : '0' };
    case 'instruction':
      return { text: group.label };
    default:
      return { text: '' };
  }
}

function cell(id: LayerColumn, row: LayerRow, deep: DeepLayer | undefined, pull: number | undefined): LayerCell {
  const counts = deep?.counts;
  switch (id) {
    case 'index':
      return { text: String(row.index) };
    case 'match':
      return { text: row.status === 'match' ? '✓' : row.status === 'differs' ? '✗' : '–' };
    case 'diffId':
      // A differing layer shows the local diff_id beside the registry's, even when the local build has none ("—").
      return row.status === 'differs' && row.localDiffId !== row.diffId ? { ...digestCell(row.diffId), local: digestCell(row.localDiffId) } : digestCell(row.diffId);
    case 'digest':
      return row.localDigest && row.localDigest !== row.digest ? { ...digestCell(row.digest), local: digestCell(row.localDigest) } : digestCell(row.digest);
    case 'size':
      return { text: humanSize(row.size) };
    case 'share':
      return { text: row.size !== undefined && pull ? shareBar(row.size, pull) : '' };
    case 'type':
      return { text: deep ? compressionLabel(deep) : '' };
    case 'uncompressed':
      return { text: humanSize(deep?.uncompressedSize) };
    case 'files':
      return { text: counts ? String(counts.files + counts.symlinks + counts.hardlinks + counts.others) : '' };
    case 'deleted':
      return { text: counts ? String(counts.whiteouts + counts.opaqueDirs) : '' };
    case 'wasted':
      return { text: deep?.wastedBytes ? humanSize(deep.wastedBytes) : counts ? '0' : '' };
    case 'bytes':
      return { text: deep ? resultMark(deep) : '' };
    case 'result':
      return { text: deep ? `${resultMark(deep)} ${layerResult(deep)}` : '' };
    case 'origin':
      return { text: row.origin ?? '?' };
    case 'instruction': {
      const instruction = instructionOf(row.instruction);
      return instruction ? { text: shorten(instruction, INSTRUCTION_CHARS), full: instruction, code: true } : { text: '' };
    }
  }
}

function digestCell(digest: string | undefined): LayerCell {
  return digest ? { text: shortDigest(digest), full: digest, code: true } : { text: '—' };
}

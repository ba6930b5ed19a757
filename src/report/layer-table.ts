// The layer table, once, for every medium: which columns a platform's table has and what each
// cell says, from its LayerRows and (with deep verification) what its blobs proved. The job
// summary turns the cells into HTML, the CLI into padded text; neither decides a column or a
// value. Cells hold plain text: each medium escapes or neutralises it.

import { shortDigest } from '../oci/digest.js';
import { compressionLabel, layerResult, resultMark, shorten } from './format.js';
import { instructionOf } from '../model/history.js';
import { humanSize } from '../model/units.js';
import type { DeepLayer, DeepReport } from '../model/deep.js';
import type { LayerRow } from '../model/report.js';

export type LayerColumn = 'index' | 'match' | 'diffId' | 'digest' | 'size' | 'type' | 'uncompressed' | 'files' | 'deleted' | 'wasted' | 'result' | 'origin' | 'instruction';

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
  columns: { id: LayerColumn; title: string }[];
  /** One row per layer, one cell per column, in column order. */
  rows: LayerCell[][];
}

const TITLES: Record<LayerColumn, string> = {
  index: '#',
  match: 'Match',
  diffId: 'diff_id',
  digest: 'Compressed digest',
  size: 'Size',
  type: 'Type',
  uncompressed: 'Uncompressed',
  files: 'Files',
  deleted: 'Deleted',
  wasted: 'Wasted',
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
    ...(deep ? (['type', 'uncompressed', 'files', 'deleted', 'wasted', 'result'] as const) : []),
    ...(rows.some((r) => r.origin) ? (['origin'] as const) : []),
    'instruction',
  ];
  const deepLayers = new Map((deep?.layers ?? []).map((l) => [l.index, l]));
  return {
    columns: columns.map((id) => ({ id, title: TITLES[id] })),
    rows: rows.map((row) => columns.map((id) => cell(id, row, deepLayers.get(row.index)))),
  };
}

function cell(id: LayerColumn, row: LayerRow, deep: DeepLayer | undefined): LayerCell {
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

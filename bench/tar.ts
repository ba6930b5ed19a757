// Issue 15, item 2: what the tar index costs. The same uncompressed layers, cut into the same
// 64 KiB chunks (what a network read and inflate hand over), fed to our header walker
// (src/bytes/layer-index.ts `LayerIndexer`: reads the 512-byte headers, skips file contents by
// arithmetic) and to the `tar` package's `Parser` (already a dependency: it copies and emits
// every body chunk through an entry stream, and concatenates partial blocks). Median of 5 runs
// each, interleaved; both must find the same number of entries, or the bench stops.
// All in memory, after decompression: this measures parsing only, not inflate or hashing.
// Not a test: it prints numbers, it asserts nothing.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Parser } from 'tar';
import { LayerIndexer } from '../src/bytes/layer-index.js';
import { repoRoot } from '../test/helpers/action.js';
import { blobDataPath } from '../test/helpers/registry-api.js';
import { smallFiles, tarPieces, type FileSpec } from './images.js';
import { median } from './stats.js';

const CHUNK = 64 * 1024;
const MB = 1e6;

/** A corpus: a name and its layers, each an uncompressed tar cut into 64 KiB chunks. */
export interface TarCorpus {
  name: string;
  layers: Buffer[][];
}

export interface TarFigure {
  corpus: string;
  bytes: number;
  entries: number;
  indexerMBps: number;
  parserMBps: number;
}

function chunked(tar: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < tar.length; i += CHUNK) chunks.push(tar.subarray(i, Math.min(tar.length, i + CHUNK)));
  return chunks;
}

/** The bench image's layers, read from the registry's storage and gunzipped in memory. */
export async function imageCorpus(name: string, storageDir: string, digests: string[]): Promise<TarCorpus> {
  const layers: Buffer[][] = [];
  for (const digest of digests) layers.push(chunked(gunzipSync(await readFile(blobDataPath(storageDir, digest)), { chunkSize: 1024 * 1024 })));
  return { name, layers };
}

/** One generated layer: 20,000 files of 1–8 KiB in directories of 500, and 4 large files: ~200 MB. */
export function smallFilesCorpus(): TarCorpus {
  const files: FileSpec[] = [
    ...smallFiles('usr/lib/node_modules', 20_000 * 4608, 1024, 8192, 42, 'random'),
    ...[0, 1, 2, 3].map((i): FileSpec => ({ path: `opt/model/part-${i}.bin`, kind: 'random', size: 27 * MB })),
  ];
  const pieces: Buffer[] = [];
  for (const piece of tarPieces(files)) pieces.push(piece.bytes);
  return { name: `generated layer: ${(files.length - 4).toLocaleString('en-US')} files of 1–8 KiB + 4 of 27 MB`, layers: [chunked(Buffer.concat(pieces))] };
}

async function withIndexer(layer: Buffer[]): Promise<number> {
  const indexer = new LayerIndexer();
  for (const chunk of layer) indexer.write(chunk);
  return (await indexer.end()).index.paths.length;
}

function withParser(layer: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let entries = 0;
    const parser = new Parser({
      onReadEntry: (entry) => {
        entries++;
        entry.resume();
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(entries));
    for (const chunk of layer) parser.write(chunk);
    parser.end();
  });
}

/** Seconds and entries for one pass over every layer of `corpus`. */
async function pass(corpus: TarCorpus, parse: (layer: Buffer[]) => Promise<number>): Promise<{ seconds: number; entries: number }> {
  let entries = 0;
  const started = process.hrtime.bigint();
  for (const layer of corpus.layers) entries += await parse(layer);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, entries };
}

export async function tarBench(corpora: TarCorpus[], runs = 5): Promise<TarFigure[]> {
  console.log(`\ntar index (issue 15 item 2): the same 64 KiB chunks of uncompressed layers, in memory, median of ${runs} (min..max), on node ${process.version}:`);
  const figures: TarFigure[] = [];
  for (const corpus of corpora) {
    const bytes = corpus.layers.reduce((n, layer) => n + layer.reduce((m, c) => m + c.length, 0), 0);
    const ours: number[] = [];
    const theirs: number[] = [];
    let entries = -1;
    // One untimed pass each first, so that neither is timed while V8 still compiles it.
    await pass(corpus, withIndexer);
    await pass(corpus, withParser);
    for (let i = 0; i < runs; i++) {
      const a = await pass(corpus, withIndexer);
      const b = await pass(corpus, withParser);
      if (a.entries !== b.entries || (entries >= 0 && a.entries !== entries)) {
        throw new Error(`tar bench on ${corpus.name}: LayerIndexer found ${a.entries} entries, tar's Parser ${b.entries}: they must agree`);
      }
      entries = a.entries;
      ours.push(bytes / MB / a.seconds);
      theirs.push(bytes / MB / b.seconds);
    }
    const figure = { corpus: corpus.name, bytes, entries, indexerMBps: median(ours), parserMBps: median(theirs) };
    figures.push(figure);
    const range = (v: number[]) => `${Math.min(...v).toFixed(0)}..${Math.max(...v).toFixed(0)}`;
    console.log(`  ${corpus.name}: ${corpus.layers.length} layer(s), ${(bytes / MB).toFixed(0)} MB, ${entries} entries (both agree)`);
    console.log(`    ${'LayerIndexer (ours)'.padEnd(26)} ${figure.indexerMBps.toFixed(0).padStart(6)} MB/s (${range(ours)})`);
    console.log(`    ${`tar ${tarVersion()} Parser`.padEnd(26)} ${figure.parserMBps.toFixed(0).padStart(6)} MB/s (${range(theirs)})`);
    console.log(`    ours is ${(figure.indexerMBps / figure.parserMBps).toFixed(1)}x the tar package's speed`);
  }
  return figures;
}

function tarVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot(), 'node_modules', 'tar', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

// The tar index on hand-made archives (issue 16): every entry kind (hard links, devices, fifos,
// GNU directory and contiguous types), whiteouts at the root, PAX and GNU long names, and archives
// Go's archive/tar refuses (bad numbers, truncated bodies, oversized special headers). Built
// block by block here, so each case is exactly the bytes it names.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayerIndexer, type LayerContents } from '../../src/bytes/layer-index.js';

const BLOCK = 512;

interface Header {
  name: string;
  type?: string;
  size?: number;
  /** Overrides the size field's text (malformed numbers). */
  sizeField?: string;
  magic?: 'ustar' | 'gnu' | 'v7';
  prefix?: string;
}

function header(h: Header): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  b.write('0000644\0', 100, 'ascii');
  b.write('0000000\0', 108, 'ascii');
  b.write('0000000\0', 116, 'ascii');
  b.write(h.sizeField ?? `${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  b.write('00000000000\0', 136, 'ascii');
  b.write(h.type ?? '0', 156, 'ascii');
  const magic = h.magic ?? 'ustar';
  if (magic === 'ustar') b.write('ustar\u000000', 257, 'binary');
  if (magic === 'gnu') b.write('ustar  \0', 257, 'binary');
  if (h.prefix) b.write(h.prefix, 345, 155, 'utf8');
  b.write('        ', 148, 'ascii');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return b;
}

const body = (content: string | Buffer): Buffer => {
  const bytes = Buffer.from(content);
  return Buffer.concat([bytes, Buffer.alloc((BLOCK - (bytes.length % BLOCK)) % BLOCK)]);
};
const entry = (h: Header, content = ''): Buffer => Buffer.concat([header({ ...h, size: h.size ?? Buffer.byteLength(content) }), body(content)]);
const END = Buffer.alloc(2 * BLOCK);

async function index(...parts: Buffer[]): Promise<LayerContents> {
  const indexer = new LayerIndexer();
  // Byte by byte in places: headers split across chunks must read the same.
  const all = Buffer.concat(parts);
  indexer.write(all.subarray(0, 700));
  for (let i = 700; i < Math.min(all.length, 1300); i++) indexer.write(all.subarray(i, i + 1));
  if (all.length > 1300) indexer.write(all.subarray(1300));
  return indexer.end();
}

async function refused(pattern: RegExp, ...parts: Buffer[]): Promise<void> {
  const indexer = new LayerIndexer();
  indexer.write(Buffer.concat(parts));
  await assert.rejects(indexer.end(), pattern);
}

test('every entry kind is counted as what it is', async () => {
  const { counts, index: idx } = await index(
    entry({ name: 'file' }, 'abc'),
    entry({ name: 'contiguous', type: '7' }, 'de'),
    entry({ name: 'dir/', type: '5' }),
    entry({ name: 'dumpdir', type: 'D', magic: 'gnu' }),
    entry({ name: 'link', type: '2' }),
    entry({ name: 'hard', type: '1' }),
    entry({ name: 'chr', type: '3' }),
    entry({ name: 'blk', type: '4' }),
    entry({ name: 'fifo', type: '6' }),
    END,
  );
  assert.deepEqual(idx, {
    paths: ['file', 'contiguous', 'dir', 'dumpdir', 'link', 'hard', 'chr', 'blk', 'fifo'],
    kinds: 'ffddlhooo',
    sizes: [3, 2, 0, 0, 0, 0, 0, 0, 0],
  });
  assert.deepEqual(counts, { files: 2, directories: 2, symlinks: 1, hardlinks: 1, others: 3, whiteouts: 0, opaqueDirs: 0, fileBytes: 5 });
});

test('a hard link or device header has no body, whatever its size says (Go: isHeaderOnlyType)', async () => {
  for (const type of ['1', '3', '4', '5', '6']) {
    const { index: idx } = await index(header({ name: 'x', type, size: 600 }), entry({ name: 'after' }, 'y'), END);
    assert.deepEqual(idx.paths, ['x', 'after'], `type ${type}`);
  }
});

test('a NUL typeflag is a file, or a directory when the name ends in a slash (old V7 archives)', async () => {
  const { index: idx } = await index(entry({ name: 'old', type: '\0', magic: 'v7' }, 'z'), entry({ name: 'olddir/', type: '\0', magic: 'v7' }), END);
  assert.deepEqual(idx, { paths: ['old', 'olddir'], kinds: 'fd', sizes: [1, 0] });
});

test('whiteouts at the root and below, opaque markers, and AUFS bookkeeping', async () => {
  const { counts, index: idx } = await index(
    entry({ name: '.wh.rootfile' }),
    entry({ name: 'etc/.wh.passwd' }),
    entry({ name: '.wh..wh..opq' }),
    entry({ name: 'var/.wh..wh..opq' }),
    entry({ name: '.wh..wh.plnk/123', type: '5' }),
    entry({ name: '.wh..wh.aufs' }),
    END,
  );
  assert.deepEqual(idx, { paths: ['rootfile', 'etc/passwd', '', 'var', '.wh..wh.plnk/123'], kinds: 'wwqqd', sizes: [0, 0, 0, 0, 0] });
  assert.equal(counts.whiteouts, 2);
  assert.equal(counts.opaqueDirs, 2);
});

test('PAX path and size, and a GNU long name, name the entry that follows; a long link names nothing', async () => {
  const pax = (records: Record<string, string>) =>
    Object.entries(records)
      .map(([k, v]) => {
        const rest = ` ${k}=${v}\n`;
        let n = rest.length + 1;
        while (`${n}${rest}`.length !== n) n++;
        return `${n}${rest}`;
      })
      .join('');
  const longName = `${'n'.repeat(150)}/file`;
  const { index: idx } = await index(
    entry({ name: 'PaxHeader', type: 'x' }, pax({ path: 'pax/named', size: '4' })),
    entry({ name: 'short', size: 4 }, 'four'),
    entry({ name: '././@LongLink', type: 'L', magic: 'gnu' }, `${longName}\0`),
    entry({ name: 'trunc', magic: 'gnu' }, 'ab'),
    entry({ name: '././@LongLink', type: 'K', magic: 'gnu' }, 'target\0'),
    entry({ name: 'sym', type: '2', magic: 'gnu' }),
    entry({ name: 'b', prefix: 'pre/fix' }, 'c'),
    END,
  );
  assert.deepEqual(idx.paths, ['pax/named', longName, 'sym', 'pre/fix/b']);
  assert.deepEqual(idx.sizes, [4, 2, 0, 1]);
});

test('a global PAX header names no entry and clears what was pending', async () => {
  const { index: idx } = await index(entry({ name: 'L', type: 'L', magic: 'gnu' }, 'pending\0'), entry({ name: 'g', type: 'g' }, '13 comment=x\n'), entry({ name: 'plain' }, 'p'), END);
  assert.deepEqual(idx.paths, ['plain']);
});

test('malformed archives are refused, as Go refuses them', async () => {
  await refused(/numeric field is not a number/, header({ name: 'bad', sizeField: '0000000009\0' }), END);
  await refused(/truncated tar/, header({ name: 'cut', size: 1000 }), Buffer.alloc(600));
  await refused(/truncated tar/, header({ name: 'cut' }).subarray(0, 300));
  await refused(/truncated tar/, header({ name: 'PaxHeader', type: 'x', size: 100 }), Buffer.alloc(50));
  await refused(/Go refuses more than 1 MiB/, header({ name: 'huge', type: 'x', size: 1024 * 1024 + 1 }), END);
  await refused(/invalid PAX header/, entry({ name: 'PaxHeader', type: 'x' }, 'not a record\n'), entry({ name: 'f' }, 'x'), END);
  await refused(/GNU sparse entry in a non-GNU header/, header({ name: 'sparse', type: 'S' }), END);
  await refused(/invalid tar header/, Buffer.concat([Buffer.from('x'.repeat(BLOCK))]), END);
  await refused(/invalid PAX size/, entry({ name: 'PaxHeader', type: 'x' }, '14 size=-1234\n'), entry({ name: 'f' }, 'x'), END);
});

test('an empty special header goes straight to the next entry', async () => {
  const { index: idx } = await index(header({ name: 'PaxHeader', type: 'x', size: 0 }), entry({ name: 'next' }, 'n'), END);
  assert.deepEqual(idx.paths, ['next']);
});

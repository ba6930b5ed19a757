// The tar index against Go's archive/tar, case by case (issue 16): header formats (V7, USTAR, star,
// GNU with and without the pre-Go-1.8 prefix), checksums (unsigned and signed), numeric fields
// (octal with its padding rules, base-256 positive, negative and overflowing), PAX records and GNU
// long names, old GNU sparse headers, archives without an end marker. Every archive is fed in chunks
// of 1, 511, 513 bytes and whole, and must read the same each way: chunk boundaries are where a
// header walker breaks.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayerIndexer, type LayerContents } from '../../src/bytes/layer-index.js';

const BLOCK = 512;

interface Raw {
  name?: string | Buffer;
  type?: string;
  size?: number;
  magic?: 'ustar' | 'gnu' | 'star' | 'v7';
  /** Bytes written at an offset after the defaults (a field's text, junk in unused space). */
  at?: [number, string | Buffer][];
  /** Store the signed checksum (bytes ≥ 0x80 counted negative), as some old tars did. */
  signed?: boolean;
  /** Added to the stored checksum: a wrong one. */
  checksumOff?: number;
  /** The checksum field's text as written, instead of the sum. */
  checksumText?: string;
}

function header(h: Raw): Buffer {
  const b = Buffer.alloc(BLOCK);
  const name = h.name ?? 'f';
  if (typeof name === 'string') b.write(name, 0, 100, 'utf8');
  else name.copy(b, 0);
  b.write('0000644\0', 100, 'ascii');
  b.write('0000000\0', 108, 'ascii');
  b.write('0000000\0', 116, 'ascii');
  b.write(`${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  b.write('00000000000\0', 136, 'ascii');
  b.write(h.type ?? '0', 156, 'latin1');
  const magic = h.magic ?? 'ustar';
  if (magic === 'ustar' || magic === 'star') b.write('ustar\u000000', 257, 'latin1');
  if (magic === 'star') b.write('tar\0', 508, 'latin1');
  if (magic === 'gnu') b.write('ustar  \0', 257, 'latin1');
  for (const [offset, bytes] of h.at ?? []) (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes).copy(b, offset);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += h.signed && byte >= 0x80 ? byte - 256 : byte;
  b.write(h.checksumText ?? `${(sum + (h.checksumOff ?? 0)).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

const pad = (bytes: Buffer): Buffer => Buffer.concat([bytes, Buffer.alloc((BLOCK - (bytes.length % BLOCK)) % BLOCK)]);
/** A header and its body; the size field says the body's length unless `size` is given. */
const entry = (h: Raw, content: string | Buffer = ''): Buffer => {
  const bytes = Buffer.from(content);
  return Buffer.concat([header({ ...h, size: h.size ?? bytes.length }), pad(bytes)]);
};
const END = Buffer.alloc(2 * BLOCK);

/** PAX records, each `LEN key=value\n` with LEN counting itself. */
function pax(records: [string, string][]): string {
  return records
    .map(([k, v]) => {
      const rest = ` ${k}=${v}\n`;
      let n = Buffer.byteLength(rest) + 1;
      while (Buffer.byteLength(`${n}${rest}`) !== n) n++;
      return `${n}${rest}`;
    })
    .join('');
}
const paxEntry = (records: [string, string][] | string, type = 'x'): Buffer => entry({ name: 'PaxHeader', type }, typeof records === 'string' ? records : pax(records));

/** A base-256 field of `width` bytes: the marker bit, then `value` big-endian (two's complement when negative). */
function base256(value: bigint, width = 12): Buffer {
  const b = Buffer.alloc(width);
  let v = value < 0n ? (1n << BigInt(8 * width)) + value : value;
  for (let i = width - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  b[0] = (b[0] as number) | 0x80;
  return b;
}

type Outcome = { ok: true; contents: LayerContents; parsed: number } | { ok: false; error: string };

async function feed(bytes: Buffer, chunk: number): Promise<Outcome> {
  const indexer = new LayerIndexer();
  for (let i = 0; i < bytes.length; i += chunk) indexer.write(bytes.subarray(i, i + chunk));
  try {
    const contents = await indexer.end();
    return { ok: true, contents, parsed: indexer.parsedBytes };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Reads the archive in chunks of 1 (when small), 511, 513 bytes and whole; all must agree. */
async function walk(...parts: Buffer[]): Promise<Outcome> {
  const bytes = Buffer.concat(parts);
  const whole = await feed(bytes, Math.max(bytes.length, 1));
  // Byte by byte only for small archives: the 1 MiB special header would take a million writes.
  for (const size of bytes.length <= 16 * 1024 ? [1, 511, 513] : [511, 513]) assert.deepEqual(await feed(bytes, size), whole, `chunks of ${size} bytes read as the whole archive does`);
  return whole;
}

async function read(...parts: Buffer[]): Promise<LayerContents> {
  const out = await walk(...parts);
  if (!out.ok) assert.fail(`refused: ${out.error}`);
  return out.contents;
}

async function paths(...parts: Buffer[]): Promise<string[]> {
  return (await read(...parts)).index.paths;
}

async function refusal(...parts: Buffer[]): Promise<string> {
  const out = await walk(...parts);
  if (out.ok) assert.fail(`accepted: ${JSON.stringify(out.contents.index)}`);
  return out.error;
}

// ---- header formats and where the name's prefix comes from ----

const formatCases: { name: string; h: Raw; path: string }[] = [
  // An all-digit prefix is still a prefix in USTAR; GNU reads the same bytes as a valid atime.
  { name: 'USTAR: a prefix of digits', h: { name: 'n', at: [[345, '0123']] }, path: '0123/n' },
  { name: 'USTAR: a prefix of 155 bytes runs to byte 500', h: { name: 'n', at: [[345, 'p'.repeat(131) + 'q'.repeat(24)]] }, path: `${'p'.repeat(131)}${'q'.repeat(24)}/n` },
  { name: 'star: the prefix ends at byte 476, atime and ctime follow', h: { name: 'n', magic: 'star', at: [[345, 'p'.repeat(131)], [476, '00000000001\0'], [488, '00000000002\0']] }, path: `${'p'.repeat(131)}/n` },
  { name: 'star: a prefix of digits', h: { name: 'n', magic: 'star', at: [[345, '0123']] }, path: '0123/n' },
  { name: 'GNU: valid atime and ctime are times, not a prefix', h: { name: 'n', magic: 'gnu', at: [[345, '00000000001\0'], [357, '00000000002\0']] }, path: 'n' },
  { name: 'GNU: a valid atime and a NUL-led ctime with junk after it', h: { name: 'n', magic: 'gnu', at: [[345, '00000000001\0'], [358, 'xyz']] }, path: 'n' },
  { name: 'GNU: a NUL-led atime is not parsed', h: { name: 'n', magic: 'gnu', at: [[346, 'xyz']] }, path: 'n' },
  // Go < 1.8 wrote a USTAR prefix into a GNU header; Go reads it back when the times do not parse.
  { name: 'GNU: a pre-Go-1.8 prefix where the atime is', h: { name: 'n', magic: 'gnu', at: [[345, 'usr/local']] }, path: 'usr/local/n' },
  { name: 'GNU: a valid atime and a ctime that is not a number: the bytes are a prefix', h: { name: 'n', magic: 'gnu', at: [[345, '00000000001\0'], [357, 'abc']] }, path: '00000000001/n' },
  { name: 'GNU: a pre-Go-1.8 prefix that is not ASCII is ignored', h: { name: 'n', magic: 'gnu', at: [[345, Buffer.from('a\u0080b', 'utf8')]] }, path: 'n' },
  { name: 'GNU: a prefix of only non-ASCII is ignored', h: { name: 'n', magic: 'gnu', at: [[345, Buffer.from('\u00e9', 'utf8')]] }, path: 'n' },
  // V7 has nothing after the link name: junk there (a fake GNU magic tail, non-numbers where USTAR
  // keeps devmajor, text where the prefix would be) is not read.
  { name: 'V7: bytes after 257 are not read', h: { name: 'n', magic: 'v7', at: [[257, 'xxxxxx \0'], [329, 'zzzz'], [345, 'junk']] }, path: 'n' },
  { name: 'V7: "ustar " without its " \\0" tail is V7', h: { name: 'n', magic: 'v7', at: [[257, 'ustar xx'], [329, 'zzzz'], [345, 'junk']] }, path: 'n' },
  { name: 'a name of exactly 100 bytes is not run into the mode field', h: { name: 'a'.repeat(100) }, path: 'a'.repeat(100) },
  { name: 'a name starting with NUL is empty', h: { name: Buffer.from('\0xy'), type: '5' }, path: '' },
];
for (const c of formatCases) {
  test(`format: ${c.name}`, async () => {
    assert.deepEqual(await paths(entry(c.h, 'x'.repeat(c.h.type === '5' ? 0 : 3)), END), [c.path]);
  });
}

// ---- checksums ----

test('checksum: the signed sum is accepted as Go accepts it, bytes of exactly 0x80 included', async () => {
  const name = Buffer.from([0x61, 0x80, 0xff, 0x62]);
  for (const signed of [false, true]) {
    const { index } = await read(entry({ name, signed }, 'z'), END);
    assert.deepEqual(index.paths, [name.toString('utf8')], `signed ${signed}`);
  }
});

test('checksum: one off either way is refused, naming the block', async () => {
  for (const off of [1, -1]) {
    assert.equal(await refusal(entry({ name: 'ok' }, 'y'), entry({ name: 'bad', checksumOff: off }), END), 'invalid tar header (bad checksum or not a tar header) at byte 1024');
  }
  assert.match(await refusal(header({ name: 'bad', checksumText: '00zz\0   ' }), END), /^invalid tar header \(bad checksum/);
});

// ---- numeric fields ----

const octalCases: { name: string; field: string; size: number }[] = [
  { name: 'plain', field: '00000000012\0', size: 10 },
  { name: 'leading spaces', field: '         12\0', size: 10 },
  { name: 'leading NULs', field: '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0012', size: 10 },
  { name: 'trailing spaces', field: '000000012   ', size: 10 },
  { name: 'a space then a NUL at the end', field: '0000000012 \0', size: 10 },
  { name: 'a NUL then a space at the end', field: '0000000012\0 ', size: 10 },
  { name: 'text after a NUL inside the field', field: '000000012\x007 ', size: 10 },
  { name: 'only spaces and NULs', field: ' \0 \0 \0 \0 \0 \0', size: 0 },
];
for (const c of octalCases) {
  test(`numeric: an octal size with ${c.name} reads ${c.size}`, async () => {
    const { index } = await read(header({ name: 'f', at: [[124, c.field]] }), pad(Buffer.alloc(c.size, 0x41)), entry({ name: 'next' }), END);
    assert.deepEqual(index, { paths: ['f', 'next'], kinds: 'ff', sizes: [c.size, 0] });
  });
}

const badFields: [string, number, string][] = [
  ['mode', 100, '0000x44\0'],
  ['uid', 108, '00 00 00\0'],
  ['gid', 116, '0000008\0'],
  ['size', 124, '0000000001-\0'],
  ['mtime', 136, 'abcdefghijk\0'],
  ['devmajor', 329, '0000009\0'],
  ['devminor', 337, '000000z\0'],
];
for (const [field, offset, text] of badFields) {
  test(`numeric: a ${field} that is not a number is refused in USTAR`, async () => {
    assert.equal(await refusal(entry({ name: 'ok' }), header({ name: 'bad', at: [[offset, text]] }), END), 'invalid tar header (a numeric field is not a number) at byte 512');
  });
}
for (const [field, offset, magic] of [
  ['atime', 476, 'star'],
  ['ctime', 488, 'star'],
  ['devmajor', 329, 'gnu'],
  ['devminor', 337, 'gnu'],
] as const) {
  test(`numeric: a ${magic} ${field} that is not a number is refused`, async () => {
    assert.match(await refusal(header({ name: 'bad', magic, at: [[offset, 'nope']] }), END), /numeric field is not a number/);
  });
}

test('numeric: a base-256 size reads as its value', async () => {
  for (const size of [3n, 0x80n, 0x1234n]) {
    const { index } = await read(header({ name: 'f', at: [[124, base256(size)]] }), pad(Buffer.alloc(Number(size), 0x41)), entry({ name: 'next' }), END);
    assert.deepEqual(index.sizes, [Number(size), 0], `size ${size}`);
  }
});

test('numeric: base-256 fields elsewhere (mode, mtime) are read and ignored', async () => {
  assert.deepEqual(await paths(entry({ name: 'f', at: [[100, base256(0o644n, 8)], [136, base256(-5n)]] }, 'x'), END), ['f']);
});

test('numeric: a negative base-256 size is refused, for an entry and for a special header', async () => {
  for (const n of [-1n, -2n, -513n]) {
    assert.equal(await refusal(header({ name: 'f', at: [[124, base256(n)]] }), END), 'invalid tar header (negative or oversized size) at byte 0', `size ${n}`);
    assert.equal(await refusal(header({ name: 'P', type: 'x', at: [[124, base256(n)]] }), END), `a x header of ${n} bytes (Go refuses more than 1 MiB) at byte 0`);
  }
});

test('numeric: a base-256 size past 2^53 is refused; a negative one past -2^53 too', async () => {
  assert.equal(await refusal(header({ name: 'f', at: [[124, base256(1n << 60n)]] }), END), 'invalid tar header (negative or oversized size) at byte 0');
  assert.equal(await refusal(header({ name: 'P', type: 'L', magic: 'gnu', at: [[124, base256(1n << 60n)]] }), END), 'a L header of Infinity bytes (Go refuses more than 1 MiB) at byte 0');
  assert.equal(await refusal(header({ name: 'P', type: 'L', magic: 'gnu', at: [[124, base256(-(1n << 60n))]] }), END), 'a L header of -Infinity bytes (Go refuses more than 1 MiB) at byte 0');
});

test('numeric: a base-256 value that overflows Go int64 is refused, whatever field it is in', async () => {
  // 2^63 fits 64 bits but not int64; 2^64 and above overflow uint64 (Go checks before each shift).
  for (const value of [1n << 63n, 1n << 64n, (1n << 88n) - 1n]) {
    for (const offset of [124, 136]) {
      assert.equal(await refusal(entry({ name: 'f', at: [[offset, base256(value)]] }), END), 'invalid tar header (a numeric field is not a number) at byte 0', `${value} at ${offset}`);
    }
  }
  // The largest int64 is a valid mtime.
  assert.deepEqual(await paths(entry({ name: 'f', at: [[136, base256((1n << 63n) - 1n)]] }), END), ['f']);
});

// ---- special headers: PAX, global PAX, GNU long names ----

test('special: a header of exactly 1 MiB is read (Go allows up to maxSpecialFileSize)', async () => {
  assert.deepEqual(await paths(entry({ name: 'K', type: 'K', magic: 'gnu' }, Buffer.alloc(1024 * 1024, 0x61)), entry({ name: 'sym', type: '2' }), END), ['sym']);
});

test('special: a PAX body split over chunks is applied only when whole', async () => {
  const long = `dir/${'x'.repeat(900)}`;
  const { index } = await read(paxEntry([['path', long], ['size', '2']]), entry({ name: 'short', size: 2 }, 'ab'), END);
  assert.deepEqual(index, { paths: [long], kinds: 'f', sizes: [2] });
});

test('special: an empty special header at the end of a stream without end marker', async () => {
  for (const type of ['x', 'g', 'L', 'K']) {
    const out = await walk(entry({ name: 'a' }, 'a'), header({ name: 'P', type, magic: 'gnu', size: 0 }));
    assert.equal(out.ok, true, `type ${type}: ${JSON.stringify(out)}`);
  }
});

test('special: an empty GNU long name leaves the entry its own name (Go: gnuLongName != "")', async () => {
  assert.deepEqual(await paths(entry({ name: 'L', type: 'L', magic: 'gnu' }), entry({ name: 'own' }, 'o'), END), ['own']);
  assert.deepEqual(await paths(entry({ name: 'L', type: 'L', magic: 'gnu' }, '\0junk'), entry({ name: 'own' }, 'o'), END), ['own']);
});

test('special: a GNU long name without a terminating NUL is the whole body', async () => {
  assert.deepEqual(await paths(entry({ name: 'L', type: 'L', magic: 'gnu' }, 'long/name'), entry({ name: 'short' }, 's'), END), ['long/name']);
});

test('special: an empty global PAX header still clears pending PAX records and long names', async () => {
  assert.deepEqual(await paths(paxEntry([['path', 'from/pax']]), header({ name: 'g', type: 'g', size: 0 }), entry({ name: 'own' }, 'o'), END), ['own']);
  assert.deepEqual(await paths(entry({ name: 'L', type: 'L', magic: 'gnu' }, 'from/long\0'), header({ name: 'g', type: 'g', size: 0 }), entry({ name: 'own' }, 'o'), END), ['own']);
});

test('special: an invalid global PAX header is refused', async () => {
  assert.match(await refusal(paxEntry('not a record\n', 'g'), entry({ name: 'f' }, 'x'), END), /^invalid PAX global header before byte 1024$/);
});

test('special: an invalid PAX size is quoted, at most 40 characters', async () => {
  assert.equal(await refusal(paxEntry([['size', `${'1'.repeat(45)}x`]]), entry({ name: 'f' }), END), `invalid PAX size "${'1'.repeat(40)}" at byte 1024`);
  assert.equal(await refusal(paxEntry([['size', '99999999999999999999']]), entry({ name: 'f' }), END), 'invalid PAX size "99999999999999999999" at byte 1024');
});

test('special: parsedBytes counts the whole archive through its end marker', async () => {
  const bytes = Buffer.concat([paxEntry([['path', 'p']]), entry({ name: 'L', type: 'L', magic: 'gnu' }, 'long\0'), entry({ name: 'f' }, 'abc'), END]);
  const out = await walk(bytes, Buffer.alloc(100, 7));
  assert.ok(out.ok);
  assert.equal(out.parsed, bytes.length);
  assert.equal(out.contents.counts.bytesAfterEnd, 100);
});

const paxRecordCases: { name: string; body: string; ok: boolean }[] = [
  { name: 'the shortest record (5 bytes, empty value)', body: '5 a=\n', ok: true },
  { name: 'a length in hex', body: '0xb path=a\n', ok: false },
  { name: 'a length with a sign', body: '-10 path=a\n', ok: false },
  { name: 'no space', body: '10path=abc\n', ok: false },
  { name: 'a length past the body', body: '99 path=a\n', ok: false },
  { name: 'a second record past the body', body: '5 a=\n12 path=a\n', ok: false },
  { name: 'no newline at the end of the record', body: '10 path=aX', ok: false },
  { name: 'no "="', body: '10 pathaa\n', ok: false },
  { name: 'an empty key', body: '7 =abc\n', ok: false },
  { name: 'a NUL in the key', body: '10 pa\0h=a\n', ok: false },
  { name: 'a NUL in a path', body: '10 path=\0\n', ok: false },
  { name: 'a NUL in a linkpath', body: '14 linkpath=\0\n', ok: false },
  { name: 'a NUL in a uname', body: '11 uname=\0\n', ok: false },
  { name: 'a NUL in a gname', body: '11 gname=\0\n', ok: false },
  { name: 'a NUL in a comment is fine', body: '13 comment=\0\n', ok: true },
];
for (const c of paxRecordCases) {
  test(`PAX record: ${c.name} is ${c.ok ? 'read' : 'refused'}`, async () => {
    const out = await walk(paxEntry(c.body), entry({ name: 'f' }, 'x'), END);
    if (c.ok) assert.deepEqual(out.ok && out.contents.index.paths, ['f']);
    else assert.deepEqual(out, { ok: false, error: 'invalid PAX header before byte 1024' });
  });
}

// ---- GNU sparse (old format), end of stream ----

function sparse(opts: { extended: boolean; body: number }): Buffer {
  return header({ name: 'sparse', type: 'S', magic: 'gnu', size: opts.body, at: opts.extended ? [[482, '\x01']] : [] });
}
function extension(more: boolean): Buffer {
  const b = Buffer.alloc(BLOCK, 0x33);
  b[504] = more ? 1 : 0;
  return b;
}

test('sparse: extension blocks are read until one says no more follow, then the body is skipped', async () => {
  const { index } = await read(sparse({ extended: true, body: 600 }), extension(true), extension(true), extension(false), pad(Buffer.alloc(600, 0x78)), entry({ name: 'next' }, 'n'), END);
  assert.deepEqual(index.paths, ['sparse', 'next']);
});

test('sparse: without the extended flag the body follows the header', async () => {
  // A zero body block would pass for an extension block saying "no more": it must be skipped as body.
  const { index } = await read(sparse({ extended: false, body: 512 }), Buffer.alloc(BLOCK), entry({ name: 'next' }, 'n'), END);
  assert.deepEqual(index.paths, ['sparse', 'next']);
});

test('sparse: ending inside the extension blocks is a truncated tar', async () => {
  assert.equal(await refusal(sparse({ extended: true, body: 0 }), extension(true)), 'the archive ends inside an entry at byte 1024 (truncated tar)');
});

test('end: an archive without an end marker ends after its last whole entry', async () => {
  const { index } = await read(entry({ name: 'a' }, 'a'), entry({ name: 'empty' }), entry({ name: 'd/', type: '5' }));
  assert.deepEqual(index, { paths: ['a', 'empty', 'd'], kinds: 'ffd', sizes: [1, 0, 0] });
});

test('end: a zero block then a header is refused, naming the block', async () => {
  assert.equal(
    await refusal(entry({ name: 'a' }, 'a'), Buffer.alloc(BLOCK), entry({ name: 'b' }), END),
    'a zero block followed by a non-zero block (Go reads this as an invalid header, not as the end of the archive) at byte 1536',
  );
});

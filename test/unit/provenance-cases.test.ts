// The base read from SLSA provenance materials (issue 16): which material URIs are image
// references and which digest pins them, and which candidate is the built-on base when several
// start the image's layers (the longest; on a tie the first listed; never one with no layers).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseFromProvenance, materialReference } from '../../src/base/provenance.js';
import type { BaseLookup } from '../../src/base/lookup.js';
import type { Logger } from '../../src/log.js';
import type { RemoteImage } from '../../src/model/image.js';
import { formatReference } from '../../src/oci/reference.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

const references: { name: string; uri: string; digest: string; want: string | undefined }[] = [
  { name: 'no version: the name pinned to the digest (tag latest, as the reference grammar reads it)', uri: 'pkg:docker/alpine?platform=linux%2Famd64', digest: d(8), want: `docker.io/library/alpine:latest@${d(8)}` },
  { name: 'no version, no qualifiers', uri: 'pkg:docker/r.example/team/app', digest: d(8), want: `r.example/team/app:latest@${d(8)}` },
  { name: 'a version that is the same digest', uri: `pkg:docker/alpine@${d(8)}`, digest: d(8), want: `docker.io/library/alpine@${d(8)}` },
  { name: 'a tag version', uri: 'pkg:docker/alpine@3.20#frag', digest: d(8), want: `docker.io/library/alpine:3.20@${d(8)}` },
  { name: 'not a docker package', uri: 'pkg:oci/alpine@3.20', digest: d(8), want: undefined },
  { name: 'a docker package without a name', uri: 'pkg:docker/?platform=linux', digest: d(8), want: undefined },
  { name: 'a version that is not valid percent-encoding', uri: 'pkg:docker/alpine@%E0%A4%A', digest: d(8), want: undefined },
  { name: 'a name that is not valid percent-encoding', uri: 'pkg:docker/alp%E0%A4%Aine@3', digest: d(8), want: undefined },
];
for (const c of references) {
  test(`materialReference: ${c.name}`, () => {
    const ref = materialReference({ uri: c.uri, digest: c.digest });
    assert.equal(ref && formatReference(ref), c.want);
  });
}

const IMAGE = { platform: { os: 'linux', architecture: 'amd64' }, config: { rootfs: { type: 'layers', diff_ids: [d(201), d(202), d(203)] } } } as unknown as RemoteImage;

/** A lookup that knows each candidate's diff_ids by digest, and counts what it was asked. */
function lookupOf(layers: Record<string, string[]>): { lookup: BaseLookup; asked: string[] } {
  const asked: string[] = [];
  const lookup: BaseLookup = {
    tagDigest: () => Promise.reject(new Error('not used')),
    resolve: (ref) => {
      asked.push(formatReference(ref));
      const diffIds = ref.digest ? layers[ref.digest] : undefined;
      return diffIds ? Promise.resolve({ config: { rootfs: { type: 'layers', diff_ids: diffIds } } } as unknown as RemoteImage) : Promise.reject(new Error('manifest unknown'));
    },
  } as BaseLookup;
  return { lookup, asked };
}

function loggerOf(lines: string[]): Logger {
  return { info: (l: string) => lines.push(l), warning: () => undefined, debug: () => undefined, secret: () => undefined } as unknown as Logger;
}

const LAYERS = { [d(9)]: [d(201), d(202)], [d(8)]: [d(201)], [d(7)]: [d(201), d(202)], [d(5)]: [] };

const candidates: { name: string; materials: { uri: string; digest: string }[]; want: string | undefined }[] = [
  { name: 'the longest prefix, listed first', materials: [{ uri: 'pkg:docker/base@2', digest: d(9) }, { uri: 'pkg:docker/small@1', digest: d(8) }], want: `docker.io/library/base:2@${d(9)}` },
  { name: 'two candidates of equal length: the first listed', materials: [{ uri: 'pkg:docker/first@1', digest: d(9) }, { uri: 'pkg:docker/second@1', digest: d(7) }], want: `docker.io/library/first:1@${d(9)}` },
  { name: 'a candidate with no layers is no base', materials: [{ uri: 'pkg:docker/scratchy@1', digest: d(5) }], want: undefined },
  { name: 'materials that are not images are passed over', materials: [{ uri: 'https://github.com/o/r', digest: d(1) }, { uri: 'pkg:docker/small@1', digest: d(8) }], want: `docker.io/library/small:1@${d(8)}` },
];
for (const c of candidates) {
  test(`baseFromProvenance: ${c.name}`, async () => {
    const { lookup } = lookupOf(LAYERS);
    const base = await baseFromProvenance(IMAGE, c.materials, lookup, 'build', loggerOf([]));
    assert.equal(base?.reference && formatReference(base.reference), c.want);
  });
}

test('baseFromProvenance: one material listed twice is fetched once; one that cannot be fetched is logged and passed over', async () => {
  const { lookup, asked } = lookupOf(LAYERS);
  const lines: string[] = [];
  const materials = [
    { uri: 'pkg:docker/small@1', digest: d(8) },
    { uri: 'pkg:docker/gone@1', digest: d(6) },
    { uri: 'pkg:docker/small@1?platform=linux%2Famd64', digest: d(8) },
  ];
  const base = await baseFromProvenance(IMAGE, materials, lookup, 'registry', loggerOf(lines));
  assert.equal(base?.reference && formatReference(base.reference), `docker.io/library/small:1@${d(8)}`);
  assert.deepEqual(asked, [`docker.io/library/small:1@${d(8)}`, `docker.io/library/gone:1@${d(6)}`]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], new RegExp(`^provenance material docker\\.io/library/gone:1@${d(6)} could not be fetched, not a base candidate: `));
});

// Referrers case by case (issue 16): what counts as a referrers list (an OCI image index of
// valid descriptors, nothing else), a referrer's artifact type by the distribution-spec's rule,
// Link headers that hold no next page, and how a run joins what refers to each platform's manifest
// and to the pushed index onto that platform's summary: each platform its own, marked manifest or
// index, nothing borrowed from another platform, nothing claimed that was not found. The lookup
// stage (attachReferrers) runs against a small registry stub on 127.0.0.1.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { silentLogger, type Logger } from '../../src/log.js';
import type { AttestationSummary, ReferrerItem } from '../../src/model/report.js';
import { artifactTypeOf, nextLink, referrersIndexProblem } from '../../src/oci/referrers.js';
import { parseReference } from '../../src/oci/reference.js';
import type { ImageIndex, ImageManifest } from '../../src/oci/types.js';
import { RegistryClient } from '../../src/registry/client.js';
import type { SubjectReferrers } from '../../src/registry/referrers.js';
import { attachReferrers, withReferrers } from '../../src/verify/referrers.js';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };
const NOTATION = 'application/vnd.cncf.notary.signature';
const SPDX = 'application/spdx+json';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

describe('referrersIndexProblem: a referrers list is an OCI image index of valid descriptors', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['an empty OCI index', { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, undefined],
    ['an index without a mediaType field', { schemaVersion: 2, manifests: [] }, undefined],
    ['null', null, 'is not a JSON object'],
    ['a string', 'sha256-abc', 'is not a JSON object'],
    ['a number', 2, 'is not a JSON object'],
    ['a list', [], 'is not a JSON object'],
    ['an index without manifests (no list is not an empty list)', { schemaVersion: 2, mediaType: OCI_INDEX }, 'has no manifests list'],
    ['an index whose manifests is an object', { schemaVersion: 2, manifests: {} }, 'has no manifests list'],
    ['an image manifest', { schemaVersion: 2, mediaType: OCI_MANIFEST, manifests: [] }, `has mediaType ${OCI_MANIFEST}, not an OCI image index`],
    ["Docker's manifest list", { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [] }, 'has mediaType application/vnd.docker.distribution.manifest.list.v2+json, not an OCI image index'],
    ['a mediaType of 200 characters: the reason holds its first 80', { schemaVersion: 2, mediaType: `application/${'x'.repeat(188)}`, manifests: [] }, `has mediaType application/${'x'.repeat(68)}, not an OCI image index`],
    ['an entry without a size', { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: EMPTY.digest }] }, 'index entry 1 has size "none", not a non-negative whole number of bytes'],
  ];
  for (const [name, value, problem] of cases) {
    test(`${name}: ${problem ?? 'valid'}`, () => assert.equal(referrersIndexProblem(value), problem));
  }
});

describe("artifactTypeOf: a manifest's artifactType, else its config's media type", () => {
  const manifest = (fields: object) => ({ schemaVersion: 2, config: { ...EMPTY, mediaType: NOTATION }, layers: [], ...fields }) as unknown as ImageManifest;
  const cases: Array<[string, ImageManifest | ImageIndex, string | undefined]> = [
    ['artifactType null: the config media type', manifest({ artifactType: null }), NOTATION],
    ['artifactType "": the config media type', manifest({ artifactType: '' }), NOTATION],
    ['artifactType set: it, not the config media type', manifest({ artifactType: SPDX }), SPDX],
    ['artifactType not a media type: none, not the config media type', manifest({ artifactType: 'spdx' }), undefined],
    ['config media type not a media type: none', manifest({ config: { ...EMPTY, mediaType: 'not a type' } }), undefined],
    ['config null: none', manifest({ config: null }), undefined],
    ['an index with an artifactType', { schemaVersion: 2, artifactType: SPDX, manifests: [] } as ImageIndex, SPDX],
    ['an index with artifactType "": none', { schemaVersion: 2, artifactType: '', manifests: [] } as ImageIndex, undefined],
  ];
  for (const [name, body, expected] of cases) test(name, () => assert.equal(artifactTypeOf(body), expected));
});

describe('nextLink: only a real rel="next" link is a next page', () => {
  const cases: Array<[string, string | undefined]> = [
    ['rel="next"', undefined],
    ['no link here', undefined],
    ['<https://r.example/v2/a/referrers/x?p=2>', undefined],
    ['<https://r.example/v2/a/referrers/x?p=2>; title="next"', undefined],
    // "next" inside the target is part of the URL, not a relation.
    ['<https://r.example/v2/a/referrers/x;rel="next">; rel="prev"', undefined],
    ['<https://r.example/v2/a/referrers/x;rel=next>; rel=prev', undefined],
    ['<https://r.example/p1>; rel="prev", <https://r.example/p2>; rel="NEXT"', 'https://r.example/p2'],
    ['<https://r.example/p1>; title="x", <https://r.example/p2>; rel=next', 'https://r.example/p2'],
  ];
  for (const [header, expected] of cases) test(`${header} → ${String(expected)}`, () => assert.equal(nextLink(header), expected));
});

// ---------------------------------------------------------------------------------------------
// withReferrers: the pure join.

const manifestA = `sha256:${'1'.repeat(64)}`;
const manifestB = `sha256:${'4'.repeat(64)}`;
const index = `sha256:${'2'.repeat(64)}`;
const item = (subject: string, kind: ReferrerItem['kind'], n: string): ReferrerItem => ({ kind, artifactType: kind === 'signature' ? NOTATION : SPDX, digest: `sha256:${n.repeat(64)}`, subject, foundBy: 'api' });
const lookup = (subject: string, items: ReferrerItem[], extra: Partial<SubjectReferrers> = {}): SubjectReferrers => ({ subject, via: 'api', items, problems: [], truncated: false, ...extra });
const targets = [
  { platform: 'linux/amd64', manifestDigest: manifestA },
  { platform: 'linux/arm64', manifestDigest: manifestB },
];
const noAttestations = (platform: string): AttestationSummary => ({ platform, provenance: false, sbom: false, predicateTypes: [], subjectsOk: true });

describe('withReferrers', () => {
  test('a signature of one platform only: every platform gets an entry, each with its own referrers, and nothing more is claimed', () => {
    const sig = item(manifestA, 'signature', '5');
    const joined = withReferrers(undefined, targets, new Map([[manifestA, lookup(manifestA, [sig])], [manifestB, lookup(manifestB, [])]]), undefined);
    assert.deepEqual(joined, [
      { ...noAttestations('linux/amd64'), referrers: { items: [{ ...sig, refersTo: 'manifest' }], listedBy: [{ subject: manifestA, via: 'api' }], problems: [] } },
      { ...noAttestations('linux/arm64'), referrers: { items: [], listedBy: [{ subject: manifestB, via: 'api' }], problems: [] } },
    ]);
  });

  test("the second platform's referrers are found too when the first has none", () => {
    const sbom = item(manifestB, 'sbom', '6');
    const joined = withReferrers(undefined, targets, new Map([[manifestA, lookup(manifestA, [])], [manifestB, lookup(manifestB, [sbom])]]), undefined);
    assert.deepEqual(joined?.map((s) => s.referrers?.items), [[], [{ ...sbom, refersTo: 'manifest' }]]);
  });

  test('an index signature is every platform\'s, marked index; a manifest\'s own is marked manifest', () => {
    const own = item(manifestB, 'sbom', '6');
    const onIndex = item(index, 'signature', '7');
    const found = new Map([[manifestA, lookup(manifestA, [])], [manifestB, lookup(manifestB, [own])], [index, lookup(index, [onIndex], { via: 'fallback-tag' })]]);
    const joined = withReferrers(undefined, targets, found, index);
    assert.deepEqual(joined?.[0]?.referrers?.items, [{ ...onIndex, refersTo: 'index' }]);
    assert.deepEqual(joined?.[1]?.referrers?.items, [{ ...own, refersTo: 'manifest' }, { ...onIndex, refersTo: 'index' }]);
    assert.deepEqual(joined?.[1]?.referrers?.listedBy, [{ subject: manifestB, via: 'api' }, { subject: index, via: 'fallback-tag' }]);
  });

  test("each platform keeps its own attestation summary, never another platform's", () => {
    const summaries: AttestationSummary[] = [
      { platform: 'linux/arm64', provenance: true, sbom: true, predicateTypes: ['https://slsa.dev/provenance/v1'], subjectsOk: true },
      { platform: 'linux/amd64', provenance: false, sbom: false, predicateTypes: [], subjectsOk: false },
    ];
    const joined = withReferrers(summaries, targets, new Map([[manifestA, lookup(manifestA, [])], [manifestB, lookup(manifestB, [])]]), undefined);
    assert.deepEqual(
      joined?.map(({ platform, provenance, sbom, subjectsOk }) => ({ platform, provenance, sbom, subjectsOk })),
      [
        { platform: 'linux/amd64', provenance: false, sbom: false, subjectsOk: false },
        { platform: 'linux/arm64', provenance: true, sbom: true, subjectsOk: true },
      ],
    );
  });

  test('a platform without an attestation summary gets one that claims nothing', () => {
    const summaries: AttestationSummary[] = [{ platform: 'linux/arm64', provenance: true, sbom: true, predicateTypes: ['p'], subjectsOk: true }];
    const joined = withReferrers(summaries, targets, new Map(), undefined);
    assert.deepEqual(joined?.[0], { ...noAttestations('linux/amd64'), referrers: { items: [], listedBy: [], problems: [] } });
  });

  test('truncated when any subject\'s list was cut short, not only when all were', () => {
    const found = new Map([[manifestA, lookup(manifestA, [item(manifestA, 'signature', '5')])], [index, lookup(index, [], { truncated: true, problems: ['cut'] })]]);
    const joined = withReferrers(undefined, targets.slice(0, 1), found, index);
    assert.equal(joined?.[0]?.referrers?.truncated, true);
    assert.deepEqual(joined?.[0]?.referrers?.problems, ['cut']);
    const whole = withReferrers(undefined, targets.slice(0, 1), new Map([[manifestA, lookup(manifestA, [item(manifestA, 'signature', '5')])]]), undefined);
    assert.equal(whole?.[0]?.referrers?.truncated, undefined);
  });

  test('the same problem from the manifest and the index is reported once', () => {
    const found = new Map([[manifestA, lookup(manifestA, [], { problems: ['x', 'y'] })], [index, lookup(index, [], { problems: ['y'] })]]);
    assert.deepEqual(withReferrers(undefined, targets.slice(0, 1), found, index)?.[0]?.referrers?.problems, ['x', 'y']);
  });

  test('nothing found anywhere and no attestations: undefined', () => {
    assert.equal(withReferrers(undefined, targets, new Map([[manifestA, lookup(manifestA, [])], [manifestB, lookup(manifestB, [])]]), undefined), undefined);
  });
});

// ---------------------------------------------------------------------------------------------
// attachReferrers against a registry stub: /v2/ answers 200, manifests by digest or tag, blobs,
// and the referrers endpoint per subject (404 without a body: no API).

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
const manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
const blobs = new Map<string, Buffer>();
const apiLists = new Map<string, Answer>();
let server: Server;
let origin = '';

function put(reference: string, body: object): { digest: string; size: number; mediaType: string } {
  const bytes = Buffer.from(JSON.stringify(body));
  const digest = sha256(bytes);
  manifests.set(digest, { bytes, mediaType: OCI_MANIFEST });
  if (reference) manifests.set(reference, { bytes, mediaType: OCI_MANIFEST });
  return { digest, size: bytes.length, mediaType: OCI_MANIFEST };
}
function artifact(artifactType: string, subject: string): { mediaType: string; digest: string; size: number; artifactType: string } {
  return { ...put('', { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config: EMPTY, layers: [EMPTY], subject: { mediaType: OCI_MANIFEST, digest: subject, size: 100 } }), artifactType };
}
const listed = (entries: object[]): Answer => ({ status: 200, headers: { 'content-type': OCI_INDEX }, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }) });

before(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    const send = (a: Answer) => {
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    };
    if (url === '/v2/') return send({ status: 200, body: '{}' });
    const m = /^\/v2\/app\/manifests\/([^?]+)$/.exec(url);
    if (m) {
      const found = manifests.get(decodeURIComponent(m[1] ?? ''));
      if (!found) return send({ status: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' });
      return send({ status: 200, headers: { 'content-type': found.mediaType, 'docker-content-digest': sha256(found.bytes) }, body: found.bytes });
    }
    const r = /^\/v2\/app\/referrers\/([^?]+)/.exec(url);
    if (r) return send(apiLists.get(decodeURIComponent(r[1] ?? '')) ?? { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' });
    const blob = blobs.get(/^\/v2\/app\/blobs\/(.+)$/.exec(url)?.[1] ?? '');
    if (blob) return send({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: blob });
    return send({ status: 404, body: '404 page not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());
beforeEach(() => {
  manifests.clear();
  blobs.clear();
  apiLists.clear();
});

const client = () => RegistryClient.create(parseReference(`${origin}/app:latest`), { insecureRegistries: [], logger: silentLogger });
function recorder(): Logger & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warning: (m) => warnings.push(m), debug() {}, secret() {} };
}
const image = (salt: string) => put('', { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [], annotations: { salt } }).digest;

describe('attachReferrers looks up each platform manifest and the index', () => {
  test('the referrers API: a signature on one platform, an SBOM on the index, a referrer of something else refused with a warning', async () => {
    const amd64 = image('amd64');
    const arm64 = image('arm64');
    const top = image('index');
    const sig = artifact(NOTATION, amd64);
    const sbom = artifact(SPDX, top);
    const stranger = artifact(SPDX, `sha256:${'e'.repeat(64)}`);
    apiLists.set(amd64, listed([sig]));
    apiLists.set(arm64, listed([]));
    apiLists.set(top, listed([sbom, stranger]));
    const logger = recorder();
    const plats = [
      { platform: 'linux/amd64', manifestDigest: amd64 },
      { platform: 'linux/arm64', manifestDigest: arm64 },
    ];
    const joined = await attachReferrers(await client(), undefined, plats, top, logger);
    const onIndex = { kind: 'sbom', artifactType: SPDX, digest: sbom.digest, subject: top, foundBy: 'api', refersTo: 'index' };
    assert.deepEqual(
      joined?.map((s) => [s.platform, s.referrers?.items]),
      [
        ['linux/amd64', [{ kind: 'signature', artifactType: NOTATION, digest: sig.digest, subject: amd64, foundBy: 'api', refersTo: 'manifest' }, onIndex]],
        ['linux/arm64', [onIndex]],
      ],
    );
    assert.equal(joined?.[0]?.provenance, false);
    // One line per subject looked up, saying which and how; each referrer by kind, type and digest.
    assert.equal(logger.infos.length, 3, logger.infos.join('\n'));
    assert.match(logger.infos[0] ?? '', new RegExp(`^referrers of manifest ${amd64} \\(the referrers API\\): 1 found: signature ${NOTATION} ${sig.digest}$`));
    assert.match(logger.infos[1] ?? '', new RegExp(`^referrers of manifest ${arm64} \\(the referrers API\\): 0 found$`));
    assert.match(logger.infos[2] ?? '', new RegExp(`^referrers of the index ${top} \\(the referrers API\\): 1 found: sbom ${SPDX.replace('+', '\\+')} ${sbom.digest}$`));
    assert.equal(logger.warnings.length, 1, logger.warnings.join('\n'));
    assert.match(logger.warnings[0] ?? '', new RegExp(`^referrers: referrer ${stranger.digest} is listed for ${top} but its subject is sha256:e{64}: not counted$`));
    assert.deepEqual(joined?.[1]?.referrers?.problems, [logger.warnings[0]?.slice('referrers: '.length)]);
  });

  test('no API, a cosign signature tag: found by its tag, and the log names the tag; no index, so only the manifest is looked up', async () => {
    const amd64 = image('amd64');
    const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'r/app' }, image: { 'docker-manifest-digest': amd64 }, type: 'cosign container image signature' }, optional: null }));
    blobs.set(sha256(payload), payload);
    const tag = `${amd64.replace(':', '-')}.sig`;
    const sigTag = put(tag, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [{ mediaType: SIMPLE_SIGNING, digest: sha256(payload), size: payload.length }] });
    const logger = recorder();
    const joined = await attachReferrers(await client(), undefined, [{ platform: 'linux/amd64', manifestDigest: amd64 }], undefined, logger);
    assert.deepEqual(joined?.[0]?.referrers, {
      items: [{ kind: 'signature', artifactType: SIMPLE_SIGNING, digest: sigTag.digest, subject: amd64, foundBy: 'cosign-tag', tag, refersTo: 'manifest' }],
      listedBy: [{ subject: amd64, via: 'fallback-tag' }],
      problems: [],
    });
    assert.deepEqual(logger.infos, [`referrers of manifest ${amd64} (the referrers tag: the registry has no referrers API): 1 found: signature ${SIMPLE_SIGNING} ${sigTag.digest} (cosign tag ${tag})`]);
    assert.deepEqual(logger.warnings, []);
  });

  test('a list that cannot be read: nothing found, the platform reports why, and the log says the list was not read', async () => {
    const amd64 = image('amd64');
    apiLists.set(amd64, { status: 200, headers: { 'content-type': OCI_INDEX }, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX }) });
    const logger = recorder();
    const joined = await attachReferrers(await client(), undefined, [{ platform: 'linux/amd64', manifestDigest: amd64 }], undefined, logger);
    assert.deepEqual(joined?.[0]?.referrers?.items, []);
    assert.deepEqual(joined?.[0]?.referrers?.listedBy, []);
    assert.match(joined?.[0]?.referrers?.problems[0] ?? '', /could not list the referrers of .*has no manifests list/);
    assert.deepEqual(logger.infos, [`referrers of manifest ${amd64} (not listed, see the warning): 0 found`]);
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0] ?? '', /^referrers: could not list the referrers of /);
  });

  test('two platforms sharing one manifest digest are looked up once and both get its referrers', async () => {
    const shared = image('shared');
    const sig = artifact(NOTATION, shared);
    apiLists.set(shared, listed([sig]));
    const logger = recorder();
    const joined = await attachReferrers(await client(), undefined, [{ platform: 'linux/amd64', manifestDigest: shared }, { platform: 'linux/amd64/v2', manifestDigest: shared }], undefined, logger);
    assert.equal(logger.infos.length, 1);
    assert.deepEqual(joined?.map((s) => s.referrers?.items.map((i) => i.digest)), [[sig.digest], [sig.digest]]);
  });
});

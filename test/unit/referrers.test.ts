// Referrers (OCI 1.1): the pure parts from the distribution-spec's own examples (the referrers tag
// schema, Link headers, artifact types), then the client and lookup against a small in-process
// registry stub on 127.0.0.1 — the distribution registry we run end to end has no referrers API,
// so the API path (pages, filters, a malformed answer, a link to elsewhere) is proved here.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.js';
import { artifactTypeOf, classifyArtifactType, cosignTags, nextLink, referrersIndexProblem, referrersTag } from '../../src/oci/referrers.js';
import { parseReference } from '../../src/oci/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { findReferrers, MAX_REFERRER_PAGES, type SubjectReferrers } from '../../src/registry/referrers.js';
import type { AttestationSummary } from '../../src/model/report.js';
import { withReferrers } from '../../src/verify/referrers.js';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };
const NOTATION = 'application/vnd.cncf.notary.signature';
const SPDX = 'application/spdx+json';

describe('pure referrers helpers', () => {
  test('referrersTag follows the spec table: truncation and characters a tag may not hold', () => {
    const a64 = 'a'.repeat(64);
    assert.equal(referrersTag(`sha256:${a64}`), `sha256-${a64}`);
    assert.equal(referrersTag(`sha512:${'a'.repeat(128)}`), `sha512-${a64}`);
    assert.equal(
      referrersTag('test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+overall+truncation:alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation'),
      'test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacementAndLotsAndLot',
    );
  });

  test("cosignTags: cosign's .sig/.att/.sbom tags, none when the digest is too long for a tag", () => {
    const d = `sha256:${'b'.repeat(64)}`;
    assert.deepEqual(cosignTags(d), [
      { tag: `sha256-${'b'.repeat(64)}.sig`, kind: 'signature' },
      { tag: `sha256-${'b'.repeat(64)}.att`, kind: 'attestation' },
      { tag: `sha256-${'b'.repeat(64)}.sbom`, kind: 'sbom' },
    ]);
    assert.deepEqual(cosignTags(`sha512:${'b'.repeat(128)}`), []);
  });

  const kinds: Array<[string, string]> = [
    ['application/vnd.dev.cosign.artifact.sig.v1+json', 'signature'],
    ['application/vnd.dev.cosign.simplesigning.v1+json', 'signature'],
    [NOTATION, 'signature'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', 'signature'],
    ['application/vnd.dev.sigstore.bundle+json', 'signature'],
    [SPDX, 'sbom'],
    ['text/spdx', 'sbom'],
    ['text/spdx+json', 'sbom'],
    ['application/vnd.cyclonedx+json', 'sbom'],
    ['application/vnd.CycloneDX+XML', 'sbom'],
    ['application/vnd.syft+json', 'sbom'],
    ['application/vnd.in-toto+json', 'attestation'],
    ['application/vnd.dsse.envelope.v1+json', 'attestation'],
    ['application/vnd.oci.image.config.v1+json', 'other'],
    ['application/vnd.example.spdx+json.fake', 'other'],
    ['', 'other'],
  ];
  for (const [type, kind] of kinds) test(`classifyArtifactType(${JSON.stringify(type)}) is ${kind}`, () => assert.equal(classifyArtifactType(type), kind));

  test("artifactTypeOf: the manifest's artifactType, else its config's media type; an index's only when declared", () => {
    assert.equal(artifactTypeOf({ schemaVersion: 2, artifactType: SPDX, config: EMPTY, layers: [] }), SPDX);
    assert.equal(artifactTypeOf({ schemaVersion: 2, config: { ...EMPTY, mediaType: NOTATION }, layers: [] }), NOTATION);
    assert.equal(artifactTypeOf({ schemaVersion: 2, manifests: [] }), undefined);
    assert.equal(artifactTypeOf({ schemaVersion: 2, artifactType: 'not a <type>', config: EMPTY, layers: [] }), undefined);
  });

  test('nextLink reads rel="next" among several links, quoted or not', () => {
    assert.equal(nextLink('</v2/a/referrers/x?n=1&last=y>; rel="next"'), '/v2/a/referrers/x?n=1&last=y');
    assert.equal(nextLink('<https://r.example/prev>; rel=prev, <https://r.example/v2/a/referrers/x?p=2>; rel=next'), 'https://r.example/v2/a/referrers/x?p=2');
    assert.equal(nextLink('<https://r.example/v2/a/referrers/x?p=2>; title="a, b"; rel="prev next"'), 'https://r.example/v2/a/referrers/x?p=2');
    assert.equal(nextLink('<https://r.example/x>; rel="prev"'), undefined);
    assert.equal(nextLink(undefined), undefined);
  });

  test('referrersIndexProblem refuses what is not an OCI index of valid descriptors', () => {
    assert.equal(referrersIndexProblem({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }), undefined);
    assert.match(referrersIndexProblem({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: 'sha256:zz', size: 1 }] }) ?? '', /index entry 1 has digest/);
    assert.match(referrersIndexProblem({ schemaVersion: 1, manifests: [] }) ?? '', /schemaVersion 1/);
    assert.match(referrersIndexProblem({ schemaVersion: 2, config: EMPTY, layers: [], manifests: [] }) ?? '', /image manifest/);
    assert.match(referrersIndexProblem([]) ?? '', /not a JSON object/);
  });
});

// ---------------------------------------------------------------------------------------------
// A registry stub: /v2/ answers 200, manifests by digest or tag from `manifests`, and the
// referrers endpoint by whatever `referrers` says for the request's path and query.

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
const manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
const blobs = new Map<string, Buffer>();
let referrers: (pathAndQuery: string) => Answer = () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' });
const requests: string[] = [];
const methods: string[] = [];
let server: Server;
let other: Server;
let origin = '';
let otherOrigin = '';
const otherRequests: string[] = [];

function put(reference: string, body: object, mediaType = OCI_MANIFEST): { digest: string; size: number; mediaType: string } {
  const bytes = Buffer.from(JSON.stringify(body));
  const digest = sha256(bytes);
  manifests.set(digest, { bytes, mediaType });
  if (reference !== digest) manifests.set(reference, { bytes, mediaType });
  return { digest, size: bytes.length, mediaType };
}

/** An artifact manifest (empty config) of `artifactType` whose subject is `subject`. */
function artifact(artifactType: string, subject: string, salt = ''): { mediaType: string; digest: string; size: number; artifactType: string } {
  const d = put('', { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config: EMPTY, layers: [{ ...EMPTY }], subject: { mediaType: OCI_MANIFEST, digest: subject, size: 100 }, annotations: { salt } });
  return { ...d, artifactType };
}

/** cosign's `.sig` tag for `subject`, with one simple-signing payload that names `signs`. */
function cosignSignature(subject: string, signs: string): void {
  const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'r/app' }, image: { 'docker-manifest-digest': signs }, type: 'cosign container image signature' }, optional: null }));
  blobs.set(sha256(payload), payload);
  const layer = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: sha256(payload), size: payload.length, annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' } };
  put(`${subject.replace(':', '-')}.sig`, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [layer] });
}

const indexOf = (entries: object[]) => JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
const page = (entries: object[], headers: Record<string, string> = {}): Answer => ({ status: 200, headers: { 'content-type': OCI_INDEX, ...headers }, body: indexOf(entries) });

before(async () => {
  const listen = (s: Server) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    methods.push(`${req.method ?? ''} ${url}`);
    const send = (a: Answer) => {
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    };
    if (url === '/v2/') return send({ status: 200, body: '{}' });
    const m = /^\/v2\/app\/manifests\/(.+)$/.exec(url);
    if (m) {
      const found = manifests.get(decodeURIComponent(m[1] ?? ''));
      if (!found) return send({ status: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' });
      return send({ status: 200, headers: { 'content-type': found.mediaType, 'docker-content-digest': sha256(found.bytes) }, body: found.bytes });
    }
    if (url.startsWith('/v2/app/referrers/')) return send(referrers(url));
    const blob = blobs.get(/^\/v2\/app\/blobs\/(.+)$/.exec(url)?.[1] ?? '');
    if (blob) return send({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: blob });
    return send({ status: 404, body: '404 page not found' });
  });
  other = createServer((req, res) => {
    otherRequests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': OCI_INDEX });
    res.end(indexOf([]));
  });
  origin = await listen(server);
  otherOrigin = await listen(other);
});
after(() => {
  server.close();
  other.close();
});
beforeEach(() => {
  manifests.clear();
  blobs.clear();
  requests.length = 0;
  methods.length = 0;
  otherRequests.length = 0;
  referrers = () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' });
});

const client = () => RegistryClient.create(parseReference(`${origin.slice('http://'.length)}/app:latest`), { insecureRegistries: [], logger: silentLogger });
const subjectDigest = () => put('latest', { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [] }).digest;
const kinds = (r: SubjectReferrers) => r.items.map((i) => [i.kind, i.artifactType, i.foundBy]);

describe('findReferrers against a registry stub', () => {
  test('the referrers API, two pages linked by Link rel="next": every referrer fetched by digest, a wrong subject not counted', async () => {
    const subject = subjectDigest();
    const signature = artifact(NOTATION, subject);
    const sbom = artifact(SPDX, subject);
    const stranger = artifact(SPDX, `sha256:${'e'.repeat(64)}`, 'elsewhere');
    referrers = (url) =>
      url.includes('page=2')
        ? page([sbom, stranger])
        : page([signature], { link: `</v2/app/referrers/${subject}?page=2>; rel="next"` });
    const found = await findReferrers(await client(), subject);
    assert.equal(found.via, 'api');
    assert.deepEqual(kinds(found), [
      ['signature', NOTATION, 'api'],
      ['sbom', SPDX, 'api'],
    ]);
    assert.deepEqual(found.items.map((i) => i.digest), [signature.digest, sbom.digest]);
    assert.equal(found.problems.length, 1, found.problems.join('\n'));
    assert.match(found.problems[0] ?? '', new RegExp(`referrer ${stranger.digest} is listed for ${subject} but its subject is sha256:e{64}: not counted`));
    assert.ok(requests.includes(`/v2/app/manifests/${stranger.digest}`), 'the wrong-subject referrer was fetched and read, not trusted from the list');
    assert.ok(!requests.some((r) => r.includes('referrers/') && r.includes('sha256-')), 'no fallback when the API answers');
  });

  test('a 404 from the referrers endpoint (no API) falls back to the sha256-<hex> tag; cosign tags are looked up too', async () => {
    const subject = subjectDigest();
    const sbom = artifact('application/vnd.cyclonedx+json', subject);
    put(referrersTag(subject), JSON.parse(indexOf([sbom])) as object, OCI_INDEX);
    cosignSignature(subject, subject);
    const found = await findReferrers(await client(), subject);
    assert.equal(found.via, 'fallback-tag');
    assert.deepEqual(kinds(found), [
      ['sbom', 'application/vnd.cyclonedx+json', 'fallback-tag'],
      ['signature', 'application/vnd.dev.cosign.simplesigning.v1+json', 'cosign-tag'],
    ]);
    assert.equal(found.items[0]?.tag, referrersTag(subject));
    assert.deepEqual(found.problems, []);
  });

  test('no API and no referrers tag: none, nothing to report, and absent tags cost a HEAD each, no GET (Docker Hub counts GETs as pulls)', async () => {
    const subject = subjectDigest();
    const found = await findReferrers(await client(), subject);
    assert.deepEqual({ via: found.via, items: found.items, problems: found.problems }, { via: 'fallback-tag', items: [], problems: [] });
    const tags = [referrersTag(subject), ...cosignTags(subject).map((t) => t.tag)];
    assert.deepEqual(
      methods.filter((m) => m.includes('/manifests/')),
      tags.map((tag) => `HEAD /v2/app/manifests/${tag}`),
    );
  });

  test("a cosign .sig tag whose payload signs another digest is not this image's signature", async () => {
    const subject = subjectDigest();
    const elsewhere = `sha256:${'f'.repeat(64)}`;
    cosignSignature(subject, elsewhere);
    const found = await findReferrers(await client(), subject);
    assert.deepEqual(found.items, []);
    assert.match(found.problems[0] ?? '', new RegExp(`the cosign tag sha256-[0-9a-f]{64}\\.sig: the payload sha256:[0-9a-f]{64} signs ${elsewhere}, not ${subject}: not counted`));
  });

  test('a cosign .sig tag holding an ordinary image is not a signature: a registry answering every tag does not make an image signed', async () => {
    const subject = subjectDigest();
    put(`${subject.replace(':', '-')}.sig`, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256('x'), size: 1 }] });
    const found = await findReferrers(await client(), subject);
    assert.deepEqual(found.items, []);
    assert.match(found.problems[0] ?? '', /the cosign tag sha256-[0-9a-f]{64}\.sig holds layers of type application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip, not a cosign signature: not counted/);
  });

  test('a 404 naming NAME_UNKNOWN is not "no API": nothing is listed and the report says why', async () => {
    const subject = subjectDigest();
    referrers = () => ({ status: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}' });
    const found = await findReferrers(await client(), subject);
    assert.equal(found.via, undefined);
    assert.match(found.problems[0] ?? '', /could not list the referrers .*NAME_UNKNOWN/);
    assert.ok(!requests.includes(`/v2/app/manifests/${referrersTag(subject)}`), 'no fallback');
  });

  for (const [name, body] of [
    ['an invalid descriptor', indexOf([{ mediaType: OCI_MANIFEST, digest: 'sha256:nothex', size: 1 }])],
    ['a duplicate key (Go and JSON.parse disagree)', `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[],"manifests":[]}`],
    ['not JSON', '<html>'],
  ] as const) {
    test(`a malformed referrers index (${name}) lists nothing and says so`, async () => {
      const subject = subjectDigest();
      referrers = () => ({ status: 200, headers: { 'content-type': OCI_INDEX }, body });
      const found = await findReferrers(await client(), subject);
      assert.equal(found.via, undefined);
      assert.deepEqual(found.items, []);
      assert.match(found.problems[0] ?? '', /could not list the referrers of/);
    });
  }

  test('a 200 that is not an image index (a proxy page) is read as no API, as oras-go does', async () => {
    const subject = subjectDigest();
    referrers = () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html></html>' });
    const found = await findReferrers(await client(), subject);
    assert.equal(found.via, 'fallback-tag');
  });

  test('a referrer whose bytes do not hash to its listed digest is not counted', async () => {
    const subject = subjectDigest();
    const sbom = artifact(SPDX, subject);
    const real = manifests.get(sbom.digest);
    assert.ok(real);
    const altered = Buffer.from(real.bytes.toString('utf8').replace('"salt":""', '"salt":"x"'));
    manifests.set(sbom.digest, { ...real, bytes: altered });
    referrers = () => page([sbom]);
    const found = await findReferrers(await client(), subject);
    assert.deepEqual(found.items, []);
    assert.match(found.problems[0] ?? '', new RegExp(`referrer ${sbom.digest} of ${subject} not counted: .*hash`));
  });

  test('a next link to another origin is not followed: our credentials go nowhere else', async () => {
    const subject = subjectDigest();
    const signature = artifact(NOTATION, subject);
    referrers = () => page([signature], { link: `<${otherOrigin}/v2/app/referrers/${subject}?p=2>; rel="next"` });
    const found = await findReferrers(await client(), subject);
    assert.deepEqual(otherRequests, []);
    assert.equal(found.via, undefined);
    assert.match(found.problems[0] ?? '', /not this repository's referrers path on this registry/);
  });

  test(`a registry that links page after page is stopped after ${MAX_REFERRER_PAGES} pages`, async () => {
    const subject = subjectDigest();
    const signature = artifact(NOTATION, subject);
    referrers = (url) => {
      const n = Number(/p=(\d+)/.exec(url)?.[1] ?? '1');
      return page([signature], { link: `</v2/app/referrers/${subject}?p=${n + 1}>; rel="next"` });
    };
    const found = await findReferrers(await client(), subject);
    assert.equal(found.via, 'api');
    assert.equal(found.truncated, true);
    assert.equal(requests.filter((r) => r.includes('/referrers/')).length, MAX_REFERRER_PAGES);
    assert.deepEqual(kinds(found), [['signature', NOTATION, 'api']], 'the same referrer listed on every page is fetched once');
  });

  test('?artifactType= is sent; without OCI-Filters-Applied the filter is applied here, with it the registry is believed', async () => {
    const subject = subjectDigest();
    const signature = artifact(NOTATION, subject);
    const sbom = artifact(SPDX, subject);
    referrers = () => page([signature, sbom]);
    const unfiltered = await findReferrers(await client(), subject, { artifactType: SPDX });
    assert.ok(requests.some((r) => r === `/v2/app/referrers/${subject}?artifactType=${encodeURIComponent(SPDX)}`), requests.join('\n'));
    assert.deepEqual(kinds(unfiltered), [['sbom', SPDX, 'api']]);
    referrers = () => page([signature, sbom], { 'oci-filters-applied': 'artifactType' });
    const filtered = await findReferrers(await client(), subject, { artifactType: SPDX });
    assert.deepEqual(kinds(filtered).length, 2, 'the registry said it filtered: its list stands (each still checked by its subject)');
  });
});

describe('referrer discovery at fleet scale: what the registry session remembers, what an audit leaves out', () => {
  const apiCalls = () => requests.filter((r) => r.includes('/referrers/')).length;
  const subjects = (n: number) => Array.from({ length: n }, (_, i) => put(`v${i}`, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [], annotations: { i: String(i) } }).digest);

  test('after one "no API" answer the same registry session asks only the referrers tag: one HEAD per later subject without cosign tags', async () => {
    const [first, second, third] = subjects(3) as [string, string, string];
    const c = await client();
    assert.equal(c.host.referrersApi, 'unknown');
    await findReferrers(c, first, { cosignTags: false });
    assert.equal(c.host.referrersApi, 'absent');
    methods.length = 0;
    const sbom = artifact(SPDX, third);
    put(referrersTag(third), JSON.parse(indexOf([sbom])) as object, OCI_INDEX);
    const none = await findReferrers(c, second, { cosignTags: false });
    assert.deepEqual({ via: none.via, items: none.items }, { via: 'fallback-tag', items: [] });
    assert.deepEqual(methods, [`HEAD /v2/app/manifests/${referrersTag(second)}`], 'one request, and not to the API');
    // The tag still finds what is there: nothing is lost by not asking the API again.
    const found = await findReferrers(c, third, { cosignTags: false });
    assert.deepEqual(kinds(found), [['sbom', SPDX, 'fallback-tag']]);
    assert.equal(apiCalls(), 1);
  });

  test('concurrent lookups wait for the first one\'s answer instead of all asking the API', async () => {
    const c = await client();
    await Promise.all(subjects(5).map((s) => findReferrers(c, s, { cosignTags: false })));
    assert.equal(apiCalls(), 1, requests.join('\n'));
    assert.equal(c.host.referrersApi, 'absent');
  });

  test('a registry with the API keeps being asked through it, per subject', async () => {
    const [first, second] = subjects(2) as [string, string];
    const signature = artifact(NOTATION, second);
    referrers = (url) => page(url.includes(second) ? [signature] : []);
    const c = await client();
    await findReferrers(c, first, { cosignTags: false });
    assert.equal(c.host.referrersApi, 'present');
    const found = await findReferrers(c, second, { cosignTags: false });
    assert.deepEqual(kinds(found), [['signature', NOTATION, 'api']]);
    assert.equal(apiCalls(), 2);
    assert.ok(!requests.some((r) => r.includes('sha256-')), 'no referrers tag on a registry with the API');
  });

  test('an answer that says nothing about the API (a 403) is not remembered: the next lookup asks again', async () => {
    const [first, second] = subjects(2) as [string, string];
    referrers = () => ({ status: 403, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"DENIED","message":"no"}]}' });
    const c = await client();
    const denied = await findReferrers(c, first, { cosignTags: false });
    assert.match(denied.problems[0] ?? '', /answered 403/);
    assert.equal(c.host.referrersApi, 'unknown');
    referrers = () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' });
    await findReferrers(c, second, { cosignTags: false });
    assert.equal(apiCalls(), 2);
    assert.equal(c.host.referrersApi, 'absent');
  });

  test('cosignTags: false looks up no .sig/.att/.sbom tag; the default looks up all three', async () => {
    const [first, second] = subjects(2) as [string, string];
    cosignSignature(first, first);
    const c = await client();
    const without = await findReferrers(c, first, { cosignTags: false });
    assert.deepEqual(without.items, []);
    assert.ok(!requests.some((r) => /\.(sig|att|sbom)$/.test(r)), requests.join('\n'));
    const withTags = await findReferrers(c, first);
    assert.deepEqual(kinds(withTags), [['signature', 'application/vnd.dev.cosign.simplesigning.v1+json', 'cosign-tag']]);
    methods.length = 0;
    await findReferrers(c, second);
    assert.deepEqual(
      methods,
      [referrersTag(second), ...cosignTags(second).map((t) => t.tag)].map((tag) => `HEAD /v2/app/manifests/${tag}`),
    );
  });
});

describe('withReferrers joins each platform with its manifest and the index referrers', () => {
  const manifest = `sha256:${'1'.repeat(64)}`;
  const index = `sha256:${'2'.repeat(64)}`;
  const lookup = (subject: string, items: SubjectReferrers['items'], problems: string[] = []): SubjectReferrers => ({ subject, via: 'api', items, problems, truncated: false });
  const signature = { kind: 'signature' as const, artifactType: NOTATION, digest: `sha256:${'3'.repeat(64)}`, subject: index, foundBy: 'api' as const };
  const targets = [{ platform: 'linux/amd64', manifestDigest: manifest }];

  test('nothing found and no attestations: stays undefined, so the output stays []', () => {
    assert.equal(withReferrers(undefined, targets, new Map([[manifest, lookup(manifest, [])]]), undefined), undefined);
  });

  test("an index signature is the platform's, marked as referring to the index; existing attestation fields are kept", () => {
    const existing: AttestationSummary[] = [{ platform: 'linux/amd64', provenance: true, sbom: false, predicateTypes: ['p'], subjectsOk: true }];
    const joined = withReferrers(existing, targets, new Map([[manifest, lookup(manifest, [])], [index, lookup(index, [signature])]]), index);
    assert.equal(joined?.[0]?.provenance, true);
    assert.deepEqual(joined?.[0]?.referrers?.items, [{ ...signature, refersTo: 'index' }]);
    assert.deepEqual(joined?.[0]?.referrers?.listedBy, [
      { subject: manifest, via: 'api' },
      { subject: index, via: 'api' },
    ]);
  });

  test('a problem alone makes an entry, so it is reported', () => {
    const joined = withReferrers(undefined, targets, new Map([[manifest, { ...lookup(manifest, [], ['could not list']), via: undefined }]]), undefined);
    assert.deepEqual(joined?.[0]?.referrers, { items: [], listedBy: [], problems: ['could not list'] });
    assert.equal(joined?.[0]?.provenance, false);
  });
});

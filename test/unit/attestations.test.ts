import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicateKind, summarizeStatement, type StatementSummary } from '../../src/oci/in-toto.js';
import { decodeStrict } from '../../src/oci/strict-json.js';
import type { Descriptor } from '../../src/oci/types.js';
import { parseRequireAttestations } from '../../src/options.js';
import type { AttestationRead } from '../../src/registry/attestations.js';
import { attestationsOutput } from '../../src/report/outputs.js';
import { attestationsText } from '../../src/report/text.js';
import type { VerifyReport } from '../../src/model/report.js';
import { checkAttestations, summarizeAttestations } from '../../src/verify/attestations.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const hex = (n: number) => n.toString(16).padStart(64, '0');
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SLSA02 = 'https://slsa.dev/provenance/v0.2';
const SLSA1 = 'https://slsa.dev/provenance/v1';
const SPDX = 'https://spdx.dev/Document';

const AMD = d(1);
const ARM = d(2);
const images: Descriptor[] = [
  { mediaType: MANIFEST, digest: AMD, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
  { mediaType: MANIFEST, digest: ARM, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
];
const targets = [
  { platform: 'linux/amd64', manifestDigest: AMD },
  { platform: 'linux/arm64', manifestDigest: ARM },
];

function statement(predicateType: string, subjects: string[], extra: Partial<StatementSummary> = {}): StatementSummary {
  return { predicateType, kind: predicateKind(predicateType), subjects, materials: [], ...extra };
}
function read(n: number, attachedTo: string | undefined, statements: StatementSummary[], problem?: string): AttestationRead {
  return { digest: d(100 + n), ...(attachedTo ? { attachedTo } : {}), statements, ...(problem ? { problem } : {}) };
}
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

test('predicate kinds: SLSA v0.2 and v1 are provenance, SPDX and CycloneDX are SBOMs, others by type', () => {
  assert.equal(predicateKind(SLSA02), 'provenance');
  assert.equal(predicateKind(SLSA1), 'provenance');
  assert.equal(predicateKind(SPDX), 'sbom');
  assert.equal(predicateKind('https://cyclonedx.org/bom/v1.5'), 'sbom');
  assert.equal(predicateKind('https://example.com/vuln-scan'), 'other');
});

test("statement reader: BuildKit's SLSA v0.2 provenance gives subjects, builder, source, revision and image materials", () => {
  const decoded = decodeStrict(
    bytes({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: SLSA02,
      subject: [{ name: 'pkg:docker/x@1', digest: { sha256: hex(1) } }],
      predicate: {
        builder: { id: 'https://github.com/acme/app/actions/runs/1' },
        invocation: { configSource: { uri: 'https://github.com/acme/app.git#ref', digest: { sha1: 'abc123' } } },
        materials: [
          { uri: 'pkg:docker/127.0.0.1%3A5000/t/base@1?platform=linux%2Famd64', digest: { sha256: hex(9) } },
          { uri: 'https://example.com/file', digest: { sha256: hex(8) } },
          { uri: 'pkg:docker/nodigest@1' },
        ],
        metadata: { 'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: 'https://github.com/acme/app', revision: 'deadbeef' } } },
      },
    }),
    'in-toto statement',
  );
  const summary = summarizeStatement(decoded);
  assert.ok(typeof summary !== 'string');
  assert.deepEqual(summary.subjects, [AMD]);
  assert.equal(summary.kind, 'provenance');
  assert.equal(summary.builder, 'https://github.com/acme/app/actions/runs/1');
  assert.equal(summary.source, 'https://github.com/acme/app', 'BuildKit vcs metadata wins over configSource');
  assert.equal(summary.revision, 'deadbeef');
  assert.deepEqual(summary.materials, [{ uri: 'pkg:docker/127.0.0.1%3A5000/t/base@1?platform=linux%2Famd64', digest: d(9) }]);
});

test('statement reader: SLSA v1 reads runDetails.builder and resolvedDependencies; configSource names the source without vcs', () => {
  const summary = summarizeStatement({
    _type: 'https://in-toto.io/Statement/v1',
    predicateType: SLSA1,
    subject: [{ digest: { sha256: hex(2) } }],
    predicate: {
      buildDefinition: {
        externalParameters: { configSource: { uri: 'https://git.example/app.git', digest: { sha1: 'f00' } } },
        resolvedDependencies: [{ uri: 'pkg:docker/base@2', digest: { sha256: hex(7) } }],
      },
      runDetails: { builder: { id: 'builder-v1' } },
    },
  });
  assert.ok(typeof summary !== 'string');
  assert.deepEqual(summary.subjects, [ARM]);
  assert.equal(summary.builder, 'builder-v1');
  assert.equal(summary.source, 'https://git.example/app.git');
  assert.equal(summary.revision, 'f00');
  assert.deepEqual(summary.materials, [{ uri: 'pkg:docker/base@2', digest: d(7) }]);
});

test('statement reader: refuses what is not an in-toto statement, caps long registry text', () => {
  assert.equal(typeof summarizeStatement([]), 'string');
  assert.equal(typeof summarizeStatement({ _type: 'other', predicateType: SLSA02, subject: [] }), 'string');
  assert.equal(typeof summarizeStatement({ _type: 'https://in-toto.io/Statement/v0.1', subject: [] }), 'string');
  assert.equal(typeof summarizeStatement({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: SLSA02 }), 'string');
  const long = summarizeStatement({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: SLSA02, subject: [], predicate: { builder: { id: 'x'.repeat(5000) } } });
  assert.ok(typeof long !== 'string' && long.builder !== undefined && long.builder.length < 600);
});

test('the strict decoder refuses a statement Go would read differently (a folded duplicate of subject)', () => {
  const text = '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"x","subject":[],"Subject":[{"digest":{"sha256":"00"}}]}';
  assert.throws(() => decodeStrict(Buffer.from(text), 'in-toto statement'));
});

test('rule attestations: statements bound to their platform pass, per platform', () => {
  const reads = [read(1, AMD, [statement(SLSA02, [AMD])]), read(2, ARM, [statement(SLSA02, [ARM]), statement(SPDX, [ARM])])];
  const checks = checkAttestations(reads, images, targets, ['provenance']);
  assert.equal(checks.length, 2);
  assert.ok(checks.every((c) => c.ok && c.rule === 'attestations'));
  assert.deepEqual(
    checks.map((c) => c.platform),
    ['linux/amd64', 'linux/arm64'],
  );
  const summary = summarizeAttestations(reads, targets, checks);
  assert.deepEqual(summary[1], { platform: 'linux/arm64', provenance: true, sbom: true, predicateTypes: [SLSA02, SPDX], subjectsOk: true });
});

test('rule attestations: an attestation re-attached to another platform (subject mismatch) fails naming platform and digests', () => {
  const reads = [read(1, ARM, [statement(SLSA02, [AMD])])];
  const checks = checkAttestations(reads, images, targets, []);
  const failed = checks.filter((c) => !c.ok);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.platform, 'linux/arm64');
  assert.match(failed[0]?.message ?? '', new RegExp(`attached to ${ARM} but its subject names ${AMD}`));
  assert.equal(summarizeAttestations(reads, targets, checks)[1]?.subjectsOk, false);
  assert.equal(summarizeAttestations(reads, targets, checks)[1]?.provenance, false, 'an unbound statement is not provenance for the platform');
});

test('rule attestations: an attestation attached to a manifest not in the index (dangling) fails', () => {
  const checks = checkAttestations([read(1, d(55), [statement(SLSA02, [d(55)])])], images, targets, []);
  const failed = checks.filter((c) => !c.ok);
  assert.equal(failed.length, 1);
  assert.match(failed[0]?.message ?? '', new RegExp(`attached to ${d(55)}, which is not a platform image in this index`));
  assert.equal(failed[0]?.platform, undefined);
});

test('rule attestations: no reference annotation, an unreadable statement, an empty subject all fail', () => {
  assert.ok(checkAttestations([read(1, undefined, [statement(SLSA02, [AMD])])], images, targets, []).some((c) => !c.ok && /attached to no image/.test(c.message)));
  const problem = checkAttestations([read(1, AMD, [], 'in-toto statement blob sha256:… does not match its descriptor')], images, targets, []);
  assert.ok(problem.some((c) => !c.ok && c.platform === 'linux/amd64' && /does not match its descriptor/.test(c.message)));
  assert.ok(checkAttestations([read(1, AMD, [statement(SLSA02, [])])], images, targets, []).some((c) => !c.ok && /names no digest/.test(c.message)));
});

test('require-attestations: a platform without a bound provenance or SBOM fails; none present and none required is no check', () => {
  const reads = [read(1, AMD, [statement(SLSA02, [AMD])])];
  const checks = checkAttestations(reads, images, targets, ['provenance', 'sbom']);
  const failed = checks.filter((c) => !c.ok).map((c) => `${c.platform} ${/no (\w+) attestation/.exec(c.message)?.[1]}`);
  assert.deepEqual(failed, ['linux/amd64 sbom', 'linux/arm64 provenance', 'linux/arm64 sbom']);
  assert.deepEqual(checkAttestations([], images, targets, []), []);
  const none = checkAttestations([], [], [{ platform: 'linux/amd64', manifestDigest: AMD }], ['provenance']);
  assert.equal(none.filter((c) => !c.ok).length, 1);
});

test('parseRequireAttestations: provenance and sbom, deduplicated; anything else is a one-line input error', () => {
  assert.deepEqual(parseRequireAttestations('x', ''), []);
  assert.deepEqual(parseRequireAttestations('x', 'Provenance, sbom,provenance'), ['provenance', 'sbom']);
  assert.throws(() => parseRequireAttestations('require-attestations', 'signature'), /require-attestations "signature" is not an attestation kind/);
});

test('attestations output keeps only the documented fields; the text lists each platform', () => {
  const report = {
    attestations: [{ platform: 'linux/amd64', provenance: true, sbom: false, predicateTypes: [SLSA02], builder: 'b\n::error::x', subjectsOk: true }],
  } as unknown as VerifyReport;
  assert.deepEqual(attestationsOutput(report), [{ platform: 'linux/amd64', provenance: true, sbom: false, predicateTypes: [SLSA02], builder: 'b\n::error::x' }]);
  const lines = attestationsText(report.attestations);
  assert.ok(lines.some((l) => l.includes('linux/amd64: provenance')));
});

test('provenance materials: pkg:docker URIs become references pinned to the resolved digest', async () => {
  const { materialReference } = await import('../../src/base/provenance.js');
  const { formatReference } = await import('../../src/oci/reference.js');
  const ref = materialReference({ uri: 'pkg:docker/127.0.0.1%3A5600/t/base@1?platform=linux%2Famd64', digest: d(9) });
  assert.ok(ref);
  assert.equal(formatReference(ref), `127.0.0.1:5600/t/base:1@${d(9)}`);
  const hub = materialReference({ uri: 'pkg:docker/alpine@3.20?platform=linux%2Farm64', digest: d(8) });
  assert.equal(hub && formatReference(hub), `docker.io/library/alpine:3.20@${d(8)}`);
  assert.equal(materialReference({ uri: 'pkg:docker/Bad Name@1', digest: d(8) }), undefined);
  assert.equal(materialReference({ uri: `pkg:docker/x@${d(7)}`, digest: d(8) }), undefined, 'a version digest that disagrees is not the material');
});

test('base from provenance: the material whose diff_ids are the longest prefix of the image is the base; none matching gives none', async () => {
  const { baseFromProvenance } = await import('../../src/base/provenance.js');
  const { formatReference } = await import('../../src/oci/reference.js');
  const layers: Record<string, string[]> = { [d(9)]: [d(201), d(202)], [d(8)]: [d(201)], [d(7)]: [d(300)] };
  const resolved: string[] = [];
  const lookup = {
    tagDigest: () => Promise.reject(new Error('not used')),
    resolve: (ref: { digest?: string }) => {
      resolved.push(ref.digest ?? '');
      const diffIds = layers[ref.digest ?? ''];
      return diffIds ? Promise.resolve({ config: { rootfs: { type: 'layers', diff_ids: diffIds } } } as never) : Promise.reject(new Error('gone'));
    },
  };
  const image = { platform: { os: 'linux', architecture: 'amd64' }, config: { rootfs: { type: 'layers', diff_ids: [d(201), d(202), d(203)] } } } as never;
  const logger = { info: () => undefined, warning: () => undefined, debug: () => undefined, secret: () => undefined };
  const materials = [
    { uri: 'pkg:docker/tools@1', digest: d(7) },
    { uri: 'pkg:docker/gone@1', digest: d(6) },
    { uri: 'pkg:docker/small@1', digest: d(8) },
    { uri: 'pkg:docker/base@2', digest: d(9) },
  ];
  const base = await baseFromProvenance(image, materials, lookup, 'build', logger);
  assert.ok(base?.reference);
  assert.equal(formatReference(base.reference), `docker.io/library/base:2@${d(9)}`);
  assert.equal(base.source, 'provenance');
  assert.equal(base.namedBy, 'build');
  assert.equal(resolved.length, 4);
  assert.equal(await baseFromProvenance(image, materials.slice(0, 2), lookup, 'registry', logger), undefined);
});

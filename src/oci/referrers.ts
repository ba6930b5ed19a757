// OCI 1.1 referrers, the pure part: the fallback tag a digest's referrers list lives under when a
// registry has no referrers API (distribution-spec "Referrers Tag Schema"), cosign's older tags
// beside it (`sha256-<hex>.sig`, `.att`, `.sbom`), what kind of thing an artifact type names
// (a signature, an SBOM, an attestation or something else), a referrer manifest's artifact type
// by the spec's rule, and the `Link: <…>; rel="next"` header the API pages with. Values in,
// values out; nothing here fetches.

import { isMediaType, manifestDescriptorProblem } from './descriptor.js';
import { MediaType, type ImageIndex, type ImageManifest } from './types.js';

export type ReferrerKind = 'signature' | 'sbom' | 'attestation' | 'other';

/**
 * Artifact types by what they are, from the tools that push them: cosign (its OCI 1.1 referrers
 * mode and its simple-signing payload), Notation, Sigstore bundles (cosign 2.x `--new-bundle-format`),
 * SPDX and CycloneDX as their media types are registered or as tools (syft, oras, docker scout)
 * write them, and in-toto / DSSE attestations. Anything else is listed by its type as "other".
 */
const KNOWN: ReadonlyArray<[RegExp, ReferrerKind]> = [
  [/^application\/vnd\.dev\.cosign\.artifact\.sig\.v1\+json$/, 'signature'],
  [/^application\/vnd\.dev\.cosign\.simplesigning\.v1\+json$/, 'signature'],
  [/^application\/vnd\.cncf\.notary\.signature$/, 'signature'],
  [/^application\/vnd\.dev\.sigstore\.bundle(?:\.v[0-9.]+)?\+json$/, 'signature'],
  [/^(?:application|text)\/(?:vnd\.)?spdx(?:\+json|\+xml|\+yaml|\+tag-value)?$/, 'sbom'],
  [/^application\/vnd\.cyclonedx(?:\+json|\+xml)?$/, 'sbom'],
  [/^application\/vnd\.syft\+json$/, 'sbom'],
  [/^application\/vnd\.dev\.cosign\.attestation\.v1\+json$/, 'attestation'],
  [/^application\/vnd\.in-toto\+json$/, 'attestation'],
  [/^application\/vnd\.dsse\.envelope\.v1\+json$/, 'attestation'],
];

/** What an artifact type names. Media types are case-insensitive (RFC 6838), so is this. */
export function classifyArtifactType(artifactType: string): ReferrerKind {
  const type = artifactType.toLowerCase();
  for (const [pattern, kind] of KNOWN) if (pattern.test(type)) return kind;
  return 'other';
}

/**
 * The artifact type of a referrer as the referrers API reports it (distribution-spec, "Listing
 * Referrers"): a manifest's `artifactType`, else its config's media type; an index's
 * `artifactType`, else none. Undefined also when the value is not a media type: it is then not
 * something we can name.
 */
export function artifactTypeOf(body: ImageManifest | ImageIndex): string | undefined {
  const declared = body.artifactType;
  if (declared !== undefined && declared !== null && declared !== '') return isMediaType(declared) ? declared : undefined;
  if ('config' in body && body.config) return isMediaType(body.config.mediaType) ? body.config.mediaType : undefined;
  return undefined;
}

/** Characters a tag may hold (distribution-spec `<reference>` as a tag); others become `-` in a referrers tag. */
const NOT_TAG_CHAR = /[^a-zA-Z0-9._-]/g;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/**
 * The referrers tag of a digest: the algorithm truncated to 32 characters, `-`, the encoded part
 * truncated to 64, with every character a tag may not hold replaced by `-`
 * (`sha256:abc…` → `sha256-abc…`).
 */
export function referrersTag(digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon).slice(0, 32);
  const encoded = digest.slice(colon + 1).slice(0, 64);
  return `${algorithm}-${encoded}`.replace(NOT_TAG_CHAR, '-');
}

/**
 * cosign's tags for a digest before OCI 1.1 (`sha256-<hex>.sig` and its `.att` and `.sbom`
 * siblings): the whole digest with `:` as `-`, untruncated, so a digest too long for a tag has none.
 */
export function cosignTags(digest: string): Array<{ tag: string; kind: ReferrerKind }> {
  const stem = digest.replace(':', '-');
  const tags: Array<{ tag: string; kind: ReferrerKind }> = [
    { tag: `${stem}.sig`, kind: 'signature' },
    { tag: `${stem}.att`, kind: 'attestation' },
    { tag: `${stem}.sbom`, kind: 'sbom' },
  ];
  return tags.filter((t) => TAG.test(t.tag));
}

/**
 * The `rel="next"` target of a Link header (RFC 8288), or undefined. Links are separated by
 * commas outside `<…>` and quoted values; a link's rel may be quoted and may list several relation types.
 */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const links = header.match(/<[^>]*>(?:[^,<"]|"[^"]*")*/g) ?? [];
  for (const link of links) {
    const target = /^<([^>]*)>/.exec(link)?.[1];
    const params = link.slice(link.indexOf('>') + 1);
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (target !== undefined && relations.includes('next')) return target;
  }
  return undefined;
}

/**
 * Why a decoded referrers list (the API's answer or the fallback tag's) is not an OCI image index
 * of valid descriptors, or undefined when it is one.
 */
export function referrersIndexProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'is not a JSON object';
  const index = value as Partial<ImageIndex> & { config?: unknown };
  if (index.schemaVersion !== 2) return `has schemaVersion ${String(index.schemaVersion)}, not 2`;
  if (index.mediaType !== undefined && index.mediaType !== MediaType.OciIndex) return `has mediaType ${String(index.mediaType).slice(0, 80)}, not an OCI image index`;
  if (!Array.isArray(index.manifests)) return 'has no manifests list';
  if (index.config !== undefined) return 'has a config: it is an image manifest, not an index';
  return manifestDescriptorProblem(index as ImageIndex);
}

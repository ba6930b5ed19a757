// in-toto statements as BuildKit attaches them (moby/buildkit docs/attestations): what a decoded
// statement says, reduced to the facts we report and check — its predicate type and kind, the
// digests its subject names, and, for SLSA provenance, the builder, the source and its revision.
// Pure: a decoded value in, a plain summary out. Every string kept is registry text: renderers
// escape it, and it is capped here so a hostile statement cannot flood a report.

export const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';
export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

/** A statement is a small JSON document; BuildKit's mode=max provenance stays well under this. */
export const STATEMENT_CAP = 4 * 1024 * 1024;

export type PredicateKind = 'provenance' | 'sbom' | 'other';

const PROVENANCE_TYPES = new Set(['https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.1']);
const SBOM_PREFIXES = ['https://spdx.dev/document', 'https://spdx.dev/Document', 'https://cyclonedx.org/bom'];

export function predicateKind(predicateType: string): PredicateKind {
  if (PROVENANCE_TYPES.has(predicateType)) return 'provenance';
  if (SBOM_PREFIXES.some((p) => predicateType.startsWith(p))) return 'sbom';
  return 'other';
}

export interface StatementSummary {
  predicateType: string;
  kind: PredicateKind;
  /** Subject digests as `algorithm:hex`, in the statement's order. */
  subjects: string[];
  builder?: string;
  source?: string;
  revision?: string;
  /** Container images the build used (SLSA materials / resolvedDependencies with a sha256 digest). */
  materials: Material[];
}

export interface Material {
  uri: string;
  digest: string;
}

const TEXT_CAP = 512;

/** Reads a decoded statement; a reason string when it is not one we can read. */
export function summarizeStatement(value: unknown): StatementSummary | string {
  if (!isObject(value)) return 'the statement is not a JSON object';
  const type = value._type;
  if (typeof type !== 'string' || !type.startsWith('https://in-toto.io/Statement/')) return `the statement's _type is not an in-toto Statement`;
  const predicateType = value.predicateType;
  if (typeof predicateType !== 'string' || !predicateType) return 'the statement has no predicateType';
  if (!Array.isArray(value.subject)) return 'the statement has no subject list';
  const subjects: string[] = [];
  for (const subject of value.subject) {
    if (!isObject(subject) || !isObject(subject.digest)) continue;
    for (const [algorithm, hex] of Object.entries(subject.digest)) {
      if (typeof hex === 'string') subjects.push(`${algorithm}:${hex}`);
    }
  }
  const summary: StatementSummary = { predicateType: cap(predicateType), kind: predicateKind(predicateType), subjects, materials: [] };
  if (summary.kind === 'provenance' && isObject(value.predicate)) readProvenance(value.predicate, summary);
  return summary;
}

/** SLSA v0.2 and v1 as BuildKit writes them; BuildKit's own vcs metadata names the source when the context is a Git checkout. */
function readProvenance(predicate: Record<string, unknown>, out: StatementSummary): void {
  const v1 = isObject(predicate.buildDefinition) || isObject(predicate.runDetails);
  const runDetails = obj(predicate.runDetails);
  const builderId = v1 ? obj(runDetails.builder).id : obj(predicate.builder).id;
  if (typeof builderId === 'string' && builderId) out.builder = cap(builderId);
  const configSource = v1 ? obj(obj(obj(predicate.buildDefinition).externalParameters).configSource) : obj(obj(predicate.invocation).configSource);
  const metadata = v1 ? obj(runDetails.metadata) : obj(predicate.metadata);
  const vcs = obj(obj(metadata['https://mobyproject.org/buildkit@v1#metadata']).vcs);
  const source = typeof vcs.source === 'string' ? vcs.source : typeof configSource.uri === 'string' ? configSource.uri : undefined;
  if (source) out.source = cap(source);
  const sourceDigest = obj(configSource.digest);
  const revision = typeof vcs.revision === 'string' ? vcs.revision : typeof sourceDigest.sha1 === 'string' ? sourceDigest.sha1 : undefined;
  if (revision) out.revision = cap(revision);
  const materials = v1 ? obj(predicate.buildDefinition).resolvedDependencies : predicate.materials;
  if (Array.isArray(materials)) {
    for (const m of materials) {
      if (!isObject(m) || typeof m.uri !== 'string' || !m.uri.startsWith('pkg:docker/')) continue;
      const sha = obj(m.digest).sha256;
      if (typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha)) out.materials.push({ uri: cap(m.uri), digest: `sha256:${sha}` });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function obj(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function cap(text: string): string {
  return text.length > TEXT_CAP ? `${text.slice(0, TEXT_CAP)}…` : text;
}

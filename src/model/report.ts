// The report model: one plain object per verified image that the job summary, the CLI text and
// the JSON report are all rendered from. The run builds it (src/run.ts); src/report/ renders it.

import type { Check } from './check.js';
import type { BaseReport, Origin } from './base.js';
import type { DeepReport } from './deep.js';
import type { ReferrerKind } from '../oci/referrers.js';

export type Status = 'verified' | 'mismatch' | 'error';

export interface LayerRow {
  /** 1-based, bottom layer first. */
  index: number;
  /** The Dockerfile instruction that made the layer, from the config's history. */
  instruction?: string;
  created?: string;
  diffId?: string;
  localDiffId?: string;
  /** Compressed digest, size and media type from the manifest. */
  digest?: string;
  size?: number;
  mediaType?: string;
  /** match/differs against the local build; not-compared when there is no local image. */
  status: 'match' | 'differs' | 'not-compared';
  /** Whether the layer comes from the base image or the image's own build; absent when unknown. */
  origin?: Origin;
  /** The local blob's compressed digest, when the local source holds a manifest (archives, layouts). */
  localDigest?: string;
  /** The instruction that made the local layer, from the local config's history (or the daemon's image history). */
  localInstruction?: string;
}

export interface RemoteSummary {
  reference: string;
  indexDigest?: string;
  manifestDigest: string;
  manifestMediaType: string;
  configDigest: string;
  platform: string;
  created?: string;
}

export interface LocalSummary {
  reference: string;
  source: string;
  id: string;
  idKind: 'config' | 'manifest';
  platform: string;
  /** The local manifest digest, when the source has one (layouts, Docker 25+ archives, the containerd store). */
  manifestDigest?: string;
  /** When the local image was built: its config's `created`, or the daemon's `Created`. */
  created?: string;
}

export interface VerifyReport {
  image: string;
  status: Status;
  verified: boolean;
  /** One line saying why the image could not be verified (status 'error'). */
  error?: string;
  remote?: RemoteSummary;
  local?: LocalSummary;
  checks: Check[];
  layers: LayerRow[];
  /** What this run compared, in words, so a pass is never mistaken for more than it is. */
  compared: string[];
  durationMs: number;
  /** Deep verification (deep: true): every blob's bytes and what is inside each layer. */
  deep?: DeepReport;
  /** The base image: where it came from, layer attribution and drift; with several platforms, all of theirs combined (base/platforms.ts). */
  base?: BaseReport;
  /** The pushed index, in a multi-platform run (platform: all, a list, or a local index). */
  index?: IndexSummary;
  /** What each verified platform's attestations say (provenance, SBOM), when the tag holds any or some are required. */
  attestations?: AttestationSummary[];
  /** One entry per platform in a multi-platform run; `remote`, `local` and `layers` above then describe the platform only when there is exactly one. */
  platforms?: PlatformReport[];
}

export interface IndexSummary {
  reference: string;
  /** The top-level digest the registry serves for the tag (an index, or a manifest when the tag is single-platform). */
  digest: string;
  mediaType: string;
  /** The local index digest, when the local source holds the index as a blob. */
  localDigest?: string;
}

export interface PlatformReport {
  /** os/arch[/variant]. */
  platform: string;
  /** Where the platform was found. */
  presence: 'both' | 'registry' | 'local';
  status: Status;
  remote?: RemoteSummary;
  local?: LocalSummary;
  checks: Check[];
  layers: LayerRow[];
  /** BuildKit attestation manifests for this platform's image, matched by their subject digest; reported, never required. */
  attestation?: AttestationReport;
  /** Deep verification of this platform's layers (deep: true). */
  deep?: DeepReport;
  /** This platform's base: attribution (origins in `layers`) and drift, as in a one-platform run. */
  base?: BaseReport;
}

export interface AttestationReport {
  status: 'same' | 'differs' | 'registry-only' | 'local-only';
  registry?: string;
  local?: string;
}

/** One verified platform's attestations: only statements whose subject is its manifest count. */
export interface AttestationSummary {
  platform: string;
  provenance: boolean;
  sbom: boolean;
  predicateTypes: string[];
  /** From the provenance: the builder id, the source repository and its revision, where recorded. */
  builder?: string;
  source?: string;
  revision?: string;
  /** False when an attestation attached to this platform failed the subject check. */
  subjectsOk: boolean;
  /** What refers (OCI 1.1 `subject`) to this platform's manifest or to the pushed index: signatures, SBOMs and others; presence only. */
  referrers?: ReferrersSummary;
}

/** How a referrer was found: the referrers API, the referrers tag that stands in for it, or cosign's own tag. */
export type ReferrerSource = 'api' | 'fallback-tag' | 'cosign-tag';

/** One referrer whose manifest we fetched by digest and whose subject is the digest it was listed for. */
export interface ReferrerItem {
  kind: ReferrerKind;
  /** The referrer manifest's own artifact type (or config media type); for a cosign tag, its first layer's media type. Registry text. */
  artifactType?: string;
  digest: string;
  /** The digest it refers to: this platform's manifest or the index holding it. */
  subject: string;
  /** Whether `subject` is the platform's manifest or the index holding it (set when joined onto a platform). */
  refersTo?: 'manifest' | 'index';
  foundBy: ReferrerSource;
  /** The tag it was found under (fallback and cosign tags). */
  tag?: string;
}

export interface ReferrersSummary {
  items: ReferrerItem[];
  /** How each subject's referrers were listed; a subject whose listing failed is missing (see problems). */
  listedBy: Array<{ subject: string; via: 'api' | 'fallback-tag' }>;
  /** What could not be listed or was not counted (a wrong subject, bytes that do not hash), one line each. */
  problems: string[];
  /** More referrers were listed than we fetch (src/registry/referrers.ts); the rest were not looked at. */
  truncated?: boolean;
}

export function failedChecks(report: VerifyReport): Check[] {
  return report.checks.filter((c) => !c.ok);
}

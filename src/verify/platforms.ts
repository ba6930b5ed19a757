// Multi-platform verification: the pushed tag's index against the local build's platforms.
// Every platform the local build holds must be in the registry's index with the same manifest,
// config and layers; a platform on one side only is a failure (the tag would serve, or lack, an
// image nobody verified). Attestation manifests are matched by their subject and reported.
// Runs when `platform` is `all` or a list, or when the local source is itself an index.

import { combinePlatformBases } from '../base/platforms.js';
import { inspectBase } from '../base/inspect.js';
import { provenanceProved } from '../base/provenance.js';
import type { BaseOptions } from '../base/detect.js';
import type { BaseLookup } from '../base/lookup.js';
import type { Logger } from '../log.js';
import type { ImageSource, LocalImage, LocalTarget } from '../local/source.js';
import { bestMatch, formatPlatform, onlyPlatform } from '../oci/platform.js';
import type { ImageReference } from '../oci/reference.js';
import { isImageManifest, isIndex, type Platform } from '../oci/types.js';
import type { PlatformSelection, RequiredAttestation } from '../options.js';
import { readAttestations, type AttestationRead } from '../registry/attestations.js';
import type { RegistryClient } from '../registry/client.js';
import { fetchPlatformImage, resolveRemoteTop, type RemoteTop } from '../registry/resolve-platforms.js';
import { layerRows, localSummary, remoteSummary, type LayerRow, type PlatformReport, type VerifyReport } from '../report/model.js';
import { boundStatements, checkAttestations, summarizeAttestations } from './attestations.js';
import { pairAttestation, pairPlatforms, type PlatformPair } from './pairing.js';
import { attachReferrers } from './referrers.js';
import type { LayerCache } from './cache.js';
import { deepChecks, deepError, verifyLayers } from './deep.js';
import { checkEfficiency, checkExpectedPlatforms, servedByTop, type EfficiencyGate } from './gates.js';
import { compareImage, type Check, type RemoteImage } from './rules.js';

export interface PlatformRun {
  client: RegistryClient;
  ref: ImageReference;
  source?: ImageSource;
  target?: LocalTarget;
  selection: PlatformSelection;
  expectedDigest?: string;
  logger: Logger;
  /** deep: true — every platform's layer blobs are downloaded and proved, as in a one-platform run. */
  deep?: { concurrency?: number; cache?: LayerCache };
  /** `platforms-expected`: the tag must serve exactly these (gates.ts). */
  platformsExpected?: Platform[];
  /** With deep: the efficiency gate, per platform (gates.ts). */
  efficiency?: EfficiencyGate;
  /** The base stage, run on every platform image; one lookup, so a base shared by the platforms is fetched once. */
  base: { options: BaseOptions; lookup: BaseLookup };
  /** `require-attestations`: what each verified platform must carry (attestations.ts). */
  requireAttestations?: RequiredAttestation[];
}

/** `all`, a list, or (by default) a local index: every platform, not one. */
export function isMultiPlatformRun(selection: PlatformSelection, target: LocalTarget | undefined): boolean {
  if (selection.kind === 'all' || selection.kind === 'list') return true;
  return selection.kind === 'default' && target?.kind === 'index';
}

export async function verifyPlatforms(report: VerifyReport, run: PlatformRun): Promise<void> {
  const remote = await resolveRemoteTop(run.client, run.ref);
  const localImages = run.target ? (run.target.kind === 'index' ? run.target.index.images : [run.target.image]) : [];
  const localAttestations = run.target?.kind === 'index' ? run.target.index.attestations : [];
  const localIndexDigest = run.target?.kind === 'index' ? run.target.index.digest : undefined;
  if (run.target) {
    const described = run.target.kind === 'index' ? run.target.index : run.target.image;
    run.logger.info(`local build ${described.reference}: ${localImages.length} platform image(s) and ${localAttestations.length} attestation(s) from ${described.source}`);
  }
  run.logger.info(
    `registry ${remote.reference}: ${isIndex(remote.top.mediaType) ? `index ${remote.top.digest} with ${remote.images.length} platform image(s) and ${remote.attestations.length} attestation(s)` : `single image ${remote.top.digest}`}`,
  );

  // Read once: the rule checks them, and each platform's bound provenance may name its base.
  const reads = remote.attestations.length > 0 ? await readAttestations(run.client, remote.attestations) : [];
  const platforms: PlatformReport[] = [];
  const pairs = pairPlatforms(localImages, remote.images, run.selection);
  for (const pair of pairs) {
    const platform = await verifyPair(pair, remote, run, localImages.length > 0, reads);
    platform.attestation = pairAttestation(pair.local, localAttestations, pair.remote, remote.attestations);
    platforms.push(platform);
  }

  // A list verifies only the platforms named; all (or a local index) answers for the whole index.
  const indexChecks: Check[] = run.selection.kind === 'list' ? [] : [...otherEntryChecks(remote), ...unpairedEntryChecks(remote, pairs)];
  indexChecks.push(...runtimeChoiceChecks(remote, pairs));
  indexChecks.push(...attestationChecks(report, remote, platforms, run, reads));
  if (run.platformsExpected) indexChecks.push(checkExpectedPlatforms(servedByTop(remote), run.platformsExpected));
  if (run.expectedDigest) indexChecks.push(checkTopDigest(remote, run.expectedDigest, platforms));
  if (localIndexDigest && isIndex(remote.top.mediaType)) indexChecks.push(checkIndexDigest(remote, localIndexDigest, platforms));

  report.index = { reference: remote.reference, digest: remote.top.digest, mediaType: remote.top.mediaType, localDigest: localIndexDigest };
  report.platforms = platforms;
  report.checks = [...indexChecks, ...platforms.flatMap((p) => p.checks)];
  report.verified = report.checks.length > 0 && report.checks.every((c) => c.ok);
  report.status = report.verified ? 'verified' : 'mismatch';
  report.compared = describePlatformComparison(remote, run, platforms);
  if (report.attestations) report.compared.push('each attestation manifest and in-toto statement fetched, hashed against its descriptor, and its subject checked against the platform manifest it is attached to');
  report.attestations = await attachReferrers(run.client, report.attestations, platforms.flatMap((p) => (p.remote ? [{ platform: p.platform, manifestDigest: p.remote.manifestDigest }] : [])), isIndex(remote.top.mediaType) ? remote.top.digest : undefined, run.logger);
  const only = platforms.length === 1 ? platforms[0] : undefined;
  if (only?.remote) {
    // One platform: the single-platform fields (and outputs) describe it, as in a one-platform run.
    report.remote = only.remote;
    report.layers = only.layers;
    report.deep = only.deep;
    report.base = only.base;
    if (only.local) report.local = only.local;
  } else {
    report.remote = undefined;
    report.layers = [];
    report.base = combinePlatformBases(platforms);
    if (run.target) report.local = targetSummary(run.target);
  }
  for (const p of platforms) {
    run.logger.info(`${p.platform}: ${p.status}${p.presence === 'both' ? '' : ` (${p.presence === 'registry' ? 'registry only' : 'local build only'})`}`);
  }
}

async function verifyPair(pair: PlatformPair, remote: RemoteTop, run: PlatformRun, haveLocal: boolean, reads: AttestationRead[]): Promise<PlatformReport> {
  const report: PlatformReport = {
    platform: pair.platform,
    presence: pair.local && pair.remote ? 'both' : pair.remote ? 'registry' : 'local',
    status: 'mismatch',
    checks: [],
    layers: [],
  };
  let image: RemoteImage | undefined;
  if (pair.remote) {
    image = await fetchPlatformImage(run.client, remote, pair.remote);
    report.remote = remoteSummary(image);
  }
  if (pair.local) {
    await run.source?.measure(pair.local);
    report.local = localSummary(pair.local);
  }
  const checks: Check[] = [];
  if (image) {
    checks.push(...compareImage(image, pair.local, undefined));
    report.layers = platformLayerRows(image, pair.local);
    if (run.deep) {
      report.deep = await verifyLayers(run.client, image, { ...run.deep, logger: run.logger });
      checks.push(...deepChecks(report.deep));
      const efficiency = run.efficiency && checkEfficiency(report.deep, run.efficiency);
      if (efficiency) checks.push(efficiency);
      const inconclusive = deepError(report.deep);
      if (inconclusive) throw inconclusive;
    }
  }
  if (image) {
    // Labels are the build's word only when this platform's config is proved to be the user's build:
    // every check passed against a local build, or the expected digest names it (the index or this manifest).
    const digestMatched = run.expectedDigest !== undefined && (run.expectedDigest === remote.top.digest || run.expectedDigest === image.manifestDigest);
    const configBound = checks.every((c) => c.ok) && (pair.local !== undefined || digestMatched);
    // Only provenance bound to this platform's manifest (its subject) may name this platform's base.
    const materials = boundStatements(reads, image.manifestDigest)
      .filter((statement) => statement.kind === 'provenance')
      .flatMap((statement) => statement.materials);
    // That provenance is the build's word only when the index holding it is proved to be the push:
    // the expected digest or the local build's index digest is the registry's top-level digest.
    const proved = isIndex(remote.top.mediaType) && provenanceProved(remote.top.digest, run.expectedDigest, run.target, checks.every((c) => c.ok));
    report.base = await inspectBase(run.base.options, image, report.layers, run.base.lookup, platformLogger(run.logger, pair.platform), configBound, materials, proved);
  }
  if (pair.local && !pair.remote) {
    checks.push({
      rule: 'platforms',
      ok: false,
      message: `${pair.platform} is in the local build (${pair.local.manifestDigest ?? pair.local.id}) but not in ${remote.reference}: it was not pushed`,
    });
  } else if (!pair.local && pair.remote && haveLocal) {
    checks.push({
      rule: 'platforms',
      ok: false,
      message: `${pair.platform} is in ${remote.reference} (${pair.remote.digest}) but not in the local build: the tag serves an image this build did not make (to verify only some platforms, list them in platform)`,
    });
  } else if (!pair.local && !pair.remote) {
    checks.push({ rule: 'platforms', ok: false, message: `${pair.platform} was asked for but is neither in ${remote.reference} nor in the local build` });
  }
  report.checks = checks.map((c) => ({ ...c, platform: pair.platform }));
  report.status = report.checks.every((c) => c.ok) ? 'verified' : 'mismatch';
  return report;
}

/**
 * Rule attestations over every attestation in the index; a check about one verified platform
 * joins that platform's checks (and status), the rest (dangling ones) stay with the index.
 */
function attestationChecks(report: VerifyReport, remote: RemoteTop, platforms: PlatformReport[], run: PlatformRun, reads: AttestationRead[]): Check[] {
  const required = run.requireAttestations ?? [];
  if (remote.attestations.length === 0 && required.length === 0) return [];
  const targets = platforms.flatMap((p) => (p.remote ? [{ platform: p.platform, manifestDigest: p.remote.manifestDigest }] : []));
  const checks = checkAttestations(reads, remote.images, targets, required);
  report.attestations = summarizeAttestations(reads, targets, checks);
  const rest: Check[] = [];
  for (const check of checks) {
    const platform = platforms.find((p) => p.remote && p.platform === check.platform);
    if (!platform) {
      rest.push(check);
      continue;
    }
    platform.checks.push(check);
    if (!check.ok) platform.status = 'mismatch';
  }
  return rest;
}

/** Layer rows; without local diff_ids (containerd store, API 1.48) equal manifests still prove equal layers. */
export function platformLayerRows(remote: RemoteImage, local: LocalImage | undefined): LayerRow[] {
  const rows = layerRows(remote, local);
  if (!local?.diffIdsUnknown) return rows;
  const same = local.manifestDigest === remote.manifestDigest;
  return rows.map((row) => ({ ...row, localDiffId: undefined, status: same ? 'match' : 'not-compared' }));
}

/** The expected digest is the tag's top-level digest, or, when one platform is verified, its manifest digest. */
function checkTopDigest(remote: RemoteTop, expected: string, platforms: PlatformReport[]): Check {
  const kind = isIndex(remote.top.mediaType) ? 'index' : 'manifest';
  const only = platforms.length === 1 ? platforms[0]?.remote?.manifestDigest : undefined;
  const ok = expected === remote.top.digest || expected === only;
  const matched = expected === remote.top.digest ? kind : 'platform manifest';
  return {
    rule: 'digest',
    ok,
    message: ok ? `the registry's ${matched} digest equals the expected digest` : `the registry serves ${kind} ${remote.top.digest}, not the expected digest ${expected}`,
    expected,
    actual: remote.top.digest,
  };
}

/** The same index digest proves every platform and attestation; a different one is fine when every platform image matched. */
function checkIndexDigest(remote: RemoteTop, local: string, platforms: PlatformReport[]): Check {
  const base = { rule: 'index-digest' as const, expected: local, actual: remote.top.digest };
  if (local === remote.top.digest) {
    return { ...base, ok: true, message: `the registry serves the local index ${local} byte for byte: every platform and attestation is the same` };
  }
  const allMatch = platforms.length > 0 && platforms.every((p) => p.presence === 'both' && p.status === 'verified');
  const attestations = platforms.filter((p) => p.attestation && p.attestation.status !== 'same').length;
  return {
    ...base,
    ok: allMatch,
    message: allMatch
      ? `the registry's index ${remote.top.digest} is not the local ${local}, but every platform image matches${attestations ? `; ${attestations} attestation(s) differ` : ': the indexes differ in annotations or entry order'}`
      : `the registry's index ${remote.top.digest} is not the local ${local}, and the platform images differ (see below)`,
  };
}

function targetSummary(target: LocalTarget): VerifyReport['local'] {
  if (target.kind === 'image') return localSummary(target.image);
  const index = target.index;
  return {
    reference: index.reference,
    source: index.source,
    id: index.digest ?? '',
    idKind: 'manifest',
    platform: index.images.map((i) => formatPlatform(i.platform)).join(', '),
  };
}

function describePlatformComparison(remote: RemoteTop, run: PlatformRun, platforms: PlatformReport[]): string[] {
  const compared = [
    `the registry's ${isIndex(remote.top.mediaType) ? 'index' : 'manifest'} and, for ${platforms.filter((p) => p.remote).length} platform(s), each manifest and config, each hashed and checked against its digest`,
  ];
  const local = platforms.filter((p) => p.local).length;
  if (run.target) {
    const source = run.target.kind === 'index' ? run.target.index.source : run.target.image.source;
    compared.push(`${local} local platform image(s) from ${source}: diff_ids, image IDs and, where the source has them, manifest digests and compressed layer digests`);
    const foundAs = (run.target.kind === 'index' ? run.target.index.images[0] : run.target.image)?.foundAs;
    if (foundAs) compared.push(`the local image was found as ${foundAs}: the daemon knows no image by the name with its digest (podman)`);
    const blobs = platforms.some((p) => p.checks.some((c) => c.rule === 'local-blobs'));
    if (blobs) compared.push('every local layer blob hashed (compressed and uncompressed) against the local manifest and config');
    compared.push('attestation manifests matched by their vnd.docker.reference.digest subject against the local build: reported, not required');
  } else {
    compared.push('no local image (local-image: none): each platform checked on the registry side only');
  }
  if (run.expectedDigest) compared.push(`the registry's top-level digest against the expected digest ${run.expectedDigest}`);
  compared.push(blobsCompared(platforms));
  return compared;
}

/** What deep verification did, from the platforms it actually ran on. */
export function blobsCompared(platforms: readonly Pick<PlatformReport, 'platform' | 'remote' | 'deep'>[]): string {
  const proved = platforms.filter((p) => p.deep);
  if (proved.length === 0) return 'layer blobs in the registry were not downloaded (set deep: true to hash every layer)';
  const withImage = platforms.filter((p) => p.remote).length;
  const skipped = withImage - proved.length;
  return (
    `every layer blob of ${proved.length} platform image(s) downloaded and hashed: compressed bytes against the manifest's digest and size, uncompressed bytes against the config's diff_id` +
    (skipped > 0 ? `; ${skipped} platform image(s) were not downloaded` : '')
  );
}

/** The base stage's log lines say which platform they are about. */
function platformLogger(logger: Logger, platform: string): Logger {
  return {
    info: (m) => logger.info(`${platform}: ${m}`),
    warning: (m) => logger.warning(`${platform}: ${m}`),
    debug: (m) => logger.debug(`${platform}: ${m}`),
    secret: (s) => logger.secret(s),
  };
}

/**
 * For each platform verified, the entry a runtime would pull for it: containerd's matcher over every
 * entry but attestations (nested indexes and unknown media types included), the preferred match,
 * the first of equals. When that is not the entry verified (a nested index or another manifest for
 * the same platform listed first), the verdict would be about an image nobody pulls: fail.
 */
function runtimeChoiceChecks(remote: RemoteTop, pairs: PlatformPair[]): Check[] {
  const checks: Check[] = [];
  for (const pair of pairs) {
    const verified = pair.remote;
    if (!verified?.platform || remote.entries.length === 0) continue;
    const chosen = bestMatch(remote.entries, (entry) => entry.platform, onlyPlatform(verified.platform));
    if (!chosen || chosen.digest === verified.digest) continue;
    checks.push({
      rule: 'platforms',
      ok: false,
      platform: pair.platform,
      message: `a runtime pulling ${pair.platform} from ${remote.reference} takes ${chosen.digest} (${chosen.mediaType}), listed before the verified ${verified.digest}: that is not the image verified`,
    });
  }
  return checks;
}

/**
 * With every platform verified, each image entry must be one of them: a second entry for a platform
 * already paired (another os.version or os.features) is what some hosts pull, and was not verified.
 */
function unpairedEntryChecks(remote: RemoteTop, pairs: PlatformPair[]): Check[] {
  const paired = new Set(pairs.flatMap((pair) => (pair.remote ? [pair.remote.digest] : [])));
  return remote.images
    .filter((entry) => !paired.has(entry.digest))
    .map((entry) => ({
      rule: 'platforms' as const,
      ok: false,
      message: `${remote.reference} lists ${entry.digest} for ${entry.platform ? formatPlatform(entry.platform) : 'no platform'} after another entry for the same platform: some hosts pull it (os.version, os.features), and it was not verified`,
    }));
}

/**
 * Index entries that are neither a platform image nor an attestation. One that is an image or an
 * index (no platform, or nested) is something a runtime may still pull — containerd falls back to
 * entries without a platform — and nothing here verified it, so it fails. Artifacts are reported.
 */
function otherEntryChecks(remote: RemoteTop): Check[] {
  return remote.others.map((d) => {
    const pullable = isImageManifest(d.mediaType) || isIndex(d.mediaType);
    return {
      rule: 'platforms' as const,
      ok: !pullable,
      message: pullable
        ? `${remote.reference} lists ${d.digest} (${d.mediaType}${d.platform ? '' : ', no platform'}) which is neither a platform image nor an attestation: a runtime may pull it, and it was not verified`
        : `${remote.reference} lists ${d.digest} (${d.mediaType}), not an image: not verified, not pulled by runtimes`,
    };
  });
}

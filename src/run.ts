// The engine: verify one pushed image against the local build and return the report.
// Entry points (the action, the CLI, tests) give it typed inputs and a logger; it never touches
// @actions/core, never exits, and turns every failure into a report with a one-line reason.

import { inspectBase, baseLookupFor } from './base/inspect.js';
import { provenanceProved } from './base/provenance.js';
import type { BaseOptions } from './base/detect.js';
import type { BaseLookup } from './base/lookup.js';
import { describeError, VerifyImageError } from './errors.js';
import type { Logger } from './log.js';
import { openLocalSource } from './local/open.js';
import { pickLocalImage } from './local/pick.js';
import { imagesOf, type ImageSource, type LocalImage, type PushedTop } from './local/source.js';
import { hostPlatform, formatPlatform } from './oci/platform.js';
import { formatReference, manifestReference, parseReference, withDigest, type ImageReference } from './oci/reference.js';
import { isIndex, type ImageIndex, type Platform } from './oci/types.js';
import { parsePlatformSelection, type RequiredAttestation } from './options.js';
import { RegistryClient } from './registry/client.js';
import { resolveCredential, secretsOf } from './registry/credentials.js';
import { timeoutsFor } from './registry/http.js';
import { resolveRemoteImage } from './registry/resolve.js';
import { readAttestations } from './registry/attestations.js';
import { resolveRemoteTop, type RemoteTop } from './registry/resolve-platforms.js';
import { SecretTracker } from './secrets.js';
import { layerRows, localSummary, remoteSummary, type VerifyReport } from './report/model.js';
import { isMultiPlatformRun, verifyPlatforms } from './verify/platforms.js';
import type { LayerCache } from './verify/cache.js';
import { deepChecks, deepError, verifyLayers } from './verify/deep.js';
import { checkEfficiency, checkExpectedPlatforms, servedBySingle, servedByTop, type EfficiencyGate } from './verify/gates.js';
import type { Material } from './oci/in-toto.js';
import { boundStatements, checkAttestations, summarizeAttestations } from './verify/attestations.js';
import { attachReferrers } from './verify/referrers.js';
import { compareImage, type Check, type RemoteImage } from './verify/rules.js';

export interface RunInputs extends BaseOptions {
  image: string;
  /**
   * Local image to compare with; undefined means the same reference as `image`, 'none' skips it.
   * A daemon reference, or docker-archive:PATH, oci-layout:DIR[:TAG|@DIGEST], oci-archive:PATH[:TAG|@DIGEST].
   */
  localImage?: string;
  digest?: string;
  platform?: string;
  username?: string;
  password?: string;
  insecureRegistries: string[];
  /** How long a registry may stay silent (connect, headers, body) before we give up on a try. */
  registryTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Download and prove every layer blob (src/verify/deep.ts). */
  deep?: boolean;
  /** Layers in flight at once during deep verification; undefined = from the CPU count. */
  deepConcurrency?: number;
  /** Where proved layers are remembered between runs; none when undefined. */
  layerCache?: LayerCache;
  /** The platforms the tag must serve, exactly and once each (`platforms-expected`); no gate when undefined. */
  platformsExpected?: Platform[];
  /** With deep: limits on wasted bytes and dive's efficiency score; no gate when undefined. */
  efficiency?: EfficiencyGate;
  /** `require-attestations`: each verified platform must carry these, bound to its manifest; none when empty. */
  requireAttestations?: RequiredAttestation[];
}

/** What several runs of one audit share: base lookups, so a base common to many images is fetched once. */
export interface RunShared {
  bases?: BaseLookup;
}

export async function run(inputs: RunInputs, outerLogger: Logger, shared: RunShared = {}): Promise<VerifyReport> {
  const started = Date.now();
  // Every secret logged for masking is also scrubbed from the report's error line.
  const secrets = new SecretTracker();
  const logger = secrets.wrap(outerLogger);
  const report: VerifyReport = { image: inputs.image, status: 'error', verified: false, checks: [], layers: [], compared: [], durationMs: 0 };
  let source: ImageSource | undefined;
  try {
    const ref = parseReference(inputs.image);
    const credential = await resolveCredential(ref.registry, {
      username: inputs.username,
      password: inputs.password,
      env: inputs.env ?? process.env,
    });
    for (const secret of credential ? secretsOf(credential) : []) logger.secret(secret);
    logger.info(credential ? `credentials for ${ref.registry}: from ${credential.source}` : `credentials for ${ref.registry}: none (anonymous)`);

    let local: LocalImage | undefined;
    const selection = parsePlatformSelection(inputs.platform);
    const explicit: Platform | undefined = selection.kind === 'one' ? selection.platform : undefined;
    source = inputs.localImage === 'none' ? undefined : openLocalSource(inputs.localImage || inputs.image, inputs.env);
    let target = await source?.load({ platform: explicit, image: inputs.image });
    const client = await RegistryClient.create(ref, {
      insecureRegistries: inputs.insecureRegistries,
      credential,
      logger,
      timeouts: inputs.registryTimeoutMs ? timeoutsFor(inputs.registryTimeoutMs) : undefined,
    });
    if (source?.complete && target) target = await source.complete(target, () => pushedTop(client, ref));
    const foundAs = target ? imagesOf(target)[0]?.foundAs : undefined;
    if (source && foundAs) {
      logger.info(`local image ${source.spec} is not in the daemon under that name; using ${foundAs} (podman names images by the digest it computed before the push); the registry's digest is still checked`);
    }
    const bases = shared.bases ?? baseLookupFor(inputs, [ref.registry], logger);
    if (isMultiPlatformRun(selection, target)) {
      await verifyPlatforms(report, {
        client,
        ref,
        source,
        target,
        selection,
        expectedDigest: inputs.digest,
        logger,
        deep: inputs.deep ? { concurrency: inputs.deepConcurrency, cache: inputs.layerCache } : undefined,
        platformsExpected: inputs.platformsExpected,
        efficiency: inputs.efficiency,
        base: { options: inputs, lookup: bases },
        requireAttestations: inputs.requireAttestations ?? [],
      });
      return report;
    }
    if (source && target) {
      local = pickLocalImage(target, explicit);
      await source.measure(local);
      report.local = localSummary(local);
      logger.info(`local image ${source.spec}: ${local.id} from ${local.source}`);
    }
    const want = explicit ?? local?.platform ?? hostPlatform();

    const remote = await resolveRemoteImage(client, ref, want, !explicit && local ? `the local build ${local.reference}` : undefined);
    report.remote = remoteSummary(remote);
    logger.info(
      `registry ${remote.reference}: ${remote.indexDigest ? `index ${remote.indexDigest}, ` : ''}manifest ${remote.manifestDigest} for ${formatPlatform(remote.platform)}, config ${remote.configDigest}`,
    );

    report.checks = compareImage(remote, local, inputs.digest);
    // The index the platform image was picked from, by digest (the tag may have moved since).
    const top = remote.indexDigest ? await resolveRemoteTop(client, withDigest(ref, remote.indexDigest)) : undefined;
    if (inputs.platformsExpected) report.checks.push(checkExpectedPlatforms(top ? servedByTop(top) : servedBySingle(remote), inputs.platformsExpected));
    const attested = await attestationChecks(report, client, top, remote, inputs.requireAttestations ?? []);
    report.checks.push(...attested.checks);
    report.layers = layerRows(remote, local);
    report.compared = describeComparison(local, inputs.digest, inputs.deep);
    if (report.attestations) report.compared.push('each attestation manifest and in-toto statement fetched, hashed against its descriptor, and its subject checked against the platform manifest it is attached to');
    report.attestations = await attachReferrers(client, report.attestations, [{ platform: formatPlatform(remote.platform), manifestDigest: remote.manifestDigest }], remote.indexDigest, logger);
    if (inputs.deep) {
      report.deep = await verifyLayers(client, remote, { concurrency: inputs.deepConcurrency, cache: inputs.layerCache, logger });
      report.checks.push(...deepChecks(report.deep));
      const efficiency = inputs.efficiency && checkEfficiency(report.deep, inputs.efficiency);
      if (efficiency) report.checks.push(efficiency);
      const inconclusive = deepError(report.deep);
      if (inconclusive) throw inconclusive;
    }
    report.verified = report.checks.every((c) => c.ok);
    report.status = report.verified ? 'verified' : 'mismatch';
    // Labels are the build's word only when the config is proved to be the user's build.
    const configBound = report.verified && (local !== undefined || inputs.digest !== undefined);
    // Provenance is the build's word only when the index it was read from is proved to be the push.
    const proved = provenanceProved(remote.indexDigest, inputs.digest, target, report.verified);
    report.base = await inspectBase(inputs, remote, report.layers, bases, logger, configBound, attested.materials, proved);
  } catch (err) {
    report.error = secrets.scrub(describeError(err));
    report.status = 'error';
    report.verified = false;
    if (!(err instanceof VerifyImageError)) logger.debug(err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    await source?.close();
    report.durationMs = Date.now() - started;
  }
  return report;
}

/** The tag's top-level manifest, for a local source that needs it to know its own platforms. */
async function pushedTop(client: RegistryClient, ref: ImageReference): Promise<PushedTop> {
  const top = await client.getManifest(manifestReference(ref));
  return { reference: formatReference(ref), digest: top.digest, mediaType: top.mediaType, index: isIndex(top.mediaType) ? (top.body as ImageIndex) : undefined };
}

/** Rule attestations for the one platform verified: every attestation in the index is checked, the chosen platform's are reported. */
async function attestationChecks(
  report: VerifyReport,
  client: RegistryClient,
  top: RemoteTop | undefined,
  remote: RemoteImage,
  required: RequiredAttestation[],
): Promise<{ checks: Check[]; materials: Material[] }> {
  const attestations = top?.attestations ?? [];
  if (attestations.length === 0 && required.length === 0) return { checks: [], materials: [] };
  const reads = await readAttestations(client, attestations);
  const targets = [{ platform: formatPlatform(remote.platform), manifestDigest: remote.manifestDigest }];
  const checks = checkAttestations(reads, top?.images ?? [], targets, required);
  report.attestations = summarizeAttestations(reads, targets, checks);
  // Only provenance bound to this platform's manifest may name its base (base/provenance.ts).
  const materials = boundStatements(reads, remote.manifestDigest)
    .filter((s) => s.kind === 'provenance')
    .flatMap((s) => s.materials);
  return { checks, materials };
}

function describeComparison(local: LocalImage | undefined, digest: string | undefined, deep: boolean | undefined): string[] {
  const compared = ['the manifest and config fetched from the registry, each hashed and checked against its digest'];
  if (local) compared.push(`diff_ids and image ID against the local build (${local.source})`);
  else compared.push('no local image (local-image: none): layers were not compared with a build');
  if (local?.foundAs) compared.push(`the local image was found as ${local.foundAs}: the daemon knows no image by the name with its digest (podman)`);
  if (local?.layers?.some((l) => l.measured)) compared.push('every local layer blob hashed (compressed and uncompressed) against the local manifest and config');
  if (digest) compared.push(`the registry digest against the expected digest ${digest}`);
  compared.push(
    deep
      ? "every layer blob downloaded and hashed: compressed bytes against the manifest's digest and size, uncompressed bytes against the config's diff_id"
      : 'layer blobs were not downloaded (set deep: true to hash every layer)',
  );
  return compared;
}

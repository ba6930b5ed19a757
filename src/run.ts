// The engine: verify one pushed image against the local build and return the report.
// Entry points (the action, the CLI, tests) give it typed inputs and a logger; it never touches
// @actions/core, never exits, and turns every failure into a report with a one-line reason.
//
// The whole flow, for one platform or many:
//   reference → registry client (registry/session.ts) and local source (local/open.ts)
//   → what the tag serves (registry/resolve.ts) and what the build holds (local/*)
//   → platform pairs {platform, registry?, local?} (verify/pairing.ts)
//   → the same stages for every pair: rules, deep, base attribution and drift (verifyPair below)
//   → the index-level rules: entries, digests, platform set, attestations (verify/platforms.ts …)
//   → one report (model/report.ts), rendered by src/report/ for the summary, the CLI and outputs.

import { baseLookupFor, inspectBase } from './base/inspect.js';
import type { BaseOptions } from './base/detect.js';
import type { BaseLookup } from './base/lookup.js';
import { combinePlatformBases } from './base/platforms.js';
import { provenanceProved } from './base/provenance.js';
import { describeError, VerifyImageError, type OptionWords } from './errors.js';
import type { Logger } from './log.js';
import { imagesOf, type ImageSource, type LocalImage, type LocalTarget, type PushedTop } from './local/source.js';
import type { Check } from './model/check.js';
import type { RemoteImage } from './model/image.js';
import type { AttestationSummary, IndexSummary, PlatformReport, VerifyReport } from './model/report.js';
import { formatPlatform, hostPlatform } from './oci/platform.js';
import { formatReference, manifestReference, parseReference, type ImageReference } from './oci/reference.js';
import { isIndex, type ImageIndex, type Platform } from './oci/types.js';
import { parsePlatformSelection, type EfficiencyGate, type PlatformSelection, type RequiredAttestation } from './options.js';
import { readAttestations, type AttestationRead } from './registry/attestations.js';
import type { RegistryClient } from './registry/client.js';
import { fetchPlatformImage, resolveRemoteTop, type RemoteTop } from './registry/resolve.js';
import { openRegistry, RegistrySessions } from './registry/session.js';
import { SecretTracker } from './secrets.js';
import { boundStatements, checkAttestations, summarizeAttestations } from './verify/attestations.js';
import type { LayerCache } from './verify/cache.js';
import { describeComparison } from './verify/compared.js';
import { checkEfficiency, checkExpectedPlatforms, servedByTop } from './verify/gates.js';
import { localSummary, platformLayerRows, remoteSummary } from './verify/layers.js';
import { attachReferrers } from './verify/referrers.js';
import { pairAttestation, planPairs, type PairPlan, type PlatformPair } from './verify/pairing.js';
import { indexChecks, presenceChecks } from './verify/platforms.js';
import { compareImage } from './verify/rules.js';

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
  /** How the report's error names options: the action's inputs unless the entry point says otherwise (the CLI: flags). */
  optionWords?: OptionWords;
  /**
   * Look up cosign's `.sig`, `.att` and `.sbom` tags beside the OCI referrers (three requests per
   * manifest); true when undefined. Audits leave them out unless attestations are required.
   */
  cosignTags?: boolean;
}

/**
 * What several runs of one audit share: base lookups, so a base common to many images is fetched
 * once, and registry sessions, so a registry is pinged (and its credentials looked up) once.
 */
export interface RunShared {
  bases?: BaseLookup;
  registries?: RegistrySessions;
}

/** Everything the stages of one run read: resolved once, the same for every pair. */
interface RunContext {
  inputs: RunInputs;
  logger: Logger;
  client: RegistryClient;
  remote: RemoteTop;
  source?: ImageSource;
  target?: LocalTarget;
  plan: PairPlan;
  /** Attestations read once: the rule checks them, and each platform's bound provenance may name its base. */
  reads: AttestationRead[];
  bases: BaseLookup;
}

export async function run(inputs: RunInputs, outerLogger: Logger, shared: RunShared = {}): Promise<VerifyReport> {
  const started = Date.now();
  // Every secret logged for masking is also scrubbed from the report's error line.
  const secrets = new SecretTracker();
  const logger = secrets.wrap(outerLogger);
  let source: ImageSource | undefined;
  // The image's registry and its base's share one session when they are the same registry.
  const registries = shared.registries ?? new RegistrySessions({ ...inputs, logger });
  const detach = shared.registries ? shared.registries.attach(logger) : undefined;
  try {
    const ref = parseReference(inputs.image);
    const selection = parsePlatformSelection(inputs.platform);
    const client = await openRegistry(ref, { ...inputs, logger, sessions: registries }, { username: inputs.username, password: inputs.password });
    // Loaded only when there is a local image: the sources bring tar, zlib and the hashing code (fast start, issue 15).
    source = inputs.localImage === 'none' ? undefined : (await import('./local/open.js')).openLocalSource(inputs.localImage || inputs.image, inputs.env);
    const target = source ? await loadTarget(source, selection, inputs.image, () => pushedTop(client, ref), logger) : undefined;
    const remote = await resolveRemoteTop(client, ref);
    logTop(remote, target, logger);
    const plan = planPairs(selection, target, remote, hostPlatform());
    const context: RunContext = {
      inputs,
      logger,
      client,
      remote,
      source,
      target,
      plan,
      reads: remote.attestations.length > 0 ? await readAttestations(client, remote.attestations) : [],
      bases: shared.bases ?? baseLookupFor({ ...inputs, sessions: registries }, [ref.registry], logger),
    };
    const platforms: PlatformReport[] = [];
    for (const pair of plan.pairs) platforms.push(await verifyPair(pair, context));
    const report = reportOf(context, platforms, started);
    // What refers to each verified manifest and to the index (OCI referrers, cosign tags): presence only.
    const targets = platforms.flatMap((p) => (p.remote ? [{ platform: p.platform, manifestDigest: p.remote.manifestDigest }] : []));
    report.attestations = await attachReferrers(client, report.attestations, targets, isIndex(remote.top.mediaType) ? remote.top.digest : undefined, logger, {
      cosignTags: inputs.cosignTags,
    });
    if (!report.attestations) delete report.attestations;
    report.durationMs = Date.now() - started;
    return report;
  } catch (err) {
    if (!(err instanceof VerifyImageError)) logger.debug(err instanceof Error ? (err.stack ?? err.message) : String(err));
    const error = secrets.scrub(describeError(err, inputs.optionWords));
    return { image: inputs.image, status: 'error', verified: false, error, checks: [], layers: [], compared: [], durationMs: Date.now() - started };
  } finally {
    detach?.();
    await source?.close();
  }
}

/** The local build as the run needs it: loaded, completed from the pushed top where the source cannot list its platforms alone. */
async function loadTarget(source: ImageSource, selection: PlatformSelection, image: string, pushed: () => Promise<PushedTop>, logger: Logger): Promise<LocalTarget> {
  let target = await source.load({ platform: selection.kind === 'one' ? selection.platform : undefined, image });
  if (source.complete) target = await source.complete(target, pushed);
  const foundAs = imagesOf(target)[0]?.foundAs;
  if (foundAs) {
    logger.info(`local image ${source.spec} is not in the daemon under that name; using ${foundAs} (podman names images by the digest it computed before the push); the registry's digest is still checked`);
  }
  return target;
}

/** The tag's top-level manifest, for a local source that needs it to know its own platforms. */
async function pushedTop(client: RegistryClient, ref: ImageReference): Promise<PushedTop> {
  const top = await client.getManifest(manifestReference(ref));
  return { reference: formatReference(ref), digest: top.digest, mediaType: top.mediaType, index: isIndex(top.mediaType) ? (top.body as ImageIndex) : undefined };
}

/**
 * The stages every pair goes through, in order: the registry image fetched by digest and the local
 * image measured; the rules; the layer rows; deep verification; the base. A platform on one side
 * only is a failed `platforms` check.
 */
async function verifyPair(pair: PlatformPair, context: RunContext): Promise<PlatformReport> {
  const { inputs, logger } = context;
  const image = pair.remote ? await fetchPlatformImage(context.client, context.remote, pair.remote) : undefined;
  if (pair.local) await context.source?.measure(pair.local);
  logPair(pair, image, context);
  const checks: Check[] = [...(image ? compareImage(image, pair.local, undefined) : []), ...presenceChecks(pair, context.remote.reference, context.target !== undefined)];
  const report: PlatformReport = {
    platform: pair.platform,
    presence: pair.local && pair.remote ? 'both' : pair.remote ? 'registry' : 'local',
    status: 'mismatch',
    checks,
    layers: image ? platformLayerRows(image, pair.local) : [],
    ...(image ? { remote: remoteSummary(image) } : {}),
    ...(pair.local ? { local: localSummary(pair.local) } : {}),
  };
  const attestation = pairAttestation(pair.local, context.target?.kind === 'index' ? context.target.index.attestations : [], pair.remote, context.remote.attestations);
  if (attestation) report.attestation = attestation;
  if (image && inputs.deep) {
    // Loaded only when asked for: a metadata-only run never reads the deep code (fast start, issue 15).
    const { deepChecks, deepError, verifyLayers } = await import('./verify/deep.js');
    report.deep = await verifyLayers(context.client, image, { concurrency: inputs.deepConcurrency, cache: inputs.layerCache, logger });
    checks.push(...deepChecks(report.deep));
    const efficiency = inputs.efficiency && checkEfficiency(report.deep, inputs.efficiency);
    if (efficiency) checks.push(efficiency);
    const inconclusive = deepError(report.deep);
    if (inconclusive) throw inconclusive;
  }
  if (image) report.base = await baseStage(image, pair, report, context);
  if (context.plan.several) report.checks = checks.map((c) => ({ ...c, platform: pair.platform }));
  report.status = report.checks.every((c) => c.ok) ? 'verified' : 'mismatch';
  return report;
}

/** Base attribution and drift for one platform image; who may name its base depends on what the run proved. */
async function baseStage(image: RemoteImage, pair: PlatformPair, report: PlatformReport, context: RunContext): Promise<PlatformReport['base']> {
  const { inputs, remote } = context;
  const pairOk = report.checks.every((c) => c.ok);
  // Labels are the build's word only when this platform's config is proved to be the user's build:
  // every check passed against a local build, or the expected digest names it (the tag or this manifest).
  const digestMatched = inputs.digest !== undefined && (inputs.digest === remote.top.digest || inputs.digest === image.manifestDigest);
  const configBound = pairOk && (pair.local !== undefined || digestMatched);
  // Only provenance bound to this platform's manifest (its subject) may name this platform's base,
  // and it is the build's word only when the index holding it is proved to be the push.
  const materials = boundStatements(context.reads, image.manifestDigest)
    .filter((statement) => statement.kind === 'provenance')
    .flatMap((statement) => statement.materials);
  const proved = isIndex(remote.top.mediaType) && provenanceProved(remote.top.digest, inputs.digest, context.target, pairOk);
  const logger = context.plan.several ? platformLogger(context.logger, pair.platform) : context.logger;
  return inspectBase(inputs, image, report.layers, context.bases, logger, configBound, materials, proved);
}

/** The index-level rules over the verified platforms, then the report. */
function reportOf(context: RunContext, platforms: PlatformReport[], started: number): VerifyReport {
  const { inputs, remote, plan, target } = context;
  const localIndexDigest = target?.kind === 'index' ? target.index.digest : undefined;
  const index: IndexSummary = { reference: remote.reference, digest: remote.top.digest, mediaType: remote.top.mediaType, ...(localIndexDigest ? { localDigest: localIndexDigest } : {}) };
  // Attestations first: a platform they fail is not "matching" for the index-digest rule.
  const attestations = attestationStage(context, platforms);
  // The local index digest speaks for the whole build: compared only when the run answers for the whole tag.
  const comparedIndex = plan.wholeIndex ? localIndexDigest : undefined;
  const topChecks = indexChecks(remote, plan.pairs, platforms, { wholeIndex: plan.wholeIndex, expectedDigest: inputs.digest, localIndexDigest: comparedIndex });
  topChecks.push(...attestations.rest);
  if (inputs.platformsExpected) topChecks.push(checkExpectedPlatforms(servedByTop(remote), inputs.platformsExpected));
  // Several platforms: the tag's verdicts first, then each platform's; one platform: its own first.
  const platformChecks = platforms.flatMap((p) => p.checks);
  const checks = plan.several ? [...topChecks, ...platformChecks] : [...platformChecks, ...topChecks];
  const verified = checks.length > 0 && checks.every((c) => c.ok);
  const only = platforms.length === 1 ? platforms[0] : undefined;
  const report: VerifyReport = {
    image: inputs.image,
    status: verified ? 'verified' : 'mismatch',
    verified,
    checks,
    // One platform: the single-platform fields (and outputs) describe it.
    layers: only?.remote ? only.layers : [],
    compared: describeComparison({ remote, target, platforms, expectedDigest: inputs.digest, attestations: attestations.summary !== undefined }),
    durationMs: Date.now() - started,
    index,
    platforms,
  };
  if (only?.remote) {
    report.remote = only.remote;
    if (only.local) report.local = only.local;
    if (only.deep) report.deep = only.deep;
    if (only.base) report.base = only.base;
  } else {
    const base = combinePlatformBases(platforms);
    if (base) report.base = base;
    if (target) report.local = targetSummary(target);
  }
  if (attestations.summary) report.attestations = attestations.summary;
  for (const p of platforms) {
    if (plan.several) context.logger.info(`${p.platform}: ${p.status}${p.presence === 'both' ? '' : ` (${p.presence === 'registry' ? 'registry only' : 'local build only'})`}`);
  }
  return report;
}

/**
 * Rule attestations over every attestation in the index; a check about one verified platform joins
 * that platform's checks (and status), the rest (dangling ones) stay with the index.
 */
function attestationStage(context: RunContext, platforms: PlatformReport[]): { rest: Check[]; summary?: AttestationSummary[] } {
  const required = context.inputs.requireAttestations ?? [];
  if (context.remote.attestations.length === 0 && required.length === 0) return { rest: [] };
  const targets = platforms.flatMap((p) => (p.remote ? [{ platform: p.platform, manifestDigest: p.remote.manifestDigest }] : []));
  const checks = checkAttestations(context.reads, context.remote.images, targets, required);
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
  return { rest, summary: summarizeAttestations(context.reads, targets, checks) };
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

function logTop(remote: RemoteTop, target: LocalTarget | undefined, logger: Logger): void {
  if (target?.kind === 'index') {
    const index = target.index;
    logger.info(`local build ${index.reference}: ${index.images.length} platform image(s) and ${index.attestations.length} attestation(s) from ${index.source}`);
  }
  logger.info(
    `registry ${remote.reference}: ${isIndex(remote.top.mediaType) ? `index ${remote.top.digest} with ${remote.images.length} platform image(s) and ${remote.attestations.length} attestation(s)` : `single image ${remote.top.digest}`}`,
  );
}

function logPair(pair: PlatformPair, image: RemoteImage | undefined, context: RunContext): void {
  const local: LocalImage | undefined = pair.local;
  if (local && context.source) context.logger.info(`local image ${context.source.spec}: ${local.id} for ${formatPlatform(local.platform)} from ${local.source}`);
  if (image) context.logger.info(`registry ${image.reference}: manifest ${image.manifestDigest} for ${formatPlatform(image.platform)}, config ${image.configDigest}`);
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

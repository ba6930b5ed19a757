// The engine: verify one pushed image against the local build and return the report.
// Entry points (the action, the CLI, tests) give it typed inputs and a logger; it never touches
// @actions/core, never exits, and turns every failure into a report with a one-line reason.

import { describeError, VerifyImageError } from './errors.js';
import type { Logger } from './log.js';
import { inspectDaemonImage } from './local/daemon.js';
import { DockerEngine } from './local/engine.js';
import type { LocalImage } from './local/source.js';
import { hostPlatform, parsePlatform, formatPlatform } from './oci/platform.js';
import { parseReference } from './oci/reference.js';
import type { Platform } from './oci/types.js';
import { RegistryClient } from './registry/client.js';
import { resolveCredential, secretsOf } from './registry/credentials.js';
import { resolveRemoteImage } from './registry/resolve.js';
import { layerRows, localSummary, remoteSummary, type VerifyReport } from './report/model.js';
import type { LayerCache } from './verify/cache.js';
import { deepChecks, deepError, verifyLayers } from './verify/deep.js';
import { compareImage } from './verify/rules.js';

export interface RunInputs {
  image: string;
  /** Local image to compare with; undefined means the same reference as `image`, 'none' skips it. */
  localImage?: string;
  digest?: string;
  platform?: string;
  username?: string;
  password?: string;
  insecureRegistries: string[];
  env?: NodeJS.ProcessEnv;
  /** Download and prove every layer blob (src/verify/deep.ts). */
  deep?: boolean;
  /** Layers in flight at once during deep verification; undefined = from the CPU count. */
  deepConcurrency?: number;
  /** Where proved layers are remembered between runs; none when undefined. */
  layerCache?: LayerCache;
}

export async function run(inputs: RunInputs, logger: Logger): Promise<VerifyReport> {
  const started = Date.now();
  const report: VerifyReport = { image: inputs.image, status: 'error', verified: false, checks: [], layers: [], compared: [], durationMs: 0 };
  const engine = inputs.localImage === 'none' ? undefined : DockerEngine.fromEnv(inputs.env);
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
    const explicit: Platform | undefined = inputs.platform ? parsePlatform(inputs.platform) : undefined;
    if (engine) {
      const localName = inputs.localImage || inputs.image;
      local = await inspectDaemonImage(localName, engine, explicit);
      report.local = localSummary(local);
      logger.info(`local image ${localName}: ${local.id} from ${local.source}`);
    }
    const want = explicit ?? local?.platform ?? hostPlatform();

    const client = await RegistryClient.create(ref, { insecureRegistries: inputs.insecureRegistries, credential, logger });
    const remote = await resolveRemoteImage(client, ref, want);
    report.remote = remoteSummary(remote);
    logger.info(
      `registry ${remote.reference}: ${remote.indexDigest ? `index ${remote.indexDigest}, ` : ''}manifest ${remote.manifestDigest} for ${formatPlatform(remote.platform)}, config ${remote.configDigest}`,
    );

    report.checks = compareImage(remote, local, inputs.digest);
    report.layers = layerRows(remote, local);
    report.compared = describeComparison(local, inputs.digest, inputs.deep);
    if (inputs.deep) {
      report.deep = await verifyLayers(client, remote, { concurrency: inputs.deepConcurrency, cache: inputs.layerCache, logger });
      report.checks.push(...deepChecks(report.deep));
      const inconclusive = deepError(report.deep);
      if (inconclusive) throw inconclusive;
    }
    report.verified = report.checks.every((c) => c.ok);
    report.status = report.verified ? 'verified' : 'mismatch';
  } catch (err) {
    report.error = describeError(err);
    report.status = 'error';
    report.verified = false;
    if (!(err instanceof VerifyImageError)) logger.debug(err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    await engine?.close();
    report.durationMs = Date.now() - started;
  }
  return report;
}

function describeComparison(local: LocalImage | undefined, digest: string | undefined, deep: boolean | undefined): string[] {
  const compared = ['the manifest and config fetched from the registry, each hashed and checked against its digest'];
  if (local) compared.push(`diff_ids and image ID against the local build (${local.source})`);
  else compared.push('no local image (local-image: none): layers were not compared with a build');
  if (digest) compared.push(`the registry digest against the expected digest ${digest}`);
  compared.push(
    deep
      ? "every layer blob downloaded and hashed: compressed bytes against the manifest's digest and size, uncompressed bytes against the config's diff_id"
      : 'layer blobs were not downloaded (set deep: true to hash every layer)',
  );
  return compared;
}

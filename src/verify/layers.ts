// Rows and summaries of the report model, built from the image views a run compared: which
// layer is which (history paired by model/history.ts), and whether each matches the local build.

import type { LocalImage } from '../local/source.js';
import { imageLayers, type RemoteImage } from '../model/image.js';
import { layerInstructions } from '../model/history.js';
import type { LayerRow, LocalSummary, RemoteSummary } from '../model/report.js';
import { formatPlatform } from '../oci/platform.js';
import { localLayerIntact } from './blob-rules.js';

/** Pairs layers with the history entries that made them, where the history can be paired (history.ts). */
export function layerRows(remote: RemoteImage, local: LocalImage | undefined): LayerRow[] {
  const layers = imageLayers(remote.manifest, remote.config);
  const count = Math.max(layers.length, local?.diffIds.length ?? 0);
  const localInstructions = local ? layerInstructions(local.config?.history ?? local.history, local.diffIds.length) : [];
  const rows: LayerRow[] = [];
  for (let i = 0; i < count; i++) {
    const layer = layers[i];
    const diffId = layer?.diffId;
    const localDiffId = local?.diffIds[i];
    rows.push({
      index: i + 1,
      instruction: layer?.instruction,
      created: layer?.history?.created,
      diffId,
      localDiffId,
      digest: layer?.descriptor?.digest,
      size: layer?.descriptor?.size,
      mediaType: layer?.descriptor?.mediaType,
      // A local blob that is not what its config says (local-blobs) marks its row too.
      status: !local ? 'not-compared' : diffId !== undefined && diffId === localDiffId && localLayerIntact(local, i) ? 'match' : 'differs',
      localDigest: local?.manifest ? local.layers?.[i]?.descriptor.digest : undefined,
      ...(localInstructions[i] !== undefined ? { localInstruction: localInstructions[i] } : {}),
    });
  }
  return rows;
}

export function remoteSummary(remote: RemoteImage): RemoteSummary {
  return {
    reference: remote.reference,
    indexDigest: remote.indexDigest,
    manifestDigest: remote.manifestDigest,
    manifestMediaType: remote.manifestMediaType,
    configDigest: remote.configDigest,
    platform: formatPlatform(remote.platform),
    created: remote.config.created,
  };
}

export function localSummary(local: LocalImage): LocalSummary {
  return {
    reference: local.reference,
    source: local.source,
    id: local.id,
    idKind: local.idKind,
    platform: formatPlatform(local.platform),
    manifestDigest: local.manifestDigest,
    ...(local.created ?? local.config?.created ? { created: local.created ?? local.config?.created } : {}),
  };
}

/** Layer rows; without local diff_ids (containerd store, API 1.48) equal manifests still prove equal layers. */
export function platformLayerRows(remote: RemoteImage, local: LocalImage | undefined): LayerRow[] {
  const rows = layerRows(remote, local);
  if (!local?.diffIdsUnknown) return rows;
  const same = local.manifestDigest === remote.manifestDigest;
  return rows.map((row) => ({ ...row, localDiffId: undefined, status: same ? 'match' : 'not-compared' }));
}

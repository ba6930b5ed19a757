// `docker-archive:PATH[:REF]`: a `docker save` tarball. Docker before 25 writes the legacy layout
// (`manifest.json`, `<config>.json`, `<dir>/layer.tar`, uncompressed); Docker 25 and later write an
// OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) with a `manifest.json` beside it,
// and we then read it as a layout, which carries manifest digests the legacy one lacks.
// Docker 25.0.0–25.0.2 wrote `"manifests": null` in that index.json (moby#47210): when the index
// lists nothing we read the complete `manifest.json` beside it, as `docker load` and skopeo do.
// The tarball is read once, as a stream (tar-scan.ts).

import { posix } from 'node:path';
import { dockerLayerMediaType } from '../bytes/media-type.js';
import { VerifyImageError } from '../errors.js';
import { imageConfigProblem, platformView } from '../model/image.js';
import type { ImageConfig } from '../oci/types.js';
import { measureOnly } from './blob-digest.js';
import { loadLayout, measureLayers, parseJson, type LayoutSelector } from './layout.js';
import { describe, mebibytes } from './oci.js';
import { sameRepoTag } from './pick.js';
import type { BlobMeasure, ImageSource, LoadHint, LocalImage, LocalLayer, LocalTarget } from './source.js';
import { ArchiveStore } from './stores.js';
import { memberAt, scanArchive, type ArchiveScan } from './tar-scan.js';

/** One image in a legacy `manifest.json`. */
interface SavedImage {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export class DockerArchiveSource implements ImageSource {
  readonly kind = 'docker-archive';
  private store?: ArchiveStore;
  private readonly measured = new Map<string, Promise<BlobMeasure>>();

  constructor(
    readonly spec: string,
    private readonly file: string,
    private readonly selector: LayoutSelector,
  ) {}

  async load(hint: LoadHint): Promise<LocalTarget> {
    const scan = await scanArchive(this.file, 'docker-archive');
    const size = mebibytes(scan.bytes);
    if (listsManifests(scan)) {
      const store = new ArchiveStore(scan, `docker-archive ${this.file}`);
      this.store = store;
      return loadLayout(store, this.selector, hint, {
        reference: this.spec,
        source: `docker save archive ${this.file}${describe(this.selector)} (OCI layout, Docker 25+; ${size}, read once as a stream)`,
      });
    }
    const image = legacyImage(scan, this.selector, hint, {
      reference: this.spec,
      source: `docker save archive ${this.file}${describe(this.selector)} (${memberAt(scan, 'index.json') ? 'manifest.json: its index.json lists no manifests, as Docker 25.0.0–25.0.2 wrote it' : 'legacy layout'}; ${size}, read once as a stream)`,
    });
    return { kind: 'image', image };
  }

  async measure(image: LocalImage): Promise<void> {
    // The legacy layout's layers were measured during the scan; the OCI layout's are looked up.
    if (this.store) await measureLayers(image, this.store, this.measured);
  }

  async close(): Promise<void> {}
}

/** Whether the archive's index.json lists any manifest; Docker 25.0.0–25.0.2 wrote `"manifests": null`. */
function listsManifests(scan: ArchiveScan): boolean {
  const index = memberAt(scan, 'index.json');
  if (!index) return false;
  // Without manifest.json to fall back to, the layout reader reports what is wrong with index.json.
  if (!memberAt(scan, 'manifest.json') || !index.measure.json) return true;
  const parsed = parseJson<{ manifests?: unknown }>(index.measure.json, `docker-archive ${scan.file}: index.json`);
  return !(parsed.manifests === null || (Array.isArray(parsed.manifests) && parsed.manifests.length === 0));
}

function legacyImage(scan: ArchiveScan, selector: LayoutSelector, hint: LoadHint, context: { reference: string; source: string }): LocalImage {
  const what = `docker-archive ${scan.file}`;
  const manifestMember = memberAt(scan, 'manifest.json');
  if (!manifestMember) {
    throw new VerifyImageError('local', `${what} has neither manifest.json nor index.json: it is not a docker save archive (for an OCI layout tarball use oci-archive:PATH)`);
  }
  if (!manifestMember.measure.json) throw new VerifyImageError('local', `${what}: manifest.json is not JSON`);
  const saved = parseJson<SavedImage[]>(manifestMember.measure.json, `${what}: manifest.json`, 'docker-save manifest');
  if (!Array.isArray(saved) || saved.length === 0) throw new VerifyImageError('local', `${what}: manifest.json lists no images`);
  const entry = chooseSaved(scan, saved, selector, hint, what);

  const configMember = memberAt(scan, entry.Config);
  if (!configMember?.measure.json) throw new VerifyImageError('local', `${what} lacks the config ${entry.Config} that manifest.json names: the archive is incomplete`);
  const configDigest = configMember.measure.digest;
  // The legacy layout names the config by its digest (the image ID): a renamed or edited config shows here.
  const named = /([a-f0-9]{64})(?:\.json)?$/.exec(posix.basename(entry.Config))?.[1];
  if (named && `sha256:${named}` !== configDigest) {
    throw new VerifyImageError('local', `${what}: config ${entry.Config} hashes to ${configDigest}, not the image ID its name says: the archive was altered; save it again`);
  }
  const config = parseJson<ImageConfig>(configMember.measure.json, `${what}: ${entry.Config}`, 'config');
  const problem = imageConfigProblem(config);
  if (problem?.kind === 'not-image') throw new VerifyImageError('local', `${what}: ${entry.Config} ${problem.message}`);
  if (problem) throw new VerifyImageError('local', `${what}: ${entry.Config}: ${problem.message}: the archive is damaged`);
  if (!Array.isArray(entry.Layers)) throw new VerifyImageError('local', `${what}: manifest.json lists no layers for ${entry.Config}`);
  const layers: LocalLayer[] = entry.Layers.map((path) => {
    const member = memberAt(scan, path);
    if (!member) throw new VerifyImageError('local', `${what} lacks the layer ${path} that manifest.json names: the archive is incomplete`);
    const measured = measureOnly(member.measure);
    return {
      // No manifest: nothing claims a digest for the blob, only the config's diff_id claims its content.
      descriptor: { mediaType: dockerLayerMediaType(measured.compression), digest: measured.digest, size: measured.size },
      path,
      claimed: false,
      measured,
    };
  });
  return {
    reference: context.reference,
    source: context.source,
    id: configDigest,
    idKind: 'config',
    diffIds: config.rootfs.diff_ids,
    ...platformView(config),
    repoDigests: [],
    configDigest,
    config,
    layers,
  };
}

function chooseSaved(scan: ArchiveScan, saved: SavedImage[], selector: LayoutSelector, hint: LoadHint, what: string): SavedImage {
  const names = () => saved.map((s) => s.RepoTags?.[0] ?? s.Config).join(', ');
  if (selector.digest) {
    const found = saved.find((s) => memberAt(scan, s.Config)?.measure.digest === selector.digest);
    if (found) return found;
    throw new VerifyImageError('local', `${what} has no image with ID ${selector.digest} (it holds ${names()}): check the digest after "@"`);
  }
  if (selector.name !== undefined) {
    const wanted = selector.name;
    const found = saved.filter((s) => (s.RepoTags ?? []).some((tag) => sameRepoTag(tag, wanted)));
    if (found.length === 1) return found[0] as SavedImage;
    throw new VerifyImageError('local', `${what} has no image tagged "${wanted}" (it holds ${names()}): check the name after the path`);
  }
  if (saved.length === 1) return saved[0] as SavedImage;
  if (hint.image) {
    const pushed = hint.image;
    const found = saved.filter((s) => (s.RepoTags ?? []).some((tag) => sameRepoTag(tag, pushed)));
    if (found.length === 1) return found[0] as SavedImage;
  }
  throw new VerifyImageError('local', `${what} holds ${saved.length} images (${names()}): name one with docker-archive:PATH:REPO:TAG, or save only the one to verify`);
}

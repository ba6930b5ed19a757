// What the verifier knows about the local build, whatever it came from. Every source (the Docker
// daemon, a `docker save` tarball, an OCI image layout directory or archive) fills in these
// shapes; the verifier compares them and never asks where an image came from.

import type { PlatformView } from '../model/image.js';
import type { Compression } from '../bytes/compression.js';
import type { Descriptor, HistoryEntry, ImageConfig, ImageIndex, ImageManifest, Platform } from '../oci/types.js';

export type LocalSourceKind = 'daemon' | 'docker-archive' | 'oci-layout' | 'oci-archive';

/**
 * One platform's image as a local source knows it; what a source cannot know stays undefined.
 * Its platform view is built as the registry side's is (model/image.ts platformView).
 */
export interface LocalImage extends PlatformView {
  /** How the user named it (`local-image` input or the image reference). */
  reference: string;
  /** Where it came from, for the report: `Docker daemon (classic store)`. */
  source: string;
  /** The image ID as the source reports it. */
  id: string;
  /** What `id` is the digest of: the config (classic store, archives, layouts) or a manifest/index (containerd store). */
  idKind: 'config' | 'manifest';
  /** Uncompressed layer digests, in order. */
  diffIds: string[];
  /** `repo@digest` entries the source knows; informational (the containerd store makes them up locally). */
  repoDigests: string[];
  /**
   * True when the source could not read the diff_ids (the containerd store without the `platform`
   * query, for a platform other than its default): the manifest digest then stands for them.
   */
  diffIdsUnknown?: boolean;
  /** Digest of the image manifest, when the source has one (archives and layouts hashed it; the containerd store names it). */
  manifestDigest?: string;
  manifestMediaType?: string;
  /** The manifest body, when the source holds its bytes (and we hashed them to `manifestDigest`). */
  manifest?: ImageManifest;
  /** The config digest, hashed by us from the source's bytes. */
  configDigest?: string;
  config?: ImageConfig;
  /** When the image was built (the daemon's `Created`; a config's own `created` where the source holds the config). */
  created?: string;
  /**
   * The build history as the daemon's image history reports it, oldest first, when the source has
   * no config to read it from (the classic store); used only to name the instruction of each local layer.
   */
  history?: HistoryEntry[];
  /** Layer blobs as the source stores them, bottom first, when it holds them (archives and layouts). */
  layers?: LocalLayer[];
  /**
   * The name the image was found by when it was not the one asked for: podman's API knows no
   * `name:tag@digest` (it names images by its own manifest digest), so the daemon source falls back
   * to `name:tag` and says so here.
   */
  foundAs?: string;
}

/** A layer blob the source holds: what its manifest says about it and, once measured, what its bytes are. */
export interface LocalLayer {
  /**
   * The descriptor from the local manifest. A legacy `docker save` has no manifest: its descriptor
   * is made from the bytes (digest as hashed, media type by compression), so only the diff_id is a claim.
   */
  descriptor: Descriptor;
  /** Where the blob lives in the source, for messages: `blobs/sha256/ab…` or `3f…/layer.tar`. */
  path: string;
  /** Whether the descriptor's digest is a claim to check (manifests) or was computed by us (legacy archives). */
  claimed: boolean;
  measured?: BlobMeasure;
}


/** What we learnt by reading a blob's bytes once. */
export interface BlobMeasure {
  /** sha256 of the bytes as stored. */
  digest: string;
  size: number;
  /** Sniffed from the magic bytes, not taken from a media type. */
  compression: Compression;
  /** sha256 of the uncompressed bytes (the same as `digest` when uncompressed). */
  diffId?: string;
  /** Why `diffId` could not be computed (a corrupt stream, or zstd on a Node without it). */
  diffIdError?: string;
}

/** A BuildKit attestation manifest and the image manifest it is about. */
export interface LocalAttestation {
  digest: string;
  /** `vnd.docker.reference.digest`: the image manifest the attestation describes. */
  subject: string;
}

/** A local multi-platform image: an OCI index or a manifest list with one image per platform. */
export interface LocalIndex {
  reference: string;
  source: string;
  /**
   * Digest of the index, when it is a content-addressed blob (a nested index in a layout, the
   * containerd store's image). A layout's own index.json is not a blob and has none.
   */
  digest?: string;
  mediaType?: string;
  images: LocalImage[];
  attestations: LocalAttestation[];
}

export type LocalTarget = { kind: 'image'; image: LocalImage } | { kind: 'index'; index: LocalIndex };

export interface LoadHint {
  /** The one platform the run asks for, when it asks for one. */
  platform?: Platform;
  /** The pushed reference: picks an image out of an archive that holds several. */
  image?: string;
}

/** One interface for every place a local build can live. */
export interface ImageSource {
  readonly kind: LocalSourceKind;
  /** As the user wrote it (`local-image` / `--local`). */
  readonly spec: string;
  /** Reads what the source holds: small reads only (index, manifests, configs), except for tarballs, which are read through once. */
  load(hint: LoadHint): Promise<LocalTarget>;
  /**
   * For a source that could not list its platforms alone (the containerd store before Engine API
   * 1.48 names only the top-level ID): the target to verify, once the registry's top-level manifest
   * can be asked for. Sources that know everything after load() do not implement it.
   */
  complete?(target: LocalTarget, pushed: () => Promise<PushedTop>): Promise<LocalTarget>;
  /**
   * Hashes the image's layer blobs (`layers[].measured`) when the source holds them; a no-op for
   * the daemon, which keeps no blobs we can read.
   */
  measure(image: LocalImage): Promise<void>;
  close(): Promise<void>;
}

/** What the tag serves at the top: its digest (hashed by the registry client) and, for an index, its body. */
export interface PushedTop {
  reference: string;
  digest: string;
  mediaType: string;
  index?: ImageIndex;
}

export function imagesOf(target: LocalTarget): LocalImage[] {
  return target.kind === 'image' ? [target.image] : target.index.images;
}

// The base-image part of the report model: where the base came from, which of the image's
// layers and history entries are the base's, and whether the base tag has moved on since.
// Plain data; src/base/ fills it in, the renderers only read it.

export type BaseStatus = 'up-to-date' | 'drifted' | 'not-built-on' | 'unknown' | 'none';

/** Where the base reference came from; tried in the order input, dockerfile, label, annotation. */
export type BaseSource = 'input' | 'annotation' | 'label' | 'dockerfile' | 'provenance' | 'none';

export type Origin = 'base' | 'image';

export interface BaseImageFacts {
  /** What the reference names: the index digest for a multi-platform base, else the manifest digest. */
  digest?: string;
  indexDigest?: string;
  /** The image manifest for the image's platform. */
  manifestDigest?: string;
  configDigest?: string;
  /** The base config's `created`. */
  created?: string;
  /** Number of layers (diff_ids) of the base for the image's platform. */
  layers?: number;
}

export interface HistoryRow {
  /** 1-based position in the image config's history. */
  index: number;
  instruction?: string;
  created?: string;
  emptyLayer: boolean;
  /** 1-based layer the entry made; undefined for empty_layer entries. */
  layer?: number;
  /** undefined when it cannot be told (a drifted base whose old version is unknown). */
  origin?: Origin;
}

export interface BaseReport {
  status: BaseStatus;
  /** The base-drift output: true when drifted, false when up to date (or FROM scratch), else unknown. */
  drift: 'true' | 'false' | 'unknown';
  source: BaseSource;
  /** Where the reference came from, in words: `the base-image input`, `Dockerfile ./Dockerfile, line 7`. */
  from: string;
  /**
   * The registry's own data named the base (annotations, or labels of a config not proved to be
   * the local build's): it was looked up without credentials on any other registry.
   */
  namedByRegistry?: boolean;
  /** The base reference, normalised (`registry/repository:tag[@digest]`); undefined when none is known. */
  reference?: string;
  /** One line that says what was found. */
  message: string;
  /** Image layers that are the base's; undefined when that cannot be told exactly. */
  layers?: number;
  /** How many leading layers of the base tag's current image still equal the image's. */
  matchingLayers?: number;
  /** The base the image was built on, when its digest is known (annotation, label or pinned reference). */
  builtOn?: BaseImageFacts;
  /** What the base tag points to now. */
  current?: BaseImageFacts;
  /** Days from the built-on base's creation to the current base's, when both dates are known. */
  behindDays?: number;
  /** Days since the current base was created, for a drifted image: how long a rebuild has been due. */
  driftAgeDays?: number;
  /** The image config's history, each entry attributed to the base or the image. */
  history?: HistoryRow[];
  /** Why the base could not be checked, when it could not. */
  error?: string;
}

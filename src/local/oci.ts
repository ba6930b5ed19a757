// `oci-layout:DIR` and `oci-archive:PATH` sources: an OCI image layout as a directory or as a
// tarball (what `buildx --output type=oci` and `skopeo copy … oci:`/`oci-archive:` write),
// optionally narrowed to one image with `:TAG` or `@DIGEST`.

import { stat } from 'node:fs/promises';
import { VerifyImageError } from '../errors.js';
import { loadLayout, measureLayers, type BlobStore, type LayoutSelector } from './layout.js';
import type { BlobMeasure, ImageSource, LoadHint, LocalImage, LocalTarget } from './source.js';
import { ArchiveStore, DirectoryStore } from './stores.js';
import { scanArchive } from './tar-scan.js';

export class OciLayoutSource implements ImageSource {
  readonly kind = 'oci-layout';
  private readonly store: DirectoryStore;
  private readonly measured = new Map<string, Promise<BlobMeasure>>();

  constructor(
    readonly spec: string,
    private readonly dir: string,
    private readonly selector: LayoutSelector,
  ) {
    this.store = new DirectoryStore(dir, `OCI layout ${dir}`);
  }

  async load(hint: LoadHint): Promise<LocalTarget> {
    const info = await stat(this.dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new VerifyImageError('local', `OCI layout ${this.dir} is not a directory: give the directory skopeo or buildx wrote (for a tarball use oci-archive:PATH)`);
    }
    return loadLayout(this.store, this.selector, hint, { reference: this.spec, source: `OCI layout ${this.dir}${describe(this.selector)}` });
  }

  measure(image: LocalImage): Promise<void> {
    return measureLayers(image, this.store, this.measured);
  }

  async close(): Promise<void> {}
}

export class OciArchiveSource implements ImageSource {
  readonly kind = 'oci-archive';
  private store?: BlobStore;
  private readonly measured = new Map<string, Promise<BlobMeasure>>();

  constructor(
    readonly spec: string,
    private readonly file: string,
    private readonly selector: LayoutSelector,
  ) {}

  async load(hint: LoadHint): Promise<LocalTarget> {
    const scan = await scanArchive(this.file, 'OCI archive');
    const store = new ArchiveStore(scan, `OCI archive ${this.file}`);
    this.store = store;
    return loadLayout(store, this.selector, hint, {
      reference: this.spec,
      source: `OCI archive ${this.file}${describe(this.selector)} (${mebibytes(scan.bytes)}, read once as a stream)`,
    });
  }

  measure(image: LocalImage): Promise<void> {
    if (!this.store) throw new Error('OciArchiveSource.measure before load');
    return measureLayers(image, this.store, this.measured);
  }

  async close(): Promise<void> {}
}

export function describe(selector: LayoutSelector): string {
  if (selector.digest) return `@${selector.digest}`;
  if (selector.name !== undefined) return `:${selector.name}`;
  return '';
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

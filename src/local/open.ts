// The `local-image` value → an ImageSource. A prefix names the kind of source; without one the
// value is a Docker daemon reference, as before:
//   docker-archive:PATH[:REF]          a `docker save` tarball (legacy or Docker 25+ OCI layout)
//   oci-layout:DIR[:TAG|@DIGEST]       an OCI image layout directory
//   oci-archive:PATH[:TAG|@DIGEST]     an OCI image layout tarball (buildx --output type=oci)
//   docker-daemon:REF or REF           an image in the Docker daemon
// A path may itself contain ':'; the first split whose path exists wins, as skopeo's does not.

import { existsSync } from 'node:fs';
import { VerifyImageError } from '../errors.js';
import { isValidDigest } from '../oci/reference.js';
import { DockerArchiveSource } from './archive.js';
import { DaemonSource } from './daemon.js';
import { DockerEngine } from './engine.js';
import type { LayoutSelector } from './layout.js';
import { OciArchiveSource, OciLayoutSource } from './oci.js';
import type { ImageSource, LocalSourceKind } from './source.js';

export interface LocalSpec {
  kind: LocalSourceKind;
  /** The daemon reference, or the file/directory path. */
  target: string;
  selector: LayoutSelector;
}

const PREFIXES: Record<string, LocalSourceKind> = {
  'docker-archive:': 'docker-archive',
  'oci-layout:': 'oci-layout',
  'oci-archive:': 'oci-archive',
  'docker-daemon:': 'daemon',
};

/** Parses a `local-image` value; `exists` decides where a path ends when it could end at several colons. */
export function parseLocalSpec(spec: string, exists: (path: string) => boolean = existsSync): LocalSpec {
  const value = spec.trim();
  const prefix = Object.keys(PREFIXES).find((p) => value.startsWith(p));
  if (!prefix) return { kind: 'daemon', target: value, selector: {} };
  const kind = PREFIXES[prefix] as LocalSourceKind;
  const rest = value.slice(prefix.length);
  if (kind === 'daemon') {
    if (!rest) throw new VerifyImageError('input', (w) => `${w.name('local-image')} "${value}" names no image: write docker-daemon:REPOSITORY:TAG`);
    return { kind, target: rest, selector: {} };
  }
  if (!rest) throw new VerifyImageError('input', (w) => `${w.name('local-image')} "${value}" names no path: write ${prefix}PATH`);
  return { kind, ...splitPath(rest, exists) };
}

export function openLocalSource(spec: string, env: NodeJS.ProcessEnv = process.env): ImageSource {
  const parsed = parseLocalSpec(spec);
  switch (parsed.kind) {
    case 'daemon':
      return new DaemonSource(parsed.target, DockerEngine.fromEnv(env));
    case 'docker-archive':
      return new DockerArchiveSource(spec, parsed.target, parsed.selector);
    case 'oci-layout':
      return new OciLayoutSource(spec, parsed.target, parsed.selector);
    case 'oci-archive':
      return new OciArchiveSource(spec, parsed.target, parsed.selector);
  }
}

/** `PATH`, `PATH:NAME` or `PATH@DIGEST`. */
function splitPath(rest: string, exists: (path: string) => boolean): { target: string; selector: LayoutSelector } {
  const at = rest.lastIndexOf('@');
  if (at > 0 && isValidDigest(rest.slice(at + 1)) && !exists(rest)) {
    return { target: rest.slice(0, at), selector: { digest: rest.slice(at + 1) } };
  }
  if (exists(rest)) return { target: rest, selector: {} };
  // The first colon after which the path exists ends the path; what follows names the image.
  for (let i = rest.indexOf(':'); i > 0; i = rest.indexOf(':', i + 1)) {
    const path = rest.slice(0, i);
    const name = rest.slice(i + 1);
    if (name && exists(path)) return { target: path, selector: { name } };
  }
  // Nothing exists: report the path as written; the source says it is missing.
  return { target: rest, selector: {} };
}

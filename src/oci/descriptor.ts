// Descriptors as the image spec defines them (descriptor.md), checked before anything uses one:
// a digest by the spec's grammar and a registered algorithm (sha256: 64 lowercase hex, sha512:
// 128), a size that is a non-negative safe integer, media types by RFC 6838's naming grammar,
// and the optional fields with the types Go decodes them into (a wrong type fails Docker's pull).
// A descriptor that fails is refused with a one-line reason; its text never reaches a report.
// Pure: values in, a reason (or nothing) out.

import { quote } from './strict-json.js';
import type { Descriptor, ImageIndex, ImageManifest } from './types.js';

/** image-spec descriptor.md: `algorithm ":" encoded`. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const REGISTERED: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };
/** RFC 6838 §4.2 restricted-name for type and subtype, as the image spec's JSON schema writes it. */
const PLATFORM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** Why `digest` is not a digest we can verify, or undefined when it is one. */
export function digestProblem(digest: unknown): string | undefined {
  if (typeof digest !== 'string') return `has no digest string`;
  if (!DIGEST_GRAMMAR.test(digest)) return `has digest ${quote(digest)}, which is not algorithm:hex`;
  const colon = digest.indexOf(':');
  const encoding = REGISTERED[digest.slice(0, colon)];
  if (!encoding) return `has digest ${quote(digest)} of an algorithm the image spec does not register (only sha256 and sha512)`;
  if (!encoding.test(digest.slice(colon + 1))) {
    return `has digest ${quote(digest)}, which is not ${digest.slice(0, colon)}:<${digest.startsWith('sha256') ? 64 : 128} lowercase hex>`;
  }
  return undefined;
}

export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_TYPE.test(value);
}

/** Why `value` is not a valid descriptor, or undefined when it is one. */
export function descriptorProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'is not a JSON object';
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string') return 'has no mediaType';
  if (!MEDIA_TYPE.test(d.mediaType)) return `has media type ${quote(d.mediaType)}, which is not type/subtype as RFC 6838 names them`;
  const digest = digestProblem(d.digest);
  if (digest) return digest;
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    return `has size ${quote(String(typeof d.size === 'number' ? d.size : JSON.stringify(d.size) ?? 'none'))}, not a non-negative whole number of bytes`;
  }
  if (d.urls !== undefined && d.urls !== null && !(Array.isArray(d.urls) && d.urls.every((u) => typeof u === 'string'))) return 'has urls that are not a list of strings';
  if (d.annotations !== undefined && d.annotations !== null && !isStringMap(d.annotations)) return 'has annotations that are not string to string';
  if (d.artifactType !== undefined && d.artifactType !== null && !isMediaType(d.artifactType)) return `has artifactType ${quote(String(d.artifactType))}, which is not a media type`;
  if (d.data !== undefined && d.data !== null && typeof d.data !== 'string') return 'has data that is not a base64 string';
  if (d.platform !== undefined && d.platform !== null) {
    const p = d.platform as Record<string, unknown>;
    if (typeof p !== 'object' || Array.isArray(p)) return 'has a platform that is not an object';
    if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return 'has a platform without os and architecture strings';
    // containerd reads an empty os as the host's and lower-cases with Go's Unicode tables: only
    // the plain names every runtime spells alike are accepted, so both sides select the same entry.
    if (!PLATFORM_NAME.test(p.os) || !PLATFORM_NAME.test(p.architecture)) {
      return `has platform ${quote(`${p.os}/${p.architecture}`)}: os and architecture must be non-empty names of letters, digits, "_", "." and "-"`;
    }
    if (p.variant !== undefined && p.variant !== null && (typeof p.variant !== 'string' || (p.variant !== '' && !PLATFORM_NAME.test(p.variant)))) {
      return `has a platform whose variant ${quote(String(p.variant))} is not a name of letters, digits, "_", "." and "-"`;
    }
    if (p['os.version'] !== undefined && p['os.version'] !== null && typeof p['os.version'] !== 'string') return 'has a platform whose os.version is not a string';
    const features = p['os.features'];
    if (features !== undefined && features !== null && !(Array.isArray(features) && features.every((f) => typeof f === 'string'))) {
      return 'has a platform whose os.features are not a list of strings';
    }
  }
  return undefined;
}

/**
 * The first invalid descriptor of an image manifest (config, layers, subject) or an index
 * (manifests, subject), as `"layer 3 has digest …"`; undefined when all are valid.
 */
export function manifestDescriptorProblem(body: ImageManifest | ImageIndex): string | undefined {
  const named: Array<[string, unknown]> = [];
  if ('manifests' in body && Array.isArray(body.manifests)) {
    body.manifests.forEach((entry, i) => named.push([`index entry ${i + 1}`, entry]));
  }
  if ('config' in body && body.config !== undefined) named.push(['the config descriptor', body.config]);
  if ('layers' in body && Array.isArray(body.layers)) body.layers.forEach((layer, i) => named.push([`layer ${i + 1}`, layer]));
  if (body.subject !== undefined && body.subject !== null) named.push(['the subject', body.subject]);
  for (const [name, descriptor] of named) {
    const problem = descriptorProblem(descriptor);
    if (problem) return `${name} ${problem}`;
  }
  return undefined;
}

/** Why a config's diff_ids are not a list of valid digests, or undefined. */
export function diffIdsProblem(diffIds: unknown): string | undefined {
  if (!Array.isArray(diffIds)) return 'has no rootfs.diff_ids list';
  for (let i = 0; i < diffIds.length; i++) {
    const problem = digestProblem(diffIds[i]);
    if (problem) return `diff_id ${i + 1} ${problem.replace(/^has digest/, 'is')}`;
  }
  return undefined;
}

export function isValidDescriptor(value: unknown): value is Descriptor {
  return descriptorProblem(value) === undefined;
}

function isStringMap(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

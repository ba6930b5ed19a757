// What refers to a manifest (OCI 1.1 `subject`): signatures, SBOMs and other artifacts pushed
// beside an image by cosign, Notation, ORAS or docker scout. Listed through the referrers API
// (`GET /v2/<name>/referrers/<digest>`, following `Link: rel="next"` pages), or, when the registry
// has none (a 404, distribution-spec "Unavailable Referrers API"), through the referrers tag
// (`sha256-<hex>`) that pushing clients maintain instead; cosign's older `sha256-<hex>.sig`,
// `.att` and `.sbom` tags are looked up beside them unless the caller says not to (audits, where
// they would cost three requests per image; verify/referrers.ts). Whether the registry has the
// API is learned once per registry session: after its first 404, every later subject goes
// straight to the referrers tag (one request when there is none). A list is the registry's word only: each
// referrer's manifest is fetched by digest (so hashed, size- and type-checked, strictly decoded
// by the client) and counted only when its own `subject` names the digest it was listed for.
// Presence only: no signature is verified here. Nothing found here fails a run; what could not
// be read becomes a problem line in the report.

import { VerifyImageError } from '../errors.js';
import { artifactTypeOf, classifyArtifactType, cosignTags, referrersIndexProblem, referrersTag } from '../oci/referrers.js';
import { decodeDocument } from '../oci/strict-json.js';
import { isIndex, MediaType, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types.js';
import type { ReferrerItem } from '../model/report.js';
import type { ReferrersPage, RegistryClient } from './client.js';

/**
 * Pages of the referrers API we follow per subject. Registries page at 50 to 1000 entries, so ten
 * pages hold every real image's referrers many times over; a registry that keeps linking to a
 * next page (by mistake or to keep us busy) is stopped there.
 */
export const MAX_REFERRER_PAGES = 10;
/**
 * Referrer manifests we fetch per subject. Each costs a request, and presence needs only one of a
 * kind; an image re-signed nightly may collect hundreds of signatures, and a hostile list could
 * name thousands. Those past the cap are not looked at, and the report says so.
 */
export const MAX_REFERRERS = 50;

export interface SubjectReferrers {
  subject: string;
  /** How the list was read; undefined when it could not be (see problems). */
  via?: 'api' | 'fallback-tag';
  items: ReferrerItem[];
  problems: string[];
  truncated: boolean;
}

/** Errors that end one lookup, not the run: the registry's answer was unusable or it was unreachable. */
const LOOKUP_ERRORS = new Set(['integrity', 'protocol', 'unsupported', 'not-found', 'unreachable', 'auth']);

export interface ReferrersLookup {
  /** Only referrers of this artifact type (the API's filter); cosign's tags are not looked up then. */
  artifactType?: string;
  /** Look up cosign's `.sig`, `.att` and `.sbom` tags too (three requests); true when undefined. */
  cosignTags?: boolean;
}

export async function findReferrers(client: RegistryClient, subject: string, opts: ReferrersLookup = {}): Promise<SubjectReferrers> {
  const result: SubjectReferrers = { subject, items: [], problems: [], truncated: false };
  let listed: Descriptor[] = [];
  try {
    const list = await listReferrers(client, subject, opts.artifactType, result);
    result.via = list.via;
    listed = list.descriptors;
  } catch (err) {
    if (!isLookupError(err)) throw err;
    result.problems.push(`could not list the referrers of ${subject}: ${err.message}`);
  }
  const unique = [...new Map(listed.map((d) => [d.digest, d])).values()];
  if (unique.length > MAX_REFERRERS) {
    result.truncated = true;
    result.problems.push(`${unique.length} referrers of ${subject} are listed; only the first ${MAX_REFERRERS} were fetched and checked`);
  }
  for (const descriptor of unique.slice(0, MAX_REFERRERS)) {
    const item = await checkReferrer(client, subject, descriptor, result.via ?? 'api', result.problems);
    if (item) result.items.push(item);
  }
  if (!opts.artifactType && opts.cosignTags !== false) result.items.push(...(await cosignTagItems(client, subject, result.problems)));
  return result;
}

/** The referrers API's descriptors, or the fallback tag's when the registry has no API. */
async function listReferrers(
  client: RegistryClient,
  subject: string,
  artifactType: string | undefined,
  result: SubjectReferrers,
): Promise<{ via: 'api' | 'fallback-tag'; descriptors: Descriptor[] }> {
  const descriptors: Descriptor[] = [];
  const seenPages = new Set<string>();
  let next: string | undefined;
  const host = client.host;
  // The API is a property of the registry: the first lookup asks it while later ones wait for its
  // answer, and once it said it has none, every lookup asks the tag straight away.
  if (host.referrersApi === 'unknown' && host.referrersProbe) await host.referrersProbe;
  if (host.referrersApi === 'absent') return { via: 'fallback-tag', descriptors: await fallbackTag(client, subject, artifactType, result.problems) };
  for (let page = 1; ; page++) {
    const pending = client.getReferrersPage(subject, { next, artifactType });
    if (page === 1 && host.referrersApi === 'unknown') {
      // What the answer says about the registry is recorded before anyone waiting is woken. An
      // answer that is no answer (a 5xx, an auth error) leaves the next lookup to ask again.
      const probe: Promise<void> = pending
        .then(
          (answer) => {
            if (host.referrersApi === 'unknown') host.referrersApi = hasNoApi(answer) ? 'absent' : 'present';
          },
          () => undefined,
        )
        .finally(() => {
          if (host.referrersProbe === probe) host.referrersProbe = undefined;
        });
      host.referrersProbe = probe;
    }
    const answer = await pending;
    const what = `page ${page} of the referrers of ${subject}`;
    if (answer.kind === 'no-api' || hasNoApi(answer)) {
      if (page === 1) return { via: 'fallback-tag', descriptors: await fallbackTag(client, subject, artifactType, result.problems) };
      throw new VerifyImageError('protocol', `${what} is ${answer.kind === 'no-api' ? `a 404 (${answer.detail})` : `served as ${answer.contentType ?? 'no content type'}`}, not an image index`);
    }
    const index = decodeDocument<unknown>(answer.bytes, 'manifest', what, 'protocol');
    const problem = referrersIndexProblem(index);
    if (problem) throw new VerifyImageError('protocol', `${what} ${problem}`);
    let entries = (index as ImageIndex).manifests;
    // A registry may ignore the filter; it says when it applied one (OCI-Filters-Applied).
    if (artifactType && !answer.filtersApplied.includes('artifactType')) entries = entries.filter((d) => d.artifactType === artifactType);
    descriptors.push(...entries);
    if (!answer.next || seenPages.has(answer.next)) return { via: 'api', descriptors };
    if (page >= MAX_REFERRER_PAGES || descriptors.length > MAX_REFERRERS) {
      result.truncated = true;
      result.problems.push(`the referrers of ${subject} go on past ${page} page(s); the rest were not read`);
      return { via: 'api', descriptors };
    }
    seenPages.add(answer.next);
    next = answer.next;
  }
}

/**
 * The referrers tag's index (distribution-spec "Referrers Tag Schema"). No tag means no
 * referrers; a tag that is not a valid image index means none either, as the spec says, but the
 * report notes it.
 */
async function fallbackTag(client: RegistryClient, subject: string, artifactType: string | undefined, problems: string[]): Promise<Descriptor[]> {
  const tag = referrersTag(subject);
  if (!(await client.mayHaveManifest(tag))) return [];
  let fetched;
  try {
    fetched = await client.getManifest(tag);
  } catch (err) {
    if (err instanceof VerifyImageError && err.code === 'not-found') return [];
    throw err;
  }
  const problem = isIndex(fetched.mediaType) ? referrersIndexProblem(fetched.body) : 'is not an image index';
  if (problem) {
    problems.push(`the referrers tag ${tag} ${problem}; no referrers taken from it`);
    return [];
  }
  const entries = (fetched.body as ImageIndex).manifests;
  return artifactType ? entries.filter((d) => d.artifactType === artifactType) : entries;
}

/** The listed referrer, fetched by digest; counted only when its own subject is `subject`. */
async function checkReferrer(client: RegistryClient, subject: string, descriptor: Descriptor, via: 'api' | 'fallback-tag', problems: string[]): Promise<ReferrerItem | undefined> {
  try {
    const manifest = await client.getManifest(descriptor.digest, descriptor);
    const named = manifest.body.subject?.digest;
    if (named !== subject) {
      problems.push(`referrer ${manifest.digest} is listed for ${subject} but its subject is ${named ?? 'missing'}: not counted`);
      return undefined;
    }
    const artifactType = artifactTypeOf(manifest.body);
    return {
      kind: artifactType ? classifyArtifactType(artifactType) : 'other',
      ...(artifactType ? { artifactType } : {}),
      digest: manifest.digest,
      subject,
      foundBy: via,
      ...(via === 'fallback-tag' ? { tag: referrersTag(subject) } : {}),
    };
  } catch (err) {
    if (!isLookupError(err)) throw err;
    problems.push(`referrer ${descriptor.digest} of ${subject} not counted: ${err.message}`);
    return undefined;
  }
}

/**
 * cosign's tags from before OCI 1.1, named after the subject. A tag counts when it holds an image
 * manifest whose layers are all of the kind its suffix names, and, for a `.sig` of simple-signing
 * layers, when every payload names the subject (`critical.image.docker-manifest-digest`) as the
 * referrers' `subject` must: a signature copied from another image is not this image's. The
 * signatures themselves are not verified.
 */
async function cosignTagItems(client: RegistryClient, subject: string, problems: string[]): Promise<ReferrerItem[]> {
  const items: ReferrerItem[] = [];
  for (const { tag, kind } of cosignTags(subject)) {
    try {
      if (!(await client.mayHaveManifest(tag))) continue;
      const fetched = await client.getManifest(tag);
      const layers = isIndex(fetched.mediaType) ? [] : (fetched.body as ImageManifest).layers;
      const first = layers[0];
      // What cosign puts there (simple-signing payloads or bundles, DSSE envelopes, SBOM documents):
      // a registry that answers every tag with some image does not make it signed.
      if (!first || layers.some((layer) => classifyArtifactType(layer.mediaType) !== kind)) {
        problems.push(`the cosign tag ${tag} holds ${isIndex(fetched.mediaType) ? 'an index' : first ? `layers of type ${first.mediaType}` : 'a manifest without layers'}, not a cosign ${kind}: not counted`);
        continue;
      }
      const unbound = kind === 'signature' ? await unboundPayload(client, subject, layers) : undefined;
      if (unbound) {
        problems.push(`the cosign tag ${tag}: ${unbound}: not counted`);
        continue;
      }
      items.push({ kind, artifactType: first.mediaType, digest: fetched.digest, subject, foundBy: 'cosign-tag', tag });
    } catch (err) {
      if (err instanceof VerifyImageError && err.code === 'not-found') continue;
      if (!isLookupError(err)) throw err;
      problems.push(`the cosign tag ${tag} not counted: ${err.message}`);
    }
  }
  return items;
}

/** An answer that says the registry has no referrers API: a 404, or (as oras-go reads it) a 200 that is no image index, a proxy's or a UI's page. */
function hasNoApi(answer: ReferrersPage): boolean {
  return answer.kind === 'no-api' || answer.contentType !== MediaType.OciIndex;
}

function isLookupError(err: unknown): err is VerifyImageError {
  return err instanceof VerifyImageError && LOOKUP_ERRORS.has(err.code);
}

/** Simple-signing payloads read per `.sig` tag: one layer per signature, and a tag re-signed nightly keeps growing. */
const MAX_PAYLOADS = 20;
/** cosign's payloads are a few hundred bytes; its own limit on a signature layer is far larger, ours need not be. */
const PAYLOAD_CAP = 64 * 1024;
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** Why the `.sig` tag's simple-signing payloads do not all name `subject`, or undefined when they do (or are bundles). */
async function unboundPayload(client: RegistryClient, subject: string, layers: readonly Descriptor[]): Promise<string | undefined> {
  const payloads = layers.filter((layer) => layer.mediaType === SIMPLE_SIGNING);
  if (payloads.length > MAX_PAYLOADS) return `${payloads.length} signature payloads, more than the ${MAX_PAYLOADS} read`;
  for (const layer of payloads) {
    const bytes = await client.getSmallBlob(layer, PAYLOAD_CAP, 'cosign payload', 'a simple-signing payload this action reads');
    const payload = decodeDocument<{ critical?: { image?: { 'docker-manifest-digest'?: unknown } } }>(bytes, 'cosign payload', `cosign payload ${layer.digest}`, 'protocol');
    const named = payload?.critical?.image?.['docker-manifest-digest'];
    if (named !== subject) return `the payload ${layer.digest} signs ${typeof named === 'string' ? named.slice(0, 80) : 'no digest'}, not ${subject}`;
  }
  return undefined;
}

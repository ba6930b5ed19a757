export const id = 784;
export const ids = [784];
export const modules = {

/***/ 4784:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openLocalSource: () => (/* binding */ openLocalSource),
  parseLocalSpec: () => (/* binding */ parseLocalSpec)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __webpack_require__(2148);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/bytes/media-type.ts
var media_type = __webpack_require__(2740);
// EXTERNAL MODULE: ./src/model/image.ts
var model_image = __webpack_require__(1444);
// EXTERNAL MODULE: ./src/bytes/hasher.ts + 1 modules
var hasher = __webpack_require__(6568);
;// CONCATENATED MODULE: ./src/local/blob-digest.ts
// What the local sources learn by reading a blob once: its digest and size, its compression as its
// magic bytes say, its diff_id, and for small JSON blobs (manifests, configs) the bytes themselves.
// The pass is deep verification's (src/bytes/hasher.ts): the same decoders, so the same zstd
// fallback on Node 20 and the same refusal of bytes after the last gzip member that Go's reader
// would fail on. Here a decoding failure becomes the measure's `diffIdError`, in the local side's words.


/** A Writable: pipe a file or a tar entry in; read `measure` once it has finished. */
class BlobDigester extends hasher/* BlobHasher */.$ {
    constructor(options = {}) {
        // The compression is sniffed: a local blob is read as what its bytes are, and blob-rules
        // compares that with what its media type claims.
        super({ keepJsonUpTo: options.keepJsonUpTo });
    }
    /** The measurement; available once the stream has finished. */
    get measure() {
        return toMeasure(this.hashes);
    }
}
function toMeasure(hashes) {
    const result = { digest: hashes.digest, size: hashes.size, compression: hashes.compression };
    if (hashes.diffId !== undefined)
        result.diffId = hashes.diffId;
    else if (hashes.decodeError)
        result.diffIdError = diffIdError(hashes.decodeError, hashes.compression);
    if (hashes.json)
        result.json = hashes.json;
    return result;
}
function diffIdError(error, compression) {
    // No zstd decoder at all (Node 20 without the zstd command) is a note, not a verdict on the blob.
    if (error instanceof errors/* VerifyImageError */.Vi && error.code === 'unsupported')
        return `${error.message}; the compressed digest was still checked`;
    return `it does not decompress as ${compression} (${error.message})`;
}
/** The measurement without the kept JSON bytes, for storing beside a layer. */
function measureOnly(result) {
    const measure = { digest: result.digest, size: result.size, compression: result.compression };
    if (result.diffId !== undefined)
        measure.diffId = result.diffId;
    if (result.diffIdError !== undefined)
        measure.diffIdError = result.diffIdError;
    return measure;
}

// EXTERNAL MODULE: ./src/oci/descriptor.ts
var descriptor = __webpack_require__(7592);
// EXTERNAL MODULE: ./src/oci/platform.ts
var oci_platform = __webpack_require__(1890);
// EXTERNAL MODULE: ./src/oci/strict-json.ts + 1 modules
var strict_json = __webpack_require__(965);
// EXTERNAL MODULE: ./src/oci/types.ts
var types = __webpack_require__(3048);
;// CONCATENATED MODULE: ./src/local/layout.ts
// OCI image layouts (image-spec `image-layout.md`): `oci-layout`, `index.json` and
// `blobs/<alg>/<hex>`, wherever they are stored \u2014 a directory (`oci-layout:`), a tarball
// (`oci-archive:`, buildx `--output type=oci`) or the layout Docker 25+ writes inside `docker save`.
// Storage is behind BlobStore; this module only reads the layout's JSON and picks the image.
// Every manifest, index and config is hashed and checked against the digest that names it.







const LAYOUT_MANIFEST_CAP = 4 * 1024 * 1024;
const LAYOUT_CONFIG_CAP = 8 * 1024 * 1024;
const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
/** `blobs/sha256/<hex>`: only sha256, only valid digests, so a descriptor can never name a path outside the layout. */
function blobPath(digest, what) {
    if (!(0,reference/* isValidDigest */.fH)(digest) || !digest.startsWith('sha256:')) {
        throw new errors/* VerifyImageError */.Vi('local', `${what} names a blob "${digest.slice(0, 80)}" that is not a sha256 digest; only sha256 layouts are supported`);
    }
    return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}
async function loadLayout(store, selector, hint, context) {
    const indexBytes = await store.rootFile('index.json');
    if (!indexBytes) {
        throw new errors/* VerifyImageError */.Vi('local', `${store.what} has no index.json: it is not an OCI image layout (buildx --output type=oci, skopeo copy \u2026 oci:DIR)`);
    }
    const index = parseJson(indexBytes, `${store.what}: index.json`);
    if (!Array.isArray(index.manifests))
        throw new errors/* VerifyImageError */.Vi('local', `${store.what}: index.json has no manifests list`);
    checkDescriptors(index, `${store.what}: index.json`);
    const entries = index.manifests.filter(isDescriptor);
    if (entries.length === 0)
        throw new errors/* VerifyImageError */.Vi('local', `${store.what}: index.json lists no images`);
    const chosen = await choose(store, entries, selector, hint);
    if (Array.isArray(chosen))
        return { kind: 'index', index: await indexOf(store, chosen, undefined, undefined, context) };
    if ((0,types/* isIndex */.nw)(chosen.mediaType)) {
        const nested = parseJson(await store.jsonBlob(chosen, LAYOUT_MANIFEST_CAP), `${store.what}: index ${chosen.digest}`);
        if (!Array.isArray(nested.manifests))
            throw new errors/* VerifyImageError */.Vi('local', `${store.what}: index ${chosen.digest} has no manifests list`);
        checkDescriptors(nested, `${store.what}: index ${chosen.digest}`);
        return { kind: 'index', index: await indexOf(store, nested.manifests.filter(isDescriptor), chosen.digest, chosen.mediaType, context) };
    }
    return { kind: 'image', image: await imageOf(store, chosen, context) };
}
/** The image manifest, the index, or (when index.json itself lists the platforms) the entries to treat as an index. */
async function choose(store, all, selector, hint) {
    // Names are matched on every entry; Docker writes one entry per tag of the same manifest.
    const entries = dedupe(all);
    const names = () => describeEntries(all);
    if (selector.digest) {
        const direct = entries.find((e) => e.digest === selector.digest);
        if (direct)
            return direct;
        // A platform manifest inside a (nested) index can be picked by its digest too.
        for (const entry of entries.filter((e) => (0,types/* isIndex */.nw)(e.mediaType))) {
            const nested = parseJson(await store.jsonBlob(entry, LAYOUT_MANIFEST_CAP), `${store.what}: index ${entry.digest}`);
            checkDescriptors(nested, `${store.what}: index ${entry.digest}`);
            const inner = (Array.isArray(nested.manifests) ? nested.manifests : []).find((m) => isDescriptor(m) && m.digest === selector.digest);
            if (inner)
                return inner;
        }
        throw new errors/* VerifyImageError */.Vi('local', `${store.what} has no manifest or index ${selector.digest} (it holds ${names()}): check the digest after "@"`);
    }
    if (selector.name !== undefined) {
        const wanted = selector.name;
        const matching = dedupe(all.filter((e) => entryNames(e).some((n) => sameName(n, wanted))));
        if (matching.length === 1)
            return matching[0];
        if (matching.length > 1 && matching.every(isPlatformImage))
            return matching;
        if (matching.length > 1)
            throw new errors/* VerifyImageError */.Vi('local', `${store.what} has ${matching.length} different images named "${wanted}": pick one with @DIGEST`);
        throw new errors/* VerifyImageError */.Vi('local', `${store.what} has no image named "${wanted}" (it holds ${names()}): check the name after ":"`);
    }
    if (entries.length === 1)
        return entries[0];
    if (hint.image) {
        const pushed = hint.image;
        const matching = dedupe(all.filter((e) => entryNames(e).some((n) => sameName(n, pushed))));
        if (matching.length === 1)
            return matching[0];
    }
    if (entries.every(isPlatformImage) && new Set(entries.map((e) => (0,oci_platform/* formatPlatform */.Bq)((0,oci_platform/* normalizePlatform */.FL)(e.platform)))).size === entries.length) {
        return entries;
    }
    throw new errors/* VerifyImageError */.Vi('local', `${store.what} holds ${entries.length} images (${names()}): pick one by appending :TAG or @DIGEST to the path`);
}
async function indexOf(store, manifests, digest, mediaType, context) {
    const images = [];
    const attestations = [];
    for (const entry of manifests) {
        if ((0,types/* isAttestation */.H3)(entry)) {
            attestations.push({ digest: entry.digest, subject: entry.annotations?.[REFERENCE_DIGEST] ?? '' });
            continue;
        }
        if ((0,types/* isIndex */.nw)(entry.mediaType)) {
            throw new errors/* VerifyImageError */.Vi('unsupported', `${store.what}: index ${digest ?? 'index.json'} nests another index (${entry.digest}); nested indexes are not supported`);
        }
        // Unknown media types in an index are not an error (image-spec); they are not images either.
        if (!(0,types/* isImageManifest */.pJ)(entry.mediaType))
            continue;
        images.push((await store.hasBlob(entry.digest)) ? await imageOf(store, entry, context) : absentImage(entry, context));
    }
    if (images.length === 0)
        throw new errors/* VerifyImageError */.Vi('local', `${store.what}: index ${digest ?? 'index.json'} lists no image manifests`);
    return { reference: context.reference, source: context.source, digest, mediaType, images, attestations };
}
async function imageOf(store, descriptor, context) {
    if (!(0,types/* isImageManifest */.pJ)(descriptor.mediaType)) {
        throw new errors/* VerifyImageError */.Vi('unsupported', `${store.what}: ${descriptor.digest} has media type ${descriptor.mediaType}, which is neither an image manifest nor an index`);
    }
    const what = `${store.what}: manifest ${descriptor.digest}`;
    const manifest = parseJson(await store.jsonBlob(descriptor, LAYOUT_MANIFEST_CAP), what);
    if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
        throw new errors/* VerifyImageError */.Vi('local', `${what} is not a schemaVersion 2 image manifest with a config and layers`);
    }
    checkDescriptors(manifest, what);
    const configBytes = await store.jsonBlob(manifest.config, LAYOUT_CONFIG_CAP);
    const config = parseJson(configBytes, `${store.what}: config ${manifest.config.digest}`, 'config');
    const problem = (0,model_image/* imageConfigProblem */.fE)(config);
    if (problem?.kind === 'not-image')
        throw new errors/* VerifyImageError */.Vi('local', `${store.what}: config ${manifest.config.digest} ${problem.message}`);
    if (problem)
        throw new errors/* VerifyImageError */.Vi('local', `${store.what}: config ${manifest.config.digest}: ${problem.message}: the layout is damaged`);
    // An index entry's platform is the platform, as on the registry side: runtimes select by it.
    // The config's is kept beside it and checked against it (rules.ts).
    return {
        reference: context.reference,
        source: context.source,
        id: manifest.config.digest,
        idKind: 'config',
        diffIds: config.rootfs.diff_ids,
        ...(0,model_image/* platformView */.pZ)(config, descriptor),
        repoDigests: [],
        manifestDigest: descriptor.digest,
        manifestMediaType: manifest.mediaType ?? descriptor.mediaType,
        manifest,
        configDigest: manifest.config.digest,
        config,
        layers: manifest.layers.map((layer) => ({ descriptor: layer, path: blobPath(layer.digest, store.what), claimed: true })),
    };
}
/**
 * An index entry whose manifest is not in the layout (e.g. `docker save` of a multi-platform image
 * with one platform pulled): known by its digest only, which still pins config and layers.
 */
function absentImage(entry, context) {
    return {
        reference: context.reference,
        source: `${context.source}; the ${entry.platform ? (0,oci_platform/* formatPlatform */.Bq)((0,oci_platform/* normalizePlatform */.FL)(entry.platform)) : entry.digest} manifest is not in it, only its digest`,
        id: entry.digest,
        idKind: 'manifest',
        diffIds: [],
        diffIdsUnknown: true,
        platform: (0,oci_platform/* normalizePlatform */.FL)(entry.platform ?? { os: 'unknown', architecture: 'unknown' }),
        repoDigests: [],
        manifestDigest: entry.digest,
        manifestMediaType: entry.mediaType,
    };
}
/** Measures every layer blob not yet measured, a few at a time; a blob shared by two images is read once. */
async function measureLayers(image, store, cache, concurrency = 2) {
    const layers = (image.layers ?? []).filter((l) => !l.measured);
    let next = 0;
    const worker = async () => {
        while (next < layers.length) {
            const layer = layers[next++];
            let measured = cache.get(layer.descriptor.digest);
            if (!measured) {
                measured = store.measureBlob(layer.descriptor);
                cache.set(layer.descriptor.digest, measured);
            }
            layer.measured = await measured;
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, layers.length) }, worker));
}
/**
 * A layout's or archive's JSON document, read as Docker reads it (strict-json.ts): a document Go
 * would read differently is refused like a damaged one. `kind` picks the fields Docker knows.
 */
function parseJson(bytes, what, kind = 'manifest') {
    const value = (0,strict_json/* decodeDocument */.w8)(bytes, kind, what, 'local');
    if (value === null || typeof value !== 'object') {
        throw new errors/* VerifyImageError */.Vi('local', `${what} is not a JSON object or list: the layout or archive is damaged`);
    }
    return value;
}
/** Every descriptor of a local manifest or index, as the image spec defines them. */
function checkDescriptors(body, what) {
    const problem = (0,descriptor/* manifestDescriptorProblem */.J2)(body);
    if (problem)
        throw new errors/* VerifyImageError */.Vi('local', `${what}: ${problem}: the layout is damaged or was altered; export it again`);
}
/** Names an index.json entry is known by: its ref name (a tag, as skopeo and Docker write it) and containerd's full image name. */
function entryNames(entry) {
    return [entry.annotations?.[REF_NAME], entry.annotations?.[CONTAINERD_NAME]].filter((n) => Boolean(n));
}
/**
 * Do two image names mean the same image? Equal as written, equal once normalised
 * (`app:1` is `docker.io/library/app:1`), or a bare tag equal to the full name's tag.
 */
function sameName(known, wanted) {
    if (known === wanted)
        return true;
    const a = tryParse(known);
    const b = tryParse(wanted);
    if (a && b)
        return (0,reference/* formatReference */.FH)({ ...a, digest: undefined }) === (0,reference/* formatReference */.FH)({ ...b, digest: undefined });
    return Boolean(a && !b && a.tag === wanted);
}
function tryParse(name) {
    // A bare tag like "v1" parses as the repository docker.io/library/v1: only names with a repository part count.
    if (!name.includes(':') && !name.includes('/'))
        return undefined;
    try {
        return (0,reference/* parseReference */.F2)(name);
    }
    catch {
        return undefined;
    }
}
function describeEntries(entries) {
    return entries
        .map((e) => {
        const names = entryNames(e);
        const platform = e.platform ? ` ${(0,oci_platform/* formatPlatform */.Bq)((0,oci_platform/* normalizePlatform */.FL)(e.platform))}` : '';
        return `${names[0] ?? e.digest.slice(0, 19)}${platform}`;
    })
        .join(', ');
}
function isDescriptor(value) {
    if (value === null || typeof value !== 'object')
        return false;
    const d = value;
    return typeof d.digest === 'string' && typeof d.mediaType === 'string';
}
function isPlatformImage(entry) {
    return (0,types/* isImageManifest */.pJ)(entry.mediaType) && !(0,types/* isAttestation */.H3)(entry) && Boolean(entry.platform?.os && entry.platform.architecture);
}
/** Docker writes one index.json entry per tag of the same manifest; they are one image. */
function dedupe(entries) {
    const seen = new Map();
    for (const entry of entries)
        if (!seen.has(entry.digest))
            seen.set(entry.digest, entry);
    return [...seen.values()];
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./src/oci/digest.ts
var digest = __webpack_require__(8825);
// EXTERNAL MODULE: ./node_modules/tar/dist/esm/index.min.js
var index_min = __webpack_require__(8697);
// EXTERNAL MODULE: ./src/bytes/compression.ts
var compression = __webpack_require__(5);
// EXTERNAL MODULE: ./src/bytes/decompress.ts + 1 modules
var decompress = __webpack_require__(6606);
;// CONCATENATED MODULE: ./src/local/tar-scan.ts
// One streaming pass over a tarball (`docker save`, an OCI archive; plain, gzip or zstd as the
// `tar` package detects): every regular member is hashed as it flows by (and decompressed and
// hashed again when it is compressed), and small JSON members are kept. Nothing is extracted,
// nothing but the JSON is held in memory.
//
// A tar can only be read front to back, and `docker save` writes manifest.json last, after the
// layers it names. Rather than a second pass, we measure every member on the way: when the index
// and manifests are finally read, every blob they name has already been hashed.







/** No manifest or config we accept is larger (MANIFEST_CAP is 4 MiB, CONFIG_CAP 8 MiB). */
const JSON_MEMBER_CAP = 8 * 1024 * 1024;
/** The JSON a tarball may make us hold in total: manifests, configs, attestations, legacy v1 JSON. */
const JSON_BUDGET = 64 * 1024 * 1024;
async function scanArchive(file, what) {
    let bytes;
    try {
        const stat = (0,external_node_fs_.statSync)(file);
        if (!stat.isFile())
            throw new errors/* VerifyImageError */.Vi('local', `${what} ${file} is not a file: give the path of the tarball`);
        bytes = stat.size;
    }
    catch (err) {
        if (err instanceof errors/* VerifyImageError */.Vi)
            throw err;
        throw new errors/* VerifyImageError */.Vi('local', `${what} ${file} cannot be read (${err.code ?? String(err)}): check the path`);
    }
    const compression = outerCompression(file);
    const raw = (0,external_node_fs_.createReadStream)(file, { highWaterMark: 256 * 1024 });
    // A compressed tarball (`docker save | gzip`) is decompressed here, not by the parser, with the
    // layers' decoders (zstd through the command on Node 20): the decoder waits for the parser to
    // drain, so a highly compressible archive costs time, not memory.
    const inflate = (0,decompress/* openDecoder */.Br)(compression);
    const scan = await scanTar(raw, inflate, file, what, 'check that it is complete (docker save -o, buildx --output type=oci,dest=\u2026)');
    return { ...scan, bytes };
}
/**
 * The same pass over a tar that arrives as a stream (the Engine API's image export), never written
 * to disk. `label` names it in messages; `bytes` is what flowed through.
 */
async function scanTarStream(input, label, what) {
    // A stream can end cleanly mid-archive (the sender stopped); the tar parser takes a cut at a header
    // boundary for the end. Writers end an archive with two zero blocks: require them.
    let tail = Buffer.alloc(0);
    input.on('data', (chunk) => {
        tail = Buffer.concat([tail, chunk.subarray(-END_OF_ARCHIVE)]).subarray(-END_OF_ARCHIVE);
    });
    const scan = await scanTar(input, undefined, label, what, 'the daemon stopped sending it; try again');
    if (scan.bytes % 512 !== 0 || tail.length < END_OF_ARCHIVE || tail.some((byte) => byte !== 0)) {
        throw new errors/* VerifyImageError */.Vi('local', `${what} ${label} ended after ${scan.bytes} bytes, before the end of the archive: the daemon stopped sending it; try again`);
    }
    return scan;
}
/** Two zero 512-byte blocks end a tar archive. */
const END_OF_ARCHIVE = 1024;
async function scanTar(raw, inflate, file, what, advice) {
    const members = new Map();
    const links = new Map();
    let jsonHeld = 0;
    let bytes = 0;
    const pending = [];
    let failure;
    const onEntry = (entry) => {
        const path = normalise(entry.path);
        if (entry.type === 'SymbolicLink' && entry.linkpath) {
            links.set(path, normalise(external_node_path_.posix.join(external_node_path_.posix.dirname(path), entry.linkpath)));
        }
        else if (entry.type === 'Link' && entry.linkpath) {
            links.set(path, normalise(entry.linkpath));
        }
        if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
            entry.resume();
            return;
        }
        const digester = new BlobDigester({ keepJsonUpTo: Math.min(JSON_MEMBER_CAP, JSON_BUDGET - jsonHeld) });
        pending.push(new Promise((resolve) => {
            digester.once('finish', () => {
                const measure = digester.measure;
                if (measure.json)
                    jsonHeld += measure.json.length;
                members.set(path, { path, measure });
                resolve();
            });
            digester.once('error', (error) => {
                failure ??= error;
                resolve();
            });
        }));
        entry.pipe(digester);
    };
    await new Promise((resolve, reject) => {
        const parser = new index_min/* Parser */.iX({ strict: true, onReadEntry: onEntry });
        raw.on('data', (chunk) => {
            bytes += chunk.length;
        });
        const input = inflate ? raw.pipe(inflate) : raw;
        const fail = (error) => {
            raw.destroy();
            reject(new errors/* VerifyImageError */.Vi('local', `${what} ${file} is not a readable tar archive (${error instanceof Error ? error.message : String(error)}): ${advice}`));
        };
        parser.on('error', fail);
        parser.on('abort', fail);
        raw.on('error', fail);
        inflate?.on('error', fail);
        parser.on('end', () => resolve());
        input.pipe(parser);
    });
    await Promise.all(pending);
    if (failure)
        throw new errors/* VerifyImageError */.Vi('local', `${what} ${file} could not be read (${failure.message})`);
    if (members.size === 0)
        throw new errors/* VerifyImageError */.Vi('local', `${what} ${file} holds no files: it is not an image archive`);
    return { file, members, links, bytes };
}
/** The member at `path`, following links (a `docker save` links identical layers to one copy). */
function memberAt(scan, path) {
    let current = normalise(path);
    for (let hops = 0; hops < 16; hops++) {
        const member = scan.members.get(current);
        if (member)
            return member;
        const target = scan.links.get(current);
        if (!target)
            return undefined;
        current = target;
    }
    return undefined;
}
function outerCompression(file) {
    const head = Buffer.alloc(compression/* SNIFF_BYTES */.dD);
    const fd = (0,external_node_fs_.openSync)(file, 'r');
    let read;
    try {
        read = (0,external_node_fs_.readSync)(fd, head, 0, compression/* SNIFF_BYTES */.dD, 0);
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
    return (0,compression/* sniffCompression */.Hs)(head.subarray(0, read));
}
function normalise(path) {
    const p = external_node_path_.posix.normalize(path.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
    return p === '.' ? '' : p;
}

;// CONCATENATED MODULE: ./src/local/stores.ts
// The two places a layout's blobs can live: a directory, read file by file and streamed, or a
// tarball already measured in one pass (tar-scan.ts), whose members are looked up by path.










const ROOT_FILE_CAP = 8 * 1024 * 1024;
class DirectoryStore {
    dir;
    what;
    constructor(dir, what) {
        this.dir = dir;
        this.what = what;
    }
    async rootFile(name) {
        try {
            return await readSmall((0,external_node_path_.join)(this.dir, name), ROOT_FILE_CAP, `${this.what}: ${name}`);
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return undefined;
            throw err;
        }
    }
    async hasBlob(digest) {
        return (await (0,promises_.stat)((0,external_node_path_.join)(this.dir, blobPath(digest, this.what))).catch(() => undefined))?.isFile() ?? false;
    }
    async jsonBlob(descriptor, cap) {
        const path = blobPath(descriptor.digest, this.what);
        let bytes;
        try {
            bytes = await readSmall((0,external_node_path_.join)(this.dir, path), cap, `${this.what}: ${path}`);
        }
        catch (err) {
            if (err.code === 'ENOENT')
                throw missing(this.what, descriptor, path);
            throw err;
        }
        return checked(bytes, descriptor, path, this.what);
    }
    async measureBlob(descriptor) {
        const path = blobPath(descriptor.digest, this.what);
        const digester = new BlobDigester();
        try {
            await (0,external_node_stream_promises_.pipeline)((0,external_node_fs_.createReadStream)((0,external_node_path_.join)(this.dir, path), { highWaterMark: 1024 * 1024 }), digester);
        }
        catch (err) {
            if (err.code === 'ENOENT')
                throw missing(this.what, descriptor, path);
            throw new errors/* VerifyImageError */.Vi('local', `${this.what}: ${path} cannot be read (${err.code ?? String(err)})`);
        }
        return measureOnly(digester.measure);
    }
}
class ArchiveStore {
    scan;
    what;
    constructor(scan, what) {
        this.scan = scan;
        this.what = what;
    }
    async rootFile(name) {
        const member = memberAt(this.scan, name);
        if (!member)
            return undefined;
        if (!member.measure.json)
            throw notJson(this.what, name);
        return member.measure.json;
    }
    async hasBlob(digest) {
        return memberAt(this.scan, blobPath(digest, this.what)) !== undefined;
    }
    async jsonBlob(descriptor, cap) {
        const path = blobPath(descriptor.digest, this.what);
        const member = memberAt(this.scan, path);
        if (!member)
            throw missing(this.what, descriptor, path);
        if (member.measure.digest !== descriptor.digest)
            throw altered(this.what, path, member.measure.digest, descriptor.digest, descriptor.mediaType);
        const json = member.measure.json;
        if (!json || json.length > cap)
            throw notJson(this.what, path);
        return checked(json, descriptor, path, this.what);
    }
    async measureBlob(descriptor) {
        const path = blobPath(descriptor.digest, this.what);
        const member = memberAt(this.scan, path);
        if (!member)
            throw missing(this.what, descriptor, path);
        return measureOnly(member.measure);
    }
}
async function readSmall(path, cap, what) {
    const info = await (0,promises_.stat)(path);
    if (info.size > cap)
        throw new errors/* VerifyImageError */.Vi('local', `${what} is ${info.size} bytes, more than the ${cap} a manifest or config may be`);
    // Read through a handle so a file that grows between stat and read is still capped.
    const handle = await (0,promises_.open)(path, 'r');
    try {
        const buffer = Buffer.alloc(Math.min(info.size, cap));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead);
    }
    finally {
        await handle.close();
    }
}
function checked(bytes, descriptor, path, what) {
    const actual = (0,digest/* digestOf */.ol)(bytes, descriptor.digest);
    if (actual !== descriptor.digest)
        throw altered(what, path, actual, descriptor.digest, descriptor.mediaType);
    if (typeof descriptor.size === 'number' && descriptor.size !== bytes.length) {
        throw new errors/* VerifyImageError */.Vi('local', `${what}: ${path} is ${bytes.length} bytes but its descriptor says ${descriptor.size}: the layout is damaged`);
    }
    return bytes;
}
function missing(what, descriptor, path) {
    return new errors/* VerifyImageError */.Vi('local', `${what} lacks ${path} (${descriptor.mediaType}), which its index or manifest names: the layout is incomplete; export it again`);
}
function altered(what, path, actual, expected, mediaType) {
    return new errors/* VerifyImageError */.Vi('local', `${what}: ${kindOf(mediaType)}${path} hashes to ${actual}, not ${expected}: the blob was altered or damaged; export the image again`);
}
function kindOf(mediaType) {
    if (!mediaType)
        return '';
    if ((0,types/* isIndex */.nw)(mediaType))
        return 'index ';
    if ((0,types/* isImageManifest */.pJ)(mediaType))
        return 'manifest ';
    return /config/.test(mediaType) ? 'config ' : '';
}
function notJson(what, path) {
    return new errors/* VerifyImageError */.Vi('local', `${what}: ${path} is not a JSON document of at most a few MiB, as a manifest, index or config must be`);
}

;// CONCATENATED MODULE: ./src/local/oci.ts
// `oci-layout:DIR` and `oci-archive:PATH` sources: an OCI image layout as a directory or as a
// tarball (what `buildx --output type=oci` and `skopeo copy \u2026 oci:`/`oci-archive:` write),
// optionally narrowed to one image with `:TAG` or `@DIGEST`.





class OciLayoutSource {
    spec;
    dir;
    selector;
    kind = 'oci-layout';
    store;
    measured = new Map();
    constructor(spec, dir, selector) {
        this.spec = spec;
        this.dir = dir;
        this.selector = selector;
        this.store = new DirectoryStore(dir, `OCI layout ${dir}`);
    }
    async load(hint) {
        const info = await (0,promises_.stat)(this.dir).catch(() => undefined);
        if (!info?.isDirectory()) {
            throw new errors/* VerifyImageError */.Vi('local', `OCI layout ${this.dir} is not a directory: give the directory skopeo or buildx wrote (for a tarball use oci-archive:PATH)`);
        }
        return loadLayout(this.store, this.selector, hint, { reference: this.spec, source: `OCI layout ${this.dir}${describe(this.selector)}` });
    }
    measure(image) {
        return measureLayers(image, this.store, this.measured);
    }
    async close() { }
}
class OciArchiveSource {
    spec;
    file;
    selector;
    kind = 'oci-archive';
    store;
    measured = new Map();
    constructor(spec, file, selector) {
        this.spec = spec;
        this.file = file;
        this.selector = selector;
    }
    async load(hint) {
        const scan = await scanArchive(this.file, 'OCI archive');
        const store = new ArchiveStore(scan, `OCI archive ${this.file}`);
        this.store = store;
        return loadLayout(store, this.selector, hint, {
            reference: this.spec,
            source: `OCI archive ${this.file}${describe(this.selector)} (${mebibytes(scan.bytes)}, read once as a stream)`,
        });
    }
    measure(image) {
        if (!this.store)
            throw new Error('OciArchiveSource.measure before load');
        return measureLayers(image, this.store, this.measured);
    }
    async close() { }
}
function describe(selector) {
    if (selector.digest)
        return `@${selector.digest}`;
    if (selector.name !== undefined)
        return `:${selector.name}`;
    return '';
}
function mebibytes(bytes) {
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// EXTERNAL MODULE: ./src/local/pick.ts
var pick = __webpack_require__(4250);
;// CONCATENATED MODULE: ./src/local/archive.ts
// `docker-archive:PATH[:REF]`: a `docker save` tarball. Docker before 25 writes the legacy layout
// (`manifest.json`, `<config>.json`, `<dir>/layer.tar`, uncompressed); Docker 25 and later write an
// OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/\u2026`) with a `manifest.json` beside it,
// and we then read it as a layout, which carries manifest digests the legacy one lacks.
// Docker 25.0.0\u201325.0.2 wrote `"manifests": null` in that index.json (moby#47210): when the index
// lists nothing we read the complete `manifest.json` beside it, as `docker load` and skopeo do.
// The tarball is read once, as a stream (tar-scan.ts).










class DockerArchiveSource {
    spec;
    file;
    selector;
    kind = 'docker-archive';
    store;
    measured = new Map();
    constructor(spec, file, selector) {
        this.spec = spec;
        this.file = file;
        this.selector = selector;
    }
    async load(hint) {
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
            source: `docker save archive ${this.file}${describe(this.selector)} (${memberAt(scan, 'index.json') ? 'manifest.json: its index.json lists no manifests, as Docker 25.0.0\u201325.0.2 wrote it' : 'legacy layout'}; ${size}, read once as a stream)`,
        });
        return { kind: 'image', image };
    }
    async measure(image) {
        // The legacy layout's layers were measured during the scan; the OCI layout's are looked up.
        if (this.store)
            await measureLayers(image, this.store, this.measured);
    }
    async close() { }
}
/** Whether the archive's index.json lists any manifest; Docker 25.0.0\u201325.0.2 wrote `"manifests": null`. */
function listsManifests(scan) {
    const index = memberAt(scan, 'index.json');
    if (!index)
        return false;
    // Without manifest.json to fall back to, the layout reader reports what is wrong with index.json.
    if (!memberAt(scan, 'manifest.json') || !index.measure.json)
        return true;
    const parsed = parseJson(index.measure.json, `docker-archive ${scan.file}: index.json`);
    return !(parsed.manifests === null || (Array.isArray(parsed.manifests) && parsed.manifests.length === 0));
}
function legacyImage(scan, selector, hint, context) {
    const what = `docker-archive ${scan.file}`;
    const manifestMember = memberAt(scan, 'manifest.json');
    if (!manifestMember) {
        throw new errors/* VerifyImageError */.Vi('local', `${what} has neither manifest.json nor index.json: it is not a docker save archive (for an OCI layout tarball use oci-archive:PATH)`);
    }
    if (!manifestMember.measure.json)
        throw new errors/* VerifyImageError */.Vi('local', `${what}: manifest.json is not JSON`);
    const saved = parseJson(manifestMember.measure.json, `${what}: manifest.json`, 'docker-save manifest');
    if (!Array.isArray(saved) || saved.length === 0)
        throw new errors/* VerifyImageError */.Vi('local', `${what}: manifest.json lists no images`);
    const entry = chooseSaved(scan, saved, selector, hint, what);
    const configMember = memberAt(scan, entry.Config);
    if (!configMember?.measure.json)
        throw new errors/* VerifyImageError */.Vi('local', `${what} lacks the config ${entry.Config} that manifest.json names: the archive is incomplete`);
    const configDigest = configMember.measure.digest;
    // The legacy layout names the config by its digest (the image ID): a renamed or edited config shows here.
    const named = /([a-f0-9]{64})(?:\.json)?$/.exec(external_node_path_.posix.basename(entry.Config))?.[1];
    if (named && `sha256:${named}` !== configDigest) {
        throw new errors/* VerifyImageError */.Vi('local', `${what}: config ${entry.Config} hashes to ${configDigest}, not the image ID its name says: the archive was altered; save it again`);
    }
    const config = parseJson(configMember.measure.json, `${what}: ${entry.Config}`, 'config');
    const problem = (0,model_image/* imageConfigProblem */.fE)(config);
    if (problem?.kind === 'not-image')
        throw new errors/* VerifyImageError */.Vi('local', `${what}: ${entry.Config} ${problem.message}`);
    if (problem)
        throw new errors/* VerifyImageError */.Vi('local', `${what}: ${entry.Config}: ${problem.message}: the archive is damaged`);
    if (!Array.isArray(entry.Layers))
        throw new errors/* VerifyImageError */.Vi('local', `${what}: manifest.json lists no layers for ${entry.Config}`);
    const layers = entry.Layers.map((path) => {
        const member = memberAt(scan, path);
        if (!member)
            throw new errors/* VerifyImageError */.Vi('local', `${what} lacks the layer ${path} that manifest.json names: the archive is incomplete`);
        const measured = measureOnly(member.measure);
        return {
            // No manifest: nothing claims a digest for the blob, only the config's diff_id claims its content.
            descriptor: { mediaType: (0,media_type/* dockerLayerMediaType */.O7)(measured.compression), digest: measured.digest, size: measured.size },
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
        ...(0,model_image/* platformView */.pZ)(config),
        repoDigests: [],
        configDigest,
        config,
        layers,
    };
}
function chooseSaved(scan, saved, selector, hint, what) {
    const names = () => saved.map((s) => s.RepoTags?.[0] ?? s.Config).join(', ');
    if (selector.digest) {
        const found = saved.find((s) => memberAt(scan, s.Config)?.measure.digest === selector.digest);
        if (found)
            return found;
        throw new errors/* VerifyImageError */.Vi('local', `${what} has no image with ID ${selector.digest} (it holds ${names()}): check the digest after "@"`);
    }
    if (selector.name !== undefined) {
        const wanted = selector.name;
        const found = saved.filter((s) => (s.RepoTags ?? []).some((tag) => (0,pick/* sameRepoTag */.F)(tag, wanted)));
        if (found.length === 1)
            return found[0];
        throw new errors/* VerifyImageError */.Vi('local', `${what} has no image tagged "${wanted}" (it holds ${names()}): check the name after the path`);
    }
    if (saved.length === 1)
        return saved[0];
    if (hint.image) {
        const pushed = hint.image;
        const found = saved.filter((s) => (s.RepoTags ?? []).some((tag) => (0,pick/* sameRepoTag */.F)(tag, pushed)));
        if (found.length === 1)
            return found[0];
    }
    throw new errors/* VerifyImageError */.Vi('local', `${what} holds ${saved.length} images (${names()}): name one with docker-archive:PATH:REPO:TAG, or save only the one to verify`);
}

// EXTERNAL MODULE: ./src/registry/undici.ts
var undici = __webpack_require__(199);
;// CONCATENATED MODULE: ./src/local/engine.ts
// A small Docker Engine API client over undici: the unix socket by default, tcp when DOCKER_HOST
// says so. We only read: /info (which image store), /version (API level), /images/{name}/json and,
// when an older containerd-store daemon cannot list an image's platforms, /images/{name}/get (the
// image as a tar stream, read once and never written to disk).


class DockerEngine {
    client;
    host;
    apiVersion;
    constructor(client, host) {
        this.client = client;
        this.host = host;
    }
    static fromEnv(env = process.env) {
        const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
        if (host.startsWith('unix://')) {
            const socketPath = host.slice('unix://'.length);
            return new DockerEngine(new undici/* Client */.Kj('http://localhost', { socketPath, headersTimeout: 60_000, bodyTimeout: 60_000 }), host);
        }
        if (host.startsWith('tcp://') || host.startsWith('http://')) {
            if (env.DOCKER_TLS_VERIFY) {
                throw new errors/* VerifyImageError */.Vi('local', (w) => `DOCKER_HOST ${host} with TLS is not supported yet: use a unix socket, or ${w.setting('local-image', 'none')}`);
            }
            return new DockerEngine(new undici/* Client */.Kj(host.replace(/^tcp:/, 'http:'), { headersTimeout: 60_000, bodyTimeout: 60_000 }), host);
        }
        throw new errors/* VerifyImageError */.Vi('local', `DOCKER_HOST ${host} is not supported: use unix:///path/to/docker.sock or tcp://host:port`);
    }
    async close() {
        await this.client.close().catch(() => undefined);
    }
    async request(path) {
        try {
            return await this.client.request({ method: 'GET', path: `${this.prefix()}${path}` });
        }
        catch (err) {
            const code = err.code ?? (err instanceof Error ? err.message : String(err));
            throw new errors/* VerifyImageError */.Vi('local', (w) => `no Docker daemon answers at ${this.host} (${code}): start Docker, set DOCKER_HOST, or set ${w.setting('local-image', 'none')} to skip the local comparison`);
        }
    }
    async get(path, allow404 = false) {
        const res = await this.request(path);
        const text = await res.body.text();
        if (res.statusCode === 404 && allow404)
            return undefined;
        if (res.statusCode !== 200)
            throw this.failure(res.statusCode, path, text);
        return JSON.parse(text);
    }
    failure(status, path, text) {
        let message = text.trim();
        try {
            message = JSON.parse(text).message ?? message;
        }
        catch {
            // plain text error
        }
        return new errors/* VerifyImageError */.Vi('local', `Docker daemon answered ${status} for ${path.split('?')[0]}: ${message.slice(0, 200)}`);
    }
    prefix() {
        return this.apiVersion ? `/v${this.apiVersion}` : '';
    }
    /** The daemon's API version; requests are pinned to it so newer query parameters are used only when offered. */
    async version() {
        if (!this.apiVersion) {
            const v = await this.get('/version');
            this.apiVersion = v?.ApiVersion;
        }
        return this.apiVersion ?? '1.24';
    }
    async info() {
        return (await this.get('/info')) ?? {};
    }
    /** `GET /images/{name}/json`, undefined when the image does not exist. */
    async inspectImage(name, query = {}) {
        const qs = new URLSearchParams(query).toString();
        return this.get(`/images/${imagePath(name)}/json${qs ? `?${qs}` : ''}`, true);
    }
    /** `GET /images/{name}/history`, undefined when the image does not exist. */
    async imageHistory(name) {
        return this.get(`/images/${imagePath(name)}/history`, true);
    }
    /** `GET /images/{name}/get`: what `docker save` writes, as the stream the daemon sends it. */
    async exportImage(name) {
        const path = `/images/${imagePath(name)}/get`;
        const res = await this.request(path);
        if (res.statusCode !== 200)
            throw this.failure(res.statusCode, path, (await res.body.text()).slice(0, 4096));
        return res.body;
    }
}
// Docker's own client sends the name unescaped; escape only what could break the path.
function imagePath(name) {
    return name.replace(/[^A-Za-z0-9._\-/:@]/g, (c) => encodeURIComponent(c));
}
/** True when the daemon stores images in containerd (Id is then a manifest or index digest). */
function usesContainerdStore(info) {
    return (info.DriverStatus ?? []).some(([key, value]) => key === 'driver-type' && value === 'io.containerd.snapshotter.v1');
}
function apiAtLeast(version, wanted) {
    const [a = 0, b = 0] = version.split('.').map(Number);
    const [c = 0, d = 0] = wanted.split('.').map(Number);
    return a > c || (a === c && b >= d);
}

;// CONCATENATED MODULE: ./src/local/daemon.ts
// The local build as the Docker daemon holds it: `docker inspect` through the Engine API.
// The classic store's Id is the config digest; the containerd store's Id is a manifest or index
// digest, so we ask /info which store is in use rather than guess from the Id. The containerd
// store can hold a multi-platform image: with API 1.48 (`manifests=1`) we list its platform
// manifests and attestations, with API 1.49 (`platform=`) we read each platform's diff_ids.
// Below 1.48 (Docker 25\u201327) inspect names only the top-level ID and one platform's layers: once the
// registry's top-level digest is known, an ID equal to it proves the index byte for byte, and the
// platforms are read from the daemon's image export (`docker save`, streamed, never extracted).








class DaemonSource {
    spec;
    engine;
    kind = 'daemon';
    /** The top-level image of a containerd store too old to list platforms, until complete() expands it. */
    unexpanded;
    /** The image export, when one was read: its layer blobs were hashed on the way. */
    exported;
    measured = new Map();
    constructor(spec, engine) {
        this.spec = spec;
        this.engine = engine;
    }
    async load(hint) {
        const version = await this.engine.version();
        const containerd = usesContainerdStore(await this.engine.info());
        if (!containerd || (hint.platform && apiAtLeast(version, '1.49'))) {
            return { kind: 'image', image: await inspectDaemonImage(this.spec, this.engine, hint.platform) };
        }
        // The run picks the platform asked for out of the index.
        if (apiAtLeast(version, '1.48'))
            return containerdTarget(this.spec, this.engine, version);
        const image = await inspectDaemonImage(this.spec, this.engine);
        this.unexpanded = image;
        return { kind: 'image', image };
    }
    /**
     * The containerd store before API 1.48: its ID is an index or a manifest digest, we cannot tell
     * which. Equal to what the tag serves, it proves that document; a one-platform index then needs
     * nothing more (inspect described that platform). Otherwise the export holds the local index.
     */
    async complete(target, pushed) {
        const top = this.unexpanded;
        this.unexpanded = undefined;
        if (!top || target.kind !== 'image' || target.image !== top)
            return target;
        const registry = await pushed();
        if (top.id === registry.digest) {
            if (!registry.index) {
                return { kind: 'image', image: { ...top, manifestDigest: registry.digest, manifestMediaType: registry.mediaType } };
            }
            const entries = platformEntries(registry.index);
            const only = entries.length === 1 ? entries[0] : undefined;
            if (only?.platform && samePlatform(only.platform, top.platform)) {
                return {
                    kind: 'image',
                    image: {
                        ...top,
                        manifestDigest: only.digest,
                        manifestMediaType: only.mediaType,
                        source: `${top.source}; its ID is the pushed index ${registry.digest}, whose one platform manifest is ${only.digest}`,
                    },
                };
            }
        }
        return this.fromExport(top, registry);
    }
    async fromExport(top, registry) {
        const name = top.foundAs ?? this.spec;
        const version = await this.engine.version();
        const scan = await scanTarStream(await this.engine.exportImage(name), name, 'the Docker image export of');
        const store = new ArchiveStore(scan, `the Docker image export of ${name}`);
        this.exported = store;
        const proved = top.id === registry.digest ? `; its ID is the pushed index ${registry.digest}` : '';
        const loaded = await loadLayout(store, {}, { image: name }, {
            reference: this.spec,
            source: `Docker daemon ${this.engine.host} (containerd image store, API ${version}: platforms read from the image export, ${mebibytes(scan.bytes)} streamed${proved})`,
        });
        const exportedDigest = loaded.kind === 'index' ? loaded.index.digest : loaded.image.manifestDigest;
        if (exportedDigest !== top.id) {
            throw new errors/* VerifyImageError */.Vi('local', `the Docker daemon exported ${exportedDigest ?? 'an image without a digest'} for ${name}, but its image ID is ${top.id}: the tag moved while it was read; run again`);
        }
        for (const image of loaded.kind === 'index' ? loaded.index.images : [loaded.image]) {
            image.repoDigests = top.repoDigests;
            if (top.foundAs)
                image.foundAs = top.foundAs;
        }
        // One image: the containerd store's ID is its manifest digest (the export gave config and layers too).
        if (loaded.kind === 'image')
            loaded.image = { ...loaded.image, id: top.id, idKind: 'manifest' };
        return loaded;
    }
    /** The daemon's blobs can be read only through an export; when one was read, its layers were hashed. */
    async measure(image) {
        if (this.exported)
            await measureLayers(image, this.exported, this.measured);
    }
    close() {
        return this.engine.close();
    }
}
async function inspectDaemonImage(name, engine, platform) {
    const version = await engine.version();
    const containerd = usesContainerdStore(await engine.info());
    const query = {};
    // Only the containerd store holds several platforms under one name; ask for ours when the API can.
    if (containerd && platform && apiAtLeast(version, '1.49')) {
        query.platform = JSON.stringify((0,oci_platform/* normalizePlatform */.FL)(platform));
    }
    const { image, foundAs } = await findImage(name, engine, query);
    const diffIds = image.RootFS?.Layers ?? [];
    if (diffIds.length === 0) {
        throw new errors/* VerifyImageError */.Vi('local', `local image "${name}" reports no layers (RootFS.Layers is empty); the daemon cannot tell what it is built from`);
    }
    const localPlatform = platformOf(image);
    const local = {
        reference: name,
        source: `Docker daemon ${engine.host} (${containerd ? 'containerd image store' : 'classic image store'}, API ${version}, platform ${(0,oci_platform/* formatPlatform */.Bq)(localPlatform)})${foundAs ? foundAsNote(name, foundAs) : ''}`,
        id: image.Id,
        idKind: containerd ? 'manifest' : 'config',
        diffIds,
        platform: localPlatform,
        repoDigests: image.RepoDigests ?? [],
    };
    if (foundAs)
        local.foundAs = foundAs;
    if (image.Created)
        local.created = image.Created;
    // The classic store keeps no config we can read: its history names each local layer's instruction (the report only).
    if (!containerd) {
        const history = await daemonHistory(engine, image.Id, diffIds.length);
        if (history)
            local.history = history;
    }
    if (containerd && image.Descriptor && (0,types/* isImageManifest */.pJ)(image.Descriptor.mediaType)) {
        local.manifestDigest = image.Descriptor.digest;
        local.manifestMediaType = image.Descriptor.mediaType;
    }
    if (!containerd)
        local.configDigest = image.Id;
    return local;
}
/**
 * The image's build history from the daemon, oldest first, as config history entries; undefined
 * when the daemon gives none or its entries cannot be paired with the layers (the API marks no
 * entry as empty: an entry with no bytes is taken as one, so the layered entries must count
 * exactly the diff_ids). Informational: a daemon that cannot answer costs nothing but the names.
 */
async function daemonHistory(engine, id, layers) {
    const entries = await engine.imageHistory(id).catch(() => undefined);
    if (!Array.isArray(entries))
        return undefined;
    const history = [...entries].reverse().map((entry) => ({
        ...(typeof entry.Created === 'number' && entry.Created > 0 ? { created: new Date(entry.Created * 1000).toISOString() } : {}),
        ...(typeof entry.CreatedBy === 'string' ? { created_by: entry.CreatedBy } : {}),
        ...(entry.Size ? {} : { empty_layer: true }),
    }));
    return history.filter((h) => !h.empty_layer).length === layers ? history : undefined;
}
/**
 * `GET /images/{name}/json`, and for `name:tag@digest` that the daemon does not know, `name:tag`:
 * podman's API names an image by the manifest digest podman computed before pushing, not by what
 * the registry stored, so the pushed digest finds nothing there. The digest is still checked, on the
 * registry side, as for any reference.
 */
async function findImage(name, engine, query) {
    const image = await engine.inspectImage(name, query);
    if (image)
        return { image };
    const tagged = taggedName(name);
    const fallback = tagged ? await engine.inspectImage(tagged, query) : undefined;
    if (fallback && tagged)
        return { image: fallback, foundAs: tagged };
    throw notFound(name, engine);
}
/** `repo:tag` out of `repo:tag@sha256:\u2026`; undefined when the name has no tag before its digest. */
function taggedName(name) {
    const at = name.lastIndexOf('@');
    if (at <= 0)
        return undefined;
    const before = name.slice(0, at);
    const colon = before.lastIndexOf(':');
    return colon > before.lastIndexOf('/') ? before : undefined;
}
function foundAsNote(name, foundAs) {
    return `; found as ${foundAs}, as no image is named ${name} there`;
}
/** The containerd store's view: an index with its platform images and attestations, or one image. */
async function containerdTarget(name, engine, version) {
    const { image: top, foundAs } = await findImage(name, engine, { manifests: '1' });
    const lookup = foundAs ?? name;
    const summaries = top.Manifests ?? [];
    const platformImages = summaries.filter((m) => m.Kind === 'image');
    if (!top.Descriptor || !(0,types/* isIndex */.nw)(top.Descriptor.mediaType) || platformImages.length === 0) {
        return { kind: 'image', image: await inspectDaemonImage(name, engine) };
    }
    const withPlatform = apiAtLeast(version, '1.49');
    const best = platformOf(top);
    const source = `Docker daemon ${engine.host} (containerd image store, API ${version}, ${platformImages.length} platform${platformImages.length === 1 ? '' : 's'})${foundAs ? foundAsNote(name, foundAs) : ''}`;
    const images = [];
    for (const summary of platformImages) {
        const platform = (0,oci_platform/* normalizePlatform */.FL)(summary.ImageData?.Platform ?? summary.Descriptor.platform ?? best);
        let diffIds;
        if (summary.Available && withPlatform) {
            const one = await engine.inspectImage(lookup, { platform: JSON.stringify(platform) });
            // The daemon picks by platform; trust its diff_ids only for the manifest we listed.
            if (one?.Id === summary.ID && one.RootFS?.Layers?.length)
                diffIds = one.RootFS.Layers;
        }
        else if (summary.Available && samePlatform(platform, best) && top.RootFS?.Layers?.length) {
            // API 1.48 cannot ask per platform, but the top-level inspect describes the best-matching one.
            diffIds = top.RootFS.Layers;
        }
        const image = platformImage(name, source, summary, platform, diffIds, top.RepoDigests ?? []);
        if (foundAs)
            image.foundAs = foundAs;
        images.push(image);
    }
    const index = {
        reference: name,
        source,
        digest: top.Descriptor.digest,
        mediaType: top.Descriptor.mediaType,
        images,
        attestations: summaries
            .filter((m) => m.Kind === 'attestation')
            .map((m) => ({ digest: m.ID, subject: m.AttestationData?.For ?? '' })),
    };
    return { kind: 'index', index };
}
function platformImage(name, source, summary, platform, diffIds, repoDigests) {
    const image = {
        reference: name,
        source,
        id: summary.ID,
        idKind: 'manifest',
        diffIds: diffIds ?? [],
        platform,
        repoDigests,
        manifestDigest: summary.Descriptor.digest,
        manifestMediaType: summary.Descriptor.mediaType,
    };
    if (!diffIds)
        image.diffIdsUnknown = true;
    return image;
}
function platformOf(image) {
    return (0,oci_platform/* normalizePlatform */.FL)({ os: image.Os, architecture: image.Architecture, variant: image.Variant || undefined });
}
/** The index's platform images, as runtimes choose among them (attestations are not images to run). */
function platformEntries(index) {
    const manifests = Array.isArray(index.manifests) ? index.manifests : [];
    return manifests.filter((d) => d !== null && typeof d === 'object' && (0,types/* isImageManifest */.pJ)(d.mediaType) && !(0,types/* isAttestation */.H3)(d) && Boolean(d.platform?.os && d.platform?.architecture));
}
function samePlatform(a, b) {
    return (0,oci_platform/* formatPlatform */.Bq)((0,oci_platform/* normalizePlatform */.FL)(a)) === (0,oci_platform/* formatPlatform */.Bq)((0,oci_platform/* normalizePlatform */.FL)(b));
}
function notFound(name, engine) {
    return new errors/* VerifyImageError */.Vi('not-found', (w) => `local image "${name}" not found in the Docker daemon at ${engine.host}: build or load it first${w.cli ? '' : ' (build-push-action needs load: true)'}, set ${w.name('local-image')} to the local tag, use docker-archive:, oci-layout: or oci-archive: for a build that was exported, or set ${w.setting('local-image', 'none')}`);
}

;// CONCATENATED MODULE: ./src/local/open.ts
// The `local-image` value \u2192 an ImageSource. A prefix names the kind of source; without one the
// value is a Docker daemon reference, as before:
//   docker-archive:PATH[:REF]          a `docker save` tarball (legacy or Docker 25+ OCI layout)
//   oci-layout:DIR[:TAG|@DIGEST]       an OCI image layout directory
//   oci-archive:PATH[:TAG|@DIGEST]     an OCI image layout tarball (buildx --output type=oci)
//   docker-daemon:REF or REF           an image in the Docker daemon
// A path may itself contain ':'; the first split whose path exists wins, as skopeo's does not.







const PREFIXES = {
    'docker-archive:': 'docker-archive',
    'oci-layout:': 'oci-layout',
    'oci-archive:': 'oci-archive',
    'docker-daemon:': 'daemon',
};
/** Parses a `local-image` value; `exists` decides where a path ends when it could end at several colons. */
function parseLocalSpec(spec, exists = external_node_fs_.existsSync) {
    const value = spec.trim();
    const prefix = Object.keys(PREFIXES).find((p) => value.startsWith(p));
    if (!prefix)
        return { kind: 'daemon', target: value, selector: {} };
    const kind = PREFIXES[prefix];
    const rest = value.slice(prefix.length);
    if (kind === 'daemon') {
        if (!rest)
            throw new errors/* VerifyImageError */.Vi('input', (w) => `${w.name('local-image')} "${value}" names no image: write docker-daemon:REPOSITORY:TAG`);
        return { kind, target: rest, selector: {} };
    }
    if (!rest)
        throw new errors/* VerifyImageError */.Vi('input', (w) => `${w.name('local-image')} "${value}" names no path: write ${prefix}PATH`);
    return { kind, ...splitPath(rest, exists) };
}
function openLocalSource(spec, env = process.env) {
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
function splitPath(rest, exists) {
    const at = rest.lastIndexOf('@');
    if (at > 0 && (0,reference/* isValidDigest */.fH)(rest.slice(at + 1)) && !exists(rest)) {
        return { target: rest.slice(0, at), selector: { digest: rest.slice(at + 1) } };
    }
    if (exists(rest))
        return { target: rest, selector: {} };
    // The first colon after which the path exists ends the path; what follows names the image.
    for (let i = rest.indexOf(':'); i > 0; i = rest.indexOf(':', i + 1)) {
        const path = rest.slice(0, i);
        const name = rest.slice(i + 1);
        if (name && exists(path))
            return { target: path, selector: { name } };
    }
    // Nothing exists: report the path as written; the source says it is missing.
    return { target: rest, selector: {} };
}


/***/ })

};

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VerifyImageError } from '../../src/errors.js';
import { decodeDocument, decodeStrict, foldName, StrictJsonError, type DocumentKind } from '../../src/oci/strict-json.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Go's bytes.EqualFold pairs (encoding/json matches struct fields with it) and pairs it keeps apart. */
const folds: Array<[string, string, boolean]> = [
  ['layers', 'LAYERS', true],
  ['layers', 'Layers', true],
  ['mediaType', 'MEDIATYPE', true],
  ['layers', 'layer\u017f', true], // LATIN SMALL LETTER LONG S folds to s
  ['kind', '\u212aind', true], // KELVIN SIGN folds to k
  ['\u03c3', '\u03c2', true], // σ and final ς: one orbit with Σ
  ['\u00b5', '\u039c', true], // MICRO SIGN, GREEK CAPITAL MU
  ['\u01c4', '\u01c5', true], // Ǆ and its title case ǅ
  ['\u00df', '\u1e9e', true], // ß and ẞ
  ['\u0131', 'I', false], // dotless ı has no simple fold to I
  ['\u0130', 'i', false], // dotted İ neither
  ['os.version', 'OS.VERSION', true],
  ['diff_ids', 'diff-ids', false], // Go v1 does not ignore "_" and "-"
  ['ss', '\u00df', false], // full folding only
];
for (const [a, b, equal] of folds) {
  test(`foldName(${JSON.stringify(a)}) ${equal ? '==' : '!='} foldName(${JSON.stringify(b)}), as Go's EqualFold`, () => {
    assert.equal(foldName(a) === foldName(b), equal);
  });
}

/** Documents Go and JSON.parse read alike: decoded exactly as JSON.parse decodes them. */
const accepted: Array<[DocumentKind, string]> = [
  ['manifest', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a/b","digest":"sha256:x","size":1},"layers":[]}'],
  ['manifest', '{"manifests":[{"digest":"d","platform":{"os":"linux","architecture":"amd64","os.features":["b","a"]}}],"annotations":{"a":"1","A":"2"}}'],
  ['manifest', '{"a":"\\ud83d\\ude00 \\u00e9 \\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t","n":[-0,1.5,2e3,-1E-2,0.0],"t":true,"f":false,"z":null}'],
  ['manifest', ' \r\n\t{ "__proto__" : { "polluted" : true } } \n'],
  ['manifest', '{"ﬀ":1,"ff":2}'], // U+FB00 has only a full (multi-letter) fold: Go keeps them apart
  ['config', '{"config":{"Labels":{"maintainer":"a","Maintainer":"b"},"Volumes":{"/Data":{},"/data":{}},"ExposedPorts":{"80/tcp":{}}}}'],
  ['config', '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"history":[{"created_by":"x","empty_layer":true}]}'],
  ['token response', '{"token":"t","access_token":"t","expires_in":300,"issued_at":"2026-01-01T00:00:00Z"}'],
  ['in-toto statement', '{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"x","digest":{"sha256":"ab"}}],"predicate":{"args":{"build-arg:A":"1","build-arg:a":"2"}}}'],
  ['docker-save manifest', '[{"Config":"c.json","RepoTags":["a:1"],"Layers":["l/layer.tar"],"LayerSources":{"sha256:a":{"mediaType":"a/b","digest":"sha256:a","size":1}}}]'],
  ['manifest', '[]'],
  ['manifest', '"text"'],
];
for (const [kind, text] of accepted) {
  test(`decodeStrict(${kind}) reads ${text.slice(0, 60)} as JSON.parse does`, () => {
    assert.deepEqual(decodeStrict(bytes(text), kind), JSON.parse(text));
  });
}

test('decodeStrict keeps "__proto__" as data, never as the prototype', () => {
  const value = decodeStrict(bytes('{"__proto__":{"polluted":true}}'), 'manifest') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

/** Documents Go would read differently from JSON.parse, or refuse: each refused with the reason. */
const refused: Array<[string, DocumentKind, string | Uint8Array, RegExp, boolean]> = [
  ['a key-case twin of layers', 'manifest', '{"schemaVersion":2,"layers":[],"Layers":[]}', /^ambiguous manifest: both "layers" and "Layers": Docker would read the second$/, true],
  ['a key-case twin of manifests', 'manifest', '{"manifests":[],"Manifests":[]}', /both "manifests" and "Manifests"/, true],
  ['a key-case twin of config', 'manifest', '{"config":{},"CONFIG":{}}', /both "config" and "CONFIG"/, true],
  ['a key-case twin of an index entry digest', 'manifest', '{"manifests":[{"digest":"a","Digest":"b"}]}', /both "digest" and "Digest" in \$\.manifests\[0\]: Docker would read the second/, true],
  ['a key-case twin of mediaType', 'manifest', '{"mediaType":"a","MediaType":"b"}', /both "mediaType" and "MediaType"/, true],
  ['a key-case twin of platform.architecture', 'manifest', '{"manifests":[{"platform":{"architecture":"amd64","Architecture":"arm64"}}]}', /in \$\.manifests\[0\]\.platform/, true],
  ['Layers alone', 'manifest', '{"schemaVersion":2,"Layers":[]}', /^ambiguous manifest: "Layers" is not "layers": Docker would read it as "layers", JSON\.parse would not$/, true],
  ['Manifests alone', 'manifest', '{"Manifests":[]}', /"Manifests" is not "manifests"/, true],
  ['Digest alone in a layer', 'manifest', '{"layers":[{"Digest":"sha256:x"}]}', /"Digest" in \$\.layers\[0\] is not "digest"/, true],
  ['layers spelt with a long s', 'manifest', '{"layer\u017f":[]}', /"layer\\u017f" is not "layers"/, true],
  ['an index entry size spelt with a long s', 'manifest', '{"manifests":[{"\u017fize":1}]}', /"\\u017fize" in \$\.manifests\[0\] is not "size"/, true],
  ['a key-case twin in an unknown object', 'manifest', '{"x":{"a":1,"A":2}}', /both "a" and "A" in \$\.x: Go would read them as one field/, true],
  ['an exact duplicate key', 'manifest', '{"layers":[],"layers":[]}', /"layers" appears twice: Docker would read the last/, true],
  ['an exact duplicate annotation', 'manifest', '{"annotations":{"a":"1","a":"2"}}', /"a" appears twice in \$\.annotations/, true],
  ['RootFS beside rootfs in a config', 'config', '{"rootfs":{"type":"layers","diff_ids":[]},"RootFS":{"type":"layers","diff_ids":[]}}', /both "rootfs" and "RootFS"/, true],
  ['RootFS alone in a config', 'config', '{"RootFS":{"type":"layers","diff_ids":[]}}', /"RootFS" is not "rootfs"/, true],
  ['Diff_IDs in a config', 'config', '{"rootfs":{"type":"layers","Diff_IDs":[]}}', /"Diff_IDs" in \$\.rootfs is not "diff_ids"/, true],
  ['labels in a container config', 'config', '{"config":{"labels":{}}}', /"labels" in \$\.config is not "Labels"/, true],
  ['Token beside token', 'token response', '{"token":"a","Token":"b"}', /both "token" and "Token"/, true],
  ['config in a docker save manifest.json', 'docker-save manifest', '[{"config":"x.json","Layers":[]}]', /"config" in \$\[0\] is not "Config"/, true],
  ['Subject in an in-toto statement', 'in-toto statement', '{"subject":[],"Subject":[]}', /both "subject" and "Subject"/, true],
  ['invalid UTF-8', 'manifest', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /it is not valid UTF-8, and Go would read the bad bytes as U\+FFFD/, true],
  ['a lone high surrogate escape', 'manifest', '{"a":"\\ud800"}', /a lone surrogate \\ud800 in a string in \$\.a/, true],
  ['a lone low surrogate escape in a key', 'manifest', '{"\\udc00":1}', /a lone surrogate \\udc00/, true],
  ['a byte-order mark', 'manifest', '\ufeff{}', /is not valid JSON/, false],
  ['a size that is not a whole number', 'manifest', '{"layers":[{"size":1.0}]}', /"size" in \$\.layers\[0\]\.size is 1\.0, not a whole number/, false],
  ['a schemaVersion in exponent form', 'manifest', '{"schemaVersion":2e0}', /not a whole number/, false],
  ['a trailing comma', 'manifest', '{"a":1,}', /is not valid JSON/, false],
  ['data after the value', 'manifest', '{} {}', /data after the JSON value/, false],
  ['a raw control character in a string', 'manifest', '{"a":"x\ny"}', /control character/, false],
  ['an invalid escape', 'manifest', '{"a":"\\x"}', /invalid escape/, false],
  ['single quotes', 'manifest', "{'a':1}", /is not valid JSON/, false],
  ['a leading zero', 'manifest', '{"a":01}', /is not valid JSON/, false],
  ['NaN', 'manifest', '{"a":NaN}', /is not valid JSON/, false],
  ['a number out of range', 'manifest', '{"a":1e400}', /out of range/, false],
  ['empty input', 'manifest', '', /is not valid JSON/, false],
  ['nesting deeper than 512', 'manifest', '['.repeat(600) + ']'.repeat(600), /nests deeper than 512/, false],
];
for (const [name, kind, input, message, ambiguous] of refused) {
  test(`decodeStrict refuses ${name}`, () => {
    assert.throws(
      () => decodeStrict(typeof input === 'string' ? bytes(input) : input, kind),
      (err: unknown) => {
        assert.ok(err instanceof StrictJsonError);
        assert.match(err.message, message);
        assert.equal(err.ambiguous, ambiguous);
        assert.doesNotMatch(err.message, /[\r\n]/);
        return true;
      },
    );
  });
}

test('decodeDocument names the document and makes ambiguity from a registry an integrity error', () => {
  assert.throws(
    () => decodeDocument(bytes('{"layers":[],"Layers":[]}'), 'manifest', 'manifest of r/app:1', 'protocol'),
    (err: unknown) =>
      err instanceof VerifyImageError &&
      err.code === 'integrity' &&
      /^manifest of r\/app:1: ambiguous manifest: both "layers" and "Layers": Docker would read the second; do not trust this tag/.test(err.message),
  );
  assert.throws(
    () => decodeDocument(bytes('{'), 'manifest', 'manifest of r/app:1', 'protocol'),
    (err: unknown) => err instanceof VerifyImageError && err.code === 'protocol' && /^manifest of r\/app:1: it is not valid JSON .*; refusing it$/.test(err.message),
  );
  assert.throws(
    () => decodeDocument(bytes('{"Layers":[]}'), 'manifest', 'OCI layout out: manifest sha256:1', 'local'),
    (err: unknown) => err instanceof VerifyImageError && err.code === 'local' && /export or save it again$/.test(err.message),
  );
});

test('keys from a document are quoted and escaped in messages, never raw', () => {
  assert.throws(
    () => decodeStrict(bytes('{"x\\n::error::pwn":1,"X\\n::ERROR::PWN":2}'), 'manifest'),
    (err: unknown) => err instanceof StrictJsonError && !/[\r\n]/.test(err.message) && err.message.includes('"x\\n::error::pwn"'),
  );
});

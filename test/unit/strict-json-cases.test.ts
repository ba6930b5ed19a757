// Go's encoding/json rules, case by case, where a decoder that read a document differently from
// Docker and containerd would let an attacker show us one image and the runtime another (issue 16):
// every document shape's Go fields (a key spelt in another case is refused wherever a struct reads
// it, maps keep exact keys), surrogate pairs and lone surrogates, the grammar around keys, commas
// and brackets, the nesting limit, and where a refusal points. Table-driven; each case states the
// whole outcome: the decoded value, or the exact one-line reason.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VerifyImageError } from '../../src/errors.js';
import { decodeDocument, decodeStrict, foldName, quote, StrictJsonError, type DocumentKind } from '../../src/oci/strict-json.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Read alike by Go and JSON.parse: decoded exactly as JSON.parse decodes them. */
const accepted: Array<[string, DocumentKind, string]> = [
  // whitespace wherever the grammar allows it
  ['an empty object with a space inside', 'manifest', '{ }'],
  ['an empty array with a space inside', 'manifest', '[ ]'],
  ['a space after a comma between keys', 'manifest', '{"a":1, "b":2}'],
  ['spaces around array items', 'manifest', '[ 1 , 2 ,\t3\n]'],
  ['numbers starting with 9 and 0', 'manifest', '{"a":9,"b":90,"c":-9.5e9,"d":0}'],
  // surrogate pairs: the first and last high and low surrogate
  ['the first surrogate pair (U+10000)', 'manifest', '{"a":"\\ud800\\udc00"}'],
  ['the last surrogate pair (U+10FFFF)', 'manifest', '{"a":"\\udbff\\udfff"}'],
  ['the first code point after the surrogates', 'manifest', '{"a":"\\ue000"}'],
  ['an escape before a letter u that is no escape', 'manifest', '{"a":"\\u0041xu"}'],
  ['a \\u escape followed by an escaped quote', 'manifest', '{"a":"\\u0041\\"u0000"}'],
  // maps keep Go's exact keys: entries that differ in case are two entries
  ['digest algorithms of an in-toto subject that differ in case', 'in-toto statement', '{"subject":[{"name":"x","digest":{"sha256":"a","SHA256":"b"}}]}'],
  ['free-form predicate keys that differ in case, in objects and arrays', 'in-toto statement', '{"predicate":{"x":{"a":1,"A":2},"l":[{"b":1,"B":2}]}}'],
  ['optional cosign keys that differ in case, nested', 'cosign payload', '{"critical":{"type":"cosign container image signature"},"optional":{"x":{"a":1,"A":2}}}'],
  ['a cosign payload with every Go field', 'cosign payload', '{"critical":{"identity":{"docker-reference":"r/app"},"image":{"docker-manifest-digest":"sha256:a"},"type":"t"},"optional":null}'],
  ['a token response with every Go field', 'token response', '{"token":"t","access_token":"a","expires_in":60,"issued_at":"2026-01-01T00:00:00Z","refresh_token":"r","scope":"repository:x:pull"}'],
  ['a healthcheck with every Go field', 'config', '{"config":{"Healthcheck":{"Test":["CMD","true"],"Interval":1,"Timeout":1,"StartPeriod":1,"StartInterval":1,"Retries":3}}}'],
  ['exposed ports and volumes whose keys differ in case', 'config', '{"config":{"ExposedPorts":{"80/tcp":{},"80/TCP":{}},"Volumes":{"/a":{},"/A":{}}}}'],
  ['history with every Go field', 'config', '{"history":[{"created":"c","created_by":"b","author":"a","comment":"m","empty_layer":true}]}'],
  ['a docker save manifest with every Go field', 'docker-save manifest', '[{"Config":"c","RepoTags":["a:1"],"Layers":["l"],"Parent":"p","LayerSources":{"sha256:a":{"mediaType":"m","digest":"sha256:a","size":1,"urls":["u"]}}}]'],
  // a value of the wrong Go type (an object or array where Go wants a string): Docker refuses
  // the document for its type; we read such an object's own keys exactly, as a map
  ['an object where an annotation string belongs, keys differing in case', 'manifest', '{"annotations":{"k":{"a":1,"A":2}}}'],
  ['objects where url strings belong, keys differing in case', 'manifest', '{"layers":[{"urls":[{"a":1,"A":2}]}]}'],
  ['an object where a label string belongs, keys differing in case', 'config', '{"config":{"Labels":{"k":{"a":1,"A":2}}}}'],
];
for (const [name, kind, text] of accepted) {
  test(`decodeStrict accepts ${name}`, () => {
    assert.deepEqual(decodeStrict(bytes(text), kind), JSON.parse(text));
  });
}

/** Go's bytes.EqualFold beyond Latin, Greek and Cyrillic: letters above the surrogates fold too. */
const folds: Array<[string, string, string]> = [
  ['fullwidth a and A', '\uff41', '\uff21'],
  ['fullwidth layers in both cases', '\uff4c\uff41\uff59\uff45\uff52\uff53', '\uff2c\uff21\uff39\uff25\uff32\uff33'],
  ['Deseret long i in both cases', '\u{10428}', '\u{10400}'],
  ['Osage a in both cases', '\u{104d8}', '\u{104b0}'],
  ['Adlam alif in both cases', '\u{1e922}', '\u{1e900}'],
];
for (const [name, lower, upper] of folds) {
  test(`foldName folds ${name} together, and a document with both keys is refused`, () => {
    assert.equal(foldName(lower), foldName(upper));
    assert.notEqual(foldName(lower), foldName('x'));
    assert.throws(() => decodeStrict(bytes(`{"x":{"${lower}":1,"${upper}":2}}`), 'manifest'), {
      message: `ambiguous manifest: both ${quote(lower)} and ${quote(upper)} in $.x: Go would read them as one field`,
    });
  });
}

/** Refused, with the whole message and whether Go and JSON.parse would disagree (ambiguous). */
const refused: Array<[string, DocumentKind, string, string, boolean]> = [
  // the platform of an index entry is a Go struct: its fields in another case are Docker's fields
  [
    'Architecture alone in an index entry platform',
    'manifest',
    '{"manifests":[{"platform":{"Architecture":"arm64"}}]}',
    'ambiguous manifest: "Architecture" in $.manifests[0].platform is not "architecture": Docker would read it as "architecture", JSON.parse would not',
    true,
  ],
  [
    'architecture twins in an index entry platform',
    'manifest',
    '{"manifests":[{"platform":{"architecture":"amd64","ARCHITECTURE":"arm64"}}]}',
    'ambiguous manifest: both "architecture" and "ARCHITECTURE" in $.manifests[0].platform: Docker would read the second',
    true,
  ],
  ['OS alone in a layer platform', 'manifest', '{"layers":[{"platform":{"OS":"windows"}}]}', 'ambiguous manifest: "OS" in $.layers[0].platform is not "os": Docker would read it as "os", JSON.parse would not', true],
  ['Variant in a config descriptor platform', 'manifest', '{"config":{"platform":{"Variant":"v7"}}}', 'ambiguous manifest: "Variant" in $.config.platform is not "variant": Docker would read it as "variant", JSON.parse would not', true],
  // schema1's fsLayers: read by no struct of ours, still no keys that fold together
  ['blobSum twins in schema1 fsLayers', 'manifest', '{"fsLayers":{"blobSum":"a","BlobSum":"b"}}', 'ambiguous manifest: both "blobSum" and "BlobSum" in $.fsLayers: Go would read them as one field', true],
  ['blobSum twins in a schema1 fsLayers entry', 'manifest', '{"fsLayers":[{"blobSum":"a","BLOBSUM":"b"}]}', 'ambiguous manifest: both "blobSum" and "BLOBSUM" in $.fsLayers[0]: Go would read them as one field', true],
  // exposed ports and volumes are maps of empty structs
  ['key twins inside an exposed port', 'config', '{"config":{"ExposedPorts":{"80/tcp":{"a":1,"A":2}}}}', 'ambiguous config: both "a" and "A" in $.config.ExposedPorts.80/tcp: Go would read them as one field', true],
  ['key twins inside a volume', 'config', '{"config":{"Volumes":{"/data":{"a":1,"A":2}}}}', 'ambiguous config: both "a" and "A" in $.config.Volumes./data: Go would read them as one field', true],
  ['test in a healthcheck', 'config', '{"config":{"Healthcheck":{"test":["CMD"]}}}', 'ambiguous config: "test" in $.config.Healthcheck is not "Test": Docker would read it as "Test", JSON.parse would not', true],
  ['retries in a container_config healthcheck', 'config', '{"container_config":{"Healthcheck":{"retries":1}}}', 'ambiguous config: "retries" in $.container_config.Healthcheck is not "Retries": Docker would read it as "Retries", JSON.parse would not', true],
  ['Created_By in a history entry', 'config', '{"history":[{"Created_By":"x"}]}', 'ambiguous config: "Created_By" in $.history[0] is not "created_by": Docker would read it as "created_by", JSON.parse would not', true],
  ['Empty_Layer in a later history entry', 'config', '{"history":[{},{"Empty_Layer":true}]}', 'ambiguous config: "Empty_Layer" in $.history[1] is not "empty_layer": Docker would read it as "empty_layer", JSON.parse would not', true],
  // token responses
  ['Token alone', 'token response', '{"Token":"t"}', 'ambiguous token response: "Token" is not "token": Docker would read it as "token", JSON.parse would not', true],
  ['Expires_In alone', 'token response', '{"token":"t","Expires_In":60}', 'ambiguous token response: "Expires_In" is not "expires_in": Docker would read it as "expires_in", JSON.parse would not', true],
  ['an expires_in that is not a whole number', 'token response', '{"token":"t","expires_in":1.5}', '"expires_in" in $.expires_in is 1.5, not a whole number: Docker would refuse it', false],
  // in-toto subjects
  ['Name in an in-toto subject', 'in-toto statement', '{"subject":[{"Name":"x"}]}', 'ambiguous in-toto statement: "Name" in $.subject[0] is not "name": Docker would read it as "name", JSON.parse would not', true],
  ['Digest in an in-toto subject', 'in-toto statement', '{"subject":[{"name":"x","Digest":{}}]}', 'ambiguous in-toto statement: "Digest" in $.subject[0] is not "digest": Docker would read it as "digest", JSON.parse would not', true],
  ['an exact duplicate inside the free-form predicate', 'in-toto statement', '{"predicate":{"a":[{"b":1,"b":2}]}}', 'ambiguous in-toto statement: "b" appears twice in $.predicate.a[0]: Docker would read the last', true],
  // cosign simple-signing payloads
  ['Critical alone', 'cosign payload', '{"Critical":{}}', 'ambiguous cosign payload: "Critical" is not "critical": Docker would read it as "critical", JSON.parse would not', true],
  ['Type in critical', 'cosign payload', '{"critical":{"Type":"t"}}', 'ambiguous cosign payload: "Type" in $.critical is not "type": Docker would read it as "type", JSON.parse would not', true],
  [
    'Docker-Reference in critical.identity',
    'cosign payload',
    '{"critical":{"identity":{"Docker-Reference":"r"}}}',
    'ambiguous cosign payload: "Docker-Reference" in $.critical.identity is not "docker-reference": Docker would read it as "docker-reference", JSON.parse would not',
    true,
  ],
  [
    'Docker-Manifest-Digest in critical.image',
    'cosign payload',
    '{"critical":{"image":{"Docker-Manifest-Digest":"sha256:a"}}}',
    'ambiguous cosign payload: "Docker-Manifest-Digest" in $.critical.image is not "docker-manifest-digest": Docker would read it as "docker-manifest-digest", JSON.parse would not',
    true,
  ],
  // docker save's manifest.json
  ['layers in a docker save manifest', 'docker-save manifest', '[{"Config":"c","layers":[]}]', 'ambiguous docker-save manifest: "layers" in $[0] is not "Layers": Docker would read it as "Layers", JSON.parse would not', true],
  [
    'Digest in a docker save layer source',
    'docker-save manifest',
    '[{"LayerSources":{"sha256:a":{"Digest":"sha256:b"}}}]',
    'ambiguous docker-save manifest: "Digest" in $[0].LayerSources.sha256:a is not "digest": Docker would read it as "digest", JSON.parse would not',
    true,
  ],
  // a wrong-typed value one level down is an unknown struct again: its keys may not fold together
  ['key twins in an object below an object where a string belongs', 'manifest', '{"mediaType":{"x":{"a":1,"A":2}}}', 'ambiguous manifest: both "a" and "A" in $.mediaType.x: Go would read them as one field', true],
  ['key twins in objects in an array where a string belongs', 'manifest', '{"mediaType":[{"a":1,"A":2}]}', 'ambiguous manifest: both "a" and "A" in $.mediaType[0]: Go would read them as one field', true],
  // surrogates: a pair is one character; anything else with a surrogate is what Go reads as U+FFFD
  ['a high surrogate before a plain letter escape', 'manifest', '{"a":"\\ud800\\u0041"}', 'ambiguous manifest: a lone surrogate \\ud800 in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  ['a high surrogate before a character above the surrogates', 'manifest', '{"a":"\\ud800\\ue000"}', 'ambiguous manifest: a lone surrogate \\ud800 in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  ['a high surrogate before two high surrogates', 'manifest', '{"a":"\\udbff\\udbff"}', 'ambiguous manifest: a lone surrogate \\udbff in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  ['a low surrogate before a low surrogate', 'manifest', '{"a":"\\udc00\\udc00"}', 'ambiguous manifest: a lone surrogate \\udc00 in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  ['a plain letter escape before a low surrogate', 'manifest', '{"a":"\\u0041\\udc00"}', 'ambiguous manifest: a lone surrogate \\udc00 in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  ['the last low surrogate alone', 'manifest', '{"a":"\\udfff"}', 'ambiguous manifest: a lone surrogate \\udfff in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  ['a high surrogate before text that spells a low one', 'manifest', '{"a":"\\ud800xudc00"}', 'ambiguous manifest: a lone surrogate \\ud800 in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  ['a high surrogate before another escape and hex digits', 'manifest', '{"a":"\\ud800\\ndc00"}', 'ambiguous manifest: a lone surrogate \\ud800 in a string in $.a: Go would read it as U+FFFD, JSON.parse would not', true],
  // the grammar: each mistake named where it is
  ['a lone opening brace', 'manifest', '{', 'it is not valid JSON (a key was expected at the end)', false],
  ['a key without its opening quote', 'manifest', '{a":1}', 'it is not valid JSON (a key was expected at character 2)', false],
  ['a number as a key', 'manifest', '{1:2}', 'it is not valid JSON (a key was expected at character 2)', false],
  ['a comma where the colon belongs', 'manifest', '{"a",1}', 'it is not valid JSON (":" was expected at character 5)', false],
  ['a missing colon', 'manifest', '{"a" 1}', 'it is not valid JSON (":" was expected at character 6)', false],
  ['an object closed by a bracket', 'manifest', '{"a":1]', 'it is not valid JSON ("," or "}" was expected at character 7)', false],
  ['two members without a comma', 'manifest', '{"a":1 "b":2}', 'it is not valid JSON ("," or "}" was expected at character 8)', false],
  ['an object cut short after a value', 'manifest', '{"a":1', 'it is not valid JSON ("," or "}" was expected at the end)', false],
  ['an array closed by a brace', 'manifest', '[1}', 'it is not valid JSON ("," or "]" was expected at character 3)', false],
  ['two items without a comma', 'manifest', '[1 2]', 'it is not valid JSON ("," or "]" was expected at character 4)', false],
  ['an array cut short', 'manifest', '[1', 'it is not valid JSON ("," or "]" was expected at the end)', false],
  ['a string not closed', 'manifest', '{"a":"abc', 'it is not valid JSON (a string is not closed at character 6)', false],
  ['a key not closed', 'manifest', '{"abc', 'it is not valid JSON (a string is not closed at character 2)', false],
  ['an invalid escape, pointed at', 'manifest', '{"a":"xy\\q"}', 'it is not valid JSON (an invalid escape in a string at character 9)', false],
  ['a \\u escape with letters that are not hex', 'manifest', '{"a":"\\uzzzz"}', 'it is not valid JSON (an invalid \\u escape at character 9)', false],
  ['a \\u escape with one digit that is not hex', 'manifest', '{"a":"\\u12g4"}', 'it is not valid JSON (an invalid \\u escape at character 9)', false],
  ['a \\u escape cut short', 'manifest', '{"a":"\\u12"}', 'it is not valid JSON (an invalid \\u escape at character 9)', false],
  ['a plus sign before a number', 'manifest', '{"a":+1}', 'it is not valid JSON (a value was expected at character 6)', false],
  ['a number that starts with a dot', 'manifest', '{"a":.5}', 'it is not valid JSON (a value was expected at character 6)', false],
  ['a minus sign alone', 'manifest', '{"a":-}', 'it is not valid JSON (an invalid number at character 6)', false],
  ['a minus sign before a letter', 'manifest', '[-x]', 'it is not valid JSON (an invalid number at character 2)', false],
  ['a misspelt literal', 'manifest', '[tru]', 'it is not valid JSON (a value was expected at character 2)', false],
  ['a second value', 'manifest', '1 2', 'it is not valid JSON (data after the JSON value at character 3)', false],
];
for (const [name, kind, text, message, ambiguous] of refused) {
  test(`decodeStrict refuses ${name}`, () => {
    assert.throws(
      () => decodeStrict(bytes(text), kind),
      (err: unknown) => {
        assert.ok(err instanceof StrictJsonError, String(err));
        assert.equal(err.message, message);
        assert.equal(err.ambiguous, ambiguous);
        return true;
      },
    );
  });
}

test('decodeStrict nests 513 levels and refuses the 514th', () => {
  const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.deepEqual(decodeStrict(bytes(nested(513)), 'manifest'), JSON.parse(nested(513)));
  assert.throws(() => decodeStrict(bytes(nested(514)), 'manifest'), { name: 'StrictJsonError', message: 'it nests deeper than 512 levels' });
  const objects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  assert.deepEqual(decodeStrict(bytes(objects(512)), 'manifest'), JSON.parse(objects(512)));
  assert.throws(() => decodeStrict(bytes(objects(513)), 'manifest'), { message: 'it nests deeper than 512 levels' });
});

test('a refusal deep in an array names the index where it is, not the indexes before it', () => {
  assert.throws(() => decodeStrict(bytes('[1,[2,{"a":1,"a":2}]]'), 'manifest'), {
    message: 'ambiguous manifest: "a" appears twice in $[1][1]: Docker would read the last',
  });
  assert.throws(() => decodeStrict(bytes('{"layers":[{},{},{"size":1,"SIZE":2}]}'), 'manifest'), {
    message: 'ambiguous manifest: both "size" and "SIZE" in $.layers[2]: Docker would read the second',
  });
});

test('where a refusal points is cut at 80 characters of path, non-ASCII shown as "?"', () => {
  const at = (key: string) => {
    try {
      decodeStrict(bytes(`{${JSON.stringify(key)}:{"a":1,"a":2}}`), 'manifest');
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  // ".kkk…" is the path: 80 characters in all is shown whole
  assert.equal(at('k'.repeat(79)), `ambiguous manifest: "a" appears twice in $.${'k'.repeat(79)}: Docker would read the last`);
  assert.equal(at('k'.repeat(80)), `ambiguous manifest: "a" appears twice in $.${'k'.repeat(79)}?: Docker would read the last`);
  assert.equal(at('é'), 'ambiguous manifest: "a" appears twice in $.?: Docker would read the last');
});

const quotes: Array<[string, number | undefined, string]> = [
  ['a'.repeat(64), undefined, `"${'a'.repeat(64)}"`],
  ['a'.repeat(65), undefined, `"${'a'.repeat(64)}\\u2026"`],
  ['abcd', 3, '"abc\\u2026"'],
  ['abc', 3, '"abc"'],
  ['x\n::error::y', undefined, '"x\\n::error::y"'],
  ['\u212a', undefined, '"\\u212a"'],
];
for (const [value, max, expected] of quotes) {
  test(`quote(${JSON.stringify(value.slice(0, 12))}, ${max}) is ${expected.slice(0, 20)}`, () => {
    assert.equal(max === undefined ? quote(value) : quote(value, max), expected);
  });
}

test('a long key is quoted short in the message', () => {
  const key = 'k'.repeat(70);
  assert.throws(() => decodeStrict(bytes(`{"${key}":1,"${key}":2}`), 'manifest'), {
    message: `ambiguous manifest: "${'k'.repeat(64)}\\u2026" appears twice: Docker would read the last`,
  });
});

test('"__proto__" is an ordinary writable, enumerable, configurable property, as JSON.parse makes it', () => {
  const text = '{"__proto__":{"x":1},"a":2}';
  const value = decodeStrict(bytes(text), 'manifest') as Record<string, unknown>;
  const expected = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__'), Object.getOwnPropertyDescriptor(expected, '__proto__'));
  assert.deepEqual(Object.getOwnPropertyDescriptor(value, 'a'), Object.getOwnPropertyDescriptor(expected, 'a'));
  value['__proto__'] = 'replaced';
  assert.equal(value['__proto__'], 'replaced');
  assert.equal(delete value['__proto__'], true);
});

test('decodeDocument does not dress up a fault of ours as a bad document', () => {
  // A kind no shape exists for is a bug in the caller: its TypeError passes through untouched.
  assert.throws(() => decodeDocument(bytes('{}'), 'no such kind' as DocumentKind, 'manifest of r/app:1', 'protocol'), (err: unknown) => err instanceof TypeError && !(err instanceof VerifyImageError));
});

test('decodeDocument keeps a local document\'s errors local, ambiguous or not', () => {
  assert.throws(
    () => decodeDocument(bytes('{"a":1,"a":2}'), 'config', 'docker save out.tar: config', 'local'),
    (err: unknown) =>
      err instanceof VerifyImageError && err.code === 'local' && err.message === 'docker save out.tar: config: ambiguous config: "a" appears twice: Docker would read the last; export or save it again',
  );
  assert.throws(
    () => decodeDocument(bytes('[1'), 'config', 'docker save out.tar: config', 'local'),
    (err: unknown) => err instanceof VerifyImageError && err.code === 'local' && err.message === 'docker save out.tar: config: it is not valid JSON ("," or "]" was expected at the end); refusing it',
  );
});

// Table-driven tests of WWW-Authenticate parsing, with the headers real registries send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges, type Challenge } from '../../src/registry/challenge.js';

interface Case {
  name: string;
  header: string | string[] | undefined;
  want: Challenge[];
}

const cases: Case[] = [
  {
    name: 'Docker Hub',
    header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
    want: [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } }],
  },
  {
    name: 'Docker Hub insufficient_scope with a comma inside the quoted scope',
    header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push",error="insufficient_scope"',
    want: [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/alpine:pull,push',
          error: 'insufficient_scope',
        },
      },
    ],
  },
  {
    name: 'GHCR',
    header: 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
    want: [{ scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull' } }],
  },
  {
    name: 'ECR Basic',
    header: 'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
    want: [{ scheme: 'basic', params: { realm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/', service: 'ecr.amazonaws.com' } }],
  },
  {
    name: 'Harbor',
    header: 'Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"',
    want: [{ scheme: 'bearer', params: { realm: 'https://harbor.example.com/service/token', service: 'harbor-registry' } }],
  },
  {
    name: 'scope with a port and several scopes',
    header: 'Bearer realm="http://127.0.0.1:5001/auth",service="reg",scope="repository:127.0.0.1:5000/a:pull repository:b:pull,push"',
    want: [{ scheme: 'bearer', params: { realm: 'http://127.0.0.1:5001/auth', service: 'reg', scope: 'repository:127.0.0.1:5000/a:pull repository:b:pull,push' } }],
  },
  {
    name: 'Bearer and Basic in one value (as undici joins repeated headers)',
    header: 'Bearer realm="https://r.example/token",service="r.example", Basic realm="r.example"',
    want: [
      { scheme: 'bearer', params: { realm: 'https://r.example/token', service: 'r.example' } },
      { scheme: 'basic', params: { realm: 'r.example' } },
    ],
  },
  {
    name: 'Basic first, then Bearer with a comma in the scope',
    header: 'Basic realm="x", Bearer realm="https://t/token",scope="repository:a:pull,push"',
    want: [
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'https://t/token', scope: 'repository:a:pull,push' } },
    ],
  },
  {
    name: 'array input',
    header: ['Bearer realm="https://a/token",service="a"', 'Basic realm="b"'],
    want: [
      { scheme: 'bearer', params: { realm: 'https://a/token', service: 'a' } },
      { scheme: 'basic', params: { realm: 'b' } },
    ],
  },
  {
    name: 'backslash escapes in quoted values',
    header: 'Basic realm="say \\"hi\\" \\\\ there, \\friend"',
    want: [{ scheme: 'basic', params: { realm: 'say "hi" \\ there, friend' } }],
  },
  {
    name: 'unquoted token values, including URL-ish ones',
    header: 'Bearer realm=https://auth.example/token, service=registry.example,scope=repository:a:pull',
    want: [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a:pull' } }],
  },
  {
    name: 'extra whitespace, empty list elements and spaces around =',
    header: '  Bearer   realm = "x" ,  service="y"  ,,  Basic\trealm="z"  ',
    want: [
      { scheme: 'bearer', params: { realm: 'x', service: 'y' } },
      { scheme: 'basic', params: { realm: 'z' } },
    ],
  },
  {
    name: 'scheme and parameter names are case-insensitive',
    header: 'BeArEr Realm="X", SERVICE="Y"',
    want: [{ scheme: 'bearer', params: { realm: 'X', service: 'Y' } }],
  },
  {
    name: 'schemes without parameters, and a token68',
    header: 'Negotiate, NTLM abc+/def==, Basic realm="x"',
    want: [
      { scheme: 'negotiate', params: {} },
      { scheme: 'ntlm', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
    ],
  },
  {
    name: 'empty quoted value',
    header: 'Bearer realm="",service="s"',
    want: [{ scheme: 'bearer', params: { realm: '', service: 's' } }],
  },
  {
    name: 'duplicate parameter: the first wins',
    header: 'Bearer realm="first",realm="second"',
    want: [{ scheme: 'bearer', params: { realm: 'first' } }],
  },
  {
    name: 'unterminated quote keeps what there is',
    header: 'Bearer service="s",realm="https://a/token, Basic',
    want: [{ scheme: 'bearer', params: { service: 's', realm: 'https://a/token, Basic' } }],
  },
  {
    name: 'stray quoted string before a scheme is skipped whole',
    header: '"a, Basic b", Bearer realm="r"',
    want: [{ scheme: 'bearer', params: { realm: 'r' } }],
  },
  { name: 'undefined', header: undefined, want: [] },
  { name: 'empty string', header: '', want: [] },
  { name: 'empty array', header: [], want: [] },
  { name: 'only separators', header: ' ,, \t, ', want: [] },
  { name: 'only punctuation', header: '=,=;()', want: [] },
];

for (const c of cases) {
  test(`parseChallenges: ${c.name}`, () => {
    assert.deepEqual(parseChallenges(c.header), c.want);
  });
}

test('parseChallenges: a __proto__ parameter is an own property and pollutes nothing', () => {
  const [challenge] = parseChallenges('Bearer __proto__="x",realm="r"');
  assert.equal(Object.getPrototypeOf(challenge.params), Object.prototype);
  assert.equal(Object.hasOwn(challenge.params, '__proto__'), true);
  assert.equal(challenge.params.realm, 'r');
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test('parseChallenges: non-string array elements are ignored', () => {
  const header = ['Basic realm="a"', 42, null] as unknown as string[];
  assert.deepEqual(parseChallenges(header), [{ scheme: 'basic', params: { realm: 'a' } }]);
});

test('parseChallenges: never throws and always returns well-formed challenges on random input', () => {
  // Deterministic pseudo-random strings built from the characters that matter to the grammar.
  const alphabet = 'Bearer Basic realm=",\\ \t\r\nabc:/_-=()';
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < 2000; i++) {
    let header = '';
    const length = next() % 60;
    for (let j = 0; j < length; j++) header += alphabet[next() % alphabet.length];
    const challenges = parseChallenges(header);
    assert.ok(Array.isArray(challenges), header);
    for (const challenge of challenges) {
      assert.match(challenge.scheme, /^[!#$%&'*+.^_`|~0-9a-z-]+$/, header);
      for (const [name, value] of Object.entries(challenge.params)) {
        assert.equal(name, name.toLowerCase(), header);
        assert.equal(typeof value, 'string', header);
      }
    }
  }
});

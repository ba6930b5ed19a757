// Which `auths` key a registry's credential comes from when several could match (issue 16): two
// keys for one host, Docker Hub under its alias names, look-alike hosts. Read from
// DOCKER_AUTH_CONFIG, so no file and no helper is involved: only the key selection is tested.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveCredential } from '../../src/registry/credentials.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const entry = (user: string) => ({ auth: b64(`${user}:pw`) });

const cases: Array<{ name: string; auths: Record<string, unknown>; registry: string; user: string | undefined }> = [
  { name: 'the exact key wins over a legacy one listed after it', auths: { 'ghcr.io': entry('exact'), 'https://ghcr.io/v1/': entry('legacy') }, registry: 'ghcr.io', user: 'exact' },
  { name: 'the exact key wins over a legacy one listed before it', auths: { 'http://ghcr.io': entry('legacy'), 'ghcr.io': entry('exact') }, registry: 'ghcr.io', user: 'exact' },
  { name: 'two legacy keys for one host: the first listed', auths: { 'https://ghcr.io/v1/': entry('first'), 'http://ghcr.io': entry('second') }, registry: 'ghcr.io', user: 'first' },
  { name: 'a key in capitals matches its host', auths: { 'HTTPS://GHCR.IO/': entry('caps') }, registry: 'ghcr.io', user: 'caps' },
  { name: 'host:port keys: the port must match', auths: { 'reg.example:5000': entry('5000'), 'https://reg.example:5001': entry('5001') }, registry: 'reg.example:5001', user: '5001' },
  { name: 'a key with a port does not serve the host without one', auths: { 'ghcr.io:443': entry('port') }, registry: 'ghcr.io', user: undefined },
  { name: 'a look-alike host is another registry', auths: { 'ghcr.io.evil.example': entry('evil'), 'https://evil.example/ghcr.io': entry('path') }, registry: 'ghcr.io', user: undefined },
  { name: "Docker Hub: docker.io finds the alias key index.docker.io", auths: { 'index.docker.io': entry('alias') }, registry: 'docker.io', user: 'alias' },
  { name: 'Docker Hub: docker.io finds https://registry-1.docker.io/v2/', auths: { 'https://registry-1.docker.io/v2/': entry('api') }, registry: 'docker.io', user: 'api' },
  { name: "Docker Hub: index.docker.io finds Docker's own key", auths: { 'https://index.docker.io/v1/': entry('hub') }, registry: 'index.docker.io', user: 'hub' },
  { name: "Docker Hub: Docker's own key wins over an alias listed first", auths: { 'docker.io': entry('alias'), 'https://index.docker.io/v1/': entry('hub') }, registry: 'docker.io', user: 'hub' },
  { name: 'Docker Hub: a look-alike is not Docker Hub', auths: { 'docker.io.evil.example': entry('evil'), 'index.docker.io.evil.example': entry('evil2') }, registry: 'docker.io', user: undefined },
  { name: 'Docker Hub keys never serve another registry', auths: { 'https://index.docker.io/v1/': entry('hub'), 'docker.io': entry('alias') }, registry: 'ghcr.io', user: undefined },
];

for (const c of cases) {
  test(`auths key selection: ${c.name}`, async () => {
    const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: c.auths }), DOCKER_CONFIG: '/nonexistent/verify-image-test' };
    const got = await resolveCredential(c.registry, { env });
    assert.equal(got?.username, c.user, JSON.stringify(got));
    if (c.user) assert.deepEqual(got, { username: c.user, password: 'pw', source: 'DOCKER_AUTH_CONFIG' });
  });
}

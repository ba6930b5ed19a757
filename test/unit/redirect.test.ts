// Redirects follow Go's http.Client, stricter where a secret could travel: 301/302/303 turn a POST
// into a GET without a body; 307/308 keep method and body only on the same origin, and a body is
// never resent to another origin (an error instead); Authorization never leaves the first origin.
// Two real servers on 127.0.0.1 are two origins.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { VerifyImageError } from '../../src/errors.js';
import { readCapped, send, type TransportOptions } from '../../src/registry/http.js';

interface Seen {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

const seenA: Seen[] = [];
const seenB: Seen[] = [];
let a: Server;
let b: Server;
let originA = '';
let originB = '';

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

function start(seen: Seen[], redirects: (path: string) => [number, string] | undefined): Promise<[Server, string]> {
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = req.url ?? '/';
      seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      const hop = redirects(path);
      if (hop) {
        res.writeHead(hop[0], { location: hop[1] });
        res.end();
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('nothing here');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve([server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`])));
}

before(async () => {
  [b, originB] = await start(seenB, () => undefined);
  [a, originA] = await start(seenA, (path) => {
    const m = /^\/(\d{3})-(same|other)$/.exec(path);
    if (!m) return undefined;
    return [Number(m[1]), `${m[2] === 'same' ? originA : originB}/landed`];
  });
});
after(() => {
  a.close();
  b.close();
});

const transport: TransportOptions = { allowHttp: () => true, retry: { attempts: 1 } };
const form = 'grant_type=password&username=u&password=hunter2';
const post = (path: string) =>
  send({ method: 'POST', url: `${originA}${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, authorization: 'Basic c2VjcmV0' }, transport);

for (const status of [301, 302, 303]) {
  test(`a POST redirected with ${status} to another origin arrives as a GET without body or credentials`, async () => {
    seenB.length = 0;
    const res = await post(`/${status}-other`);
    await readCapped(res, 1024, 'body');
    assert.equal(res.status, 404);
    assert.deepEqual(seenB, [{ method: 'GET', path: '/landed', authorization: undefined, contentType: undefined, body: '' }]);
  });
  test(`a POST redirected with ${status} on the same origin becomes a GET (as Go) and keeps Authorization`, async () => {
    seenA.length = 0;
    const res = await post(`/${status}-same`);
    await readCapped(res, 1024, 'body');
    assert.deepEqual(seenA[1], { method: 'GET', path: '/landed', authorization: 'Basic c2VjcmV0', contentType: undefined, body: '' });
  });
}

for (const status of [307, 308]) {
  test(`a POST redirected with ${status} to another origin is refused, and the other origin hears nothing`, async () => {
    seenB.length = 0;
    await assert.rejects(post(`/${status}-other`), (err: unknown) => {
      assert.ok(err instanceof VerifyImageError);
      assert.equal(err.code, 'protocol');
      assert.match(err.message, new RegExp(`another origin \\(127\\.0\\.0\\.1:\\d+, HTTP ${status}\\); refusing to resend its body`));
      assert.ok(!err.message.includes('hunter2'));
      return true;
    });
    assert.deepEqual(seenB, []);
  });
  test(`a POST redirected with ${status} on the same origin keeps method, body and Authorization`, async () => {
    seenA.length = 0;
    const res = await post(`/${status}-same`);
    await readCapped(res, 1024, 'body');
    assert.deepEqual(seenA[1], { method: 'POST', path: '/landed', authorization: 'Basic c2VjcmV0', contentType: 'application/x-www-form-urlencoded', body: form });
  });
  test(`a GET redirected with ${status} to another origin is followed without Authorization (blobs on a CDN)`, async () => {
    seenB.length = 0;
    const res = await send({ method: 'GET', url: `${originA}/${status}-other`, authorization: 'Bearer t' }, transport);
    await readCapped(res, 1024, 'body');
    assert.deepEqual(seenB, [{ method: 'GET', path: '/landed', authorization: undefined, contentType: undefined, body: '' }]);
  });
}

// Connections are kept alive across HEAD requests (undici closes them after every HEAD unless
// told otherwise): an audit probes one tag per image by HEAD, and a connection per probe is a TCP
// and TLS handshake per image. A server that wrongly sends a body with a HEAD answer breaks the
// next response on that connection; that request is retried on a new connection and succeeds.

import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { discard, readCapped, send, type TransportOptions } from '../../src/registry/http.js';

const transport: TransportOptions = { allowHttp: () => true, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 } };

let http: HttpServer;
let httpOrigin = '';
let httpConnections = 0;

let raw: NetServer;
let rawOrigin = '';
let rawConnections = 0;

before(async () => {
  // Answers as the distribution registry does: a HEAD of a missing tag is a 404 with the
  // Content-Length of the error body it would have sent to a GET.
  http = createHttpServer((req, res) => {
    const body = '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}';
    res.writeHead(req.url === '/found' ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  http.on('connection', () => httpConnections++);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpOrigin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  // A broken server: its HEAD answer carries a body, which HTTP forbids.
  raw = createNetServer((socket: Socket) => {
    rawConnections++;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const body = 'hello';
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
        void head;
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  rawOrigin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
});

after(async () => {
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
  await new Promise<void>((resolve) => raw.close(() => resolve()));
});

test('ten HEAD probes and a GET go over the connections kept alive, not one each', async () => {
  httpConnections = 0;
  for (let i = 0; i < 10; i++) {
    const res = await send({ method: 'HEAD', url: `${httpOrigin}/v2/app/manifests/sha256-${i}` }, transport);
    assert.equal(res.status, 404);
    await discard(res);
  }
  const res = await send({ method: 'GET', url: `${httpOrigin}/found` }, transport);
  assert.equal(res.status, 200);
  assert.match((await readCapped(res, 1024, 'body')).toString(), /MANIFEST_UNKNOWN/);
  // undici reuses a connection one event-loop turn after its answer, so a request sent at once may open a second.
  assert.ok(httpConnections <= 2, `${httpConnections} connections for 11 requests`);
});

test('a server that sends a body with its HEAD answer: the next request is retried on a new connection and reads the right answer', async () => {
  rawConnections = 0;
  const head = await send({ method: 'HEAD', url: `${rawOrigin}/probe` }, transport);
  assert.equal(head.status, 200);
  await discard(head);
  const res = await send({ method: 'GET', url: `${rawOrigin}/next` }, transport);
  assert.equal(res.status, 200);
  assert.equal((await readCapped(res, 1024, 'body')).toString(), 'hello');
  assert.ok(rawConnections >= 2, `the broken connection was replaced (${rawConnections} connections)`);
});

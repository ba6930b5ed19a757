// A hostile token realm for e2e tests: it stands in front of the real token server (GETs are
// passed through, so the Basic-auth fallback still works) and misbehaves on the POST that carries
// the password form: it redirects it to another origin (302 or 307), or answers 403 with the form
// echoed back in every form a careless server might. The other origin, a collector, records all
// it receives and answers 404.

import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HostileMode = { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308 } | { kind: 'echo' };

export interface CollectedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HostileTokenFront {
  /** The realm to put in the registry's challenge. */
  realm: string;
  mode: HostileMode;
  /** POSTs the front received. */
  posts: number;
  /** What reached the other origin. */
  collected: CollectedRequest[];
  stop(): Promise<void>;
}

export async function startHostileTokenFront(upstreamRealm: string, mode: HostileMode): Promise<HostileTokenFront> {
  const collected: CollectedRequest[] = [];
  const collector = createServer((req, res) => {
    void readBody(req).then((body) => {
      collected.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not a token server');
    });
  });
  const collectorUrl = await listen(collector);

  const front: HostileTokenFront = {
    realm: '',
    mode,
    posts: 0,
    collected,
    stop: async () => {
      for (const server of [server_, collector]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
  const server_ = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://front');
      if (req.method === 'POST') {
        front.posts++;
        if (front.mode.kind === 'redirect') {
          res.writeHead(front.mode.status, { location: `${collectorUrl}/stolen-token-endpoint` });
          res.end();
          return;
        }
        const form = new URLSearchParams(body);
        const password = form.get('password') ?? form.get('refresh_token') ?? '';
        const user = form.get('username') ?? '';
        const echo =
          `invalid request ${body} at /token?${body} ` +
          `(password ${password}, encoded ${encodeURIComponent(password)}, base64 ${Buffer.from(password).toString('base64')}, ` +
          `basic ${Buffer.from(`${user}:${password}`).toString('base64')}, json ${JSON.stringify({ password })})`;
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end(echo);
        return;
      }
      const upstream = new URL(upstreamRealm);
      upstream.search = url.search;
      const answer = await fetch(upstream, { headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} });
      const text = await answer.text();
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    })().catch(() => res.destroy());
  });
  front.realm = `${await listen(server_)}/token`;
  return front;
}

function listen(server: ReturnType<typeof createServer>): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    server.unref();
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

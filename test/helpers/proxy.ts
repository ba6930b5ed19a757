// A counting HTTP proxy in front of a test registry: it forwards every request unchanged and
// records method and path, so a test can prove which blobs a run downloaded (and which it did not).

import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** '127.0.0.1:PORT', to use as the registry host in references. */
  host: string;
  /** Every request so far, as `METHOD /path`. */
  requests: string[];
  /** Connections clients opened to the proxy (a client that keeps its connections alive opens few). */
  connections(): number;
  /** GETs of blobs, by digest. */
  blobGets(): string[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const requests: string[] = [];
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(
      { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: { ...req.headers, host: target } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    blobGets: () =>
      requests
        .map((r) => /^GET \/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/.exec(r)?.[1])
        .filter((d): d is string => d !== undefined),
    reset: () => {
      requests.length = 0;
      connections = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

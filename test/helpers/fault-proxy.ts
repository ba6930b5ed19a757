// A fault-injecting reverse proxy for e2e tests: sits in front of a real registry (or token
// server) and, per request, lets it through or breaks it the way registries and CDNs break on
// bad days. Rules match on method and path and fire for their first N hits; every request is
// logged (method, path, Range, whether Authorization arrived, which fault fired) so tests can
// assert what the action actually did. It can listen on https with a given certificate, which is
// how an https registry (no loopback exemptions) is put in front of the action.

import { createHash } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Answer without asking upstream (429 with Retry-After, 5xx, 401 with a challenge…). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Upstream's headers and the first half of its body, then a TCP reset. */
  | { kind: 'reset-mid-body' }
  /** Upstream's headers (its Content-Length) and the first half of its body, then a clean close. */
  | { kind: 'truncate' }
  /** The first half of the body sent as if it were all of it (Content-Length and digest header unchanged). */
  | { kind: 'short-body' }
  /** Upstream's headers and the first half of its body, then silence with the connection held open. */
  | { kind: 'stall' }
  /** Upstream's response with one byte changed (XOR 0x01); `at` defaults to the middle. */
  | { kind: 'flip'; at?: number }
  /** Upstream's response with headers replaced (null removes one). */
  | { kind: 'headers'; headers: Record<string, string | null> }
  /** A redirect to wherever `location` says; `location` gets the request path and query. */
  | { kind: 'redirect'; status?: number; location: (pathAndQuery: string) => string }
  /** A body of our own instead of upstream's, with the headers given (digest and length are computed unless set). */
  | { kind: 'body'; body: Buffer; contentType: string; headers?: Record<string, string | null> }
  /** Upstream's response with its WWW-Authenticate rewritten. */
  | { kind: 'challenge'; rewrite: (value: string) => string }
  /** The request forwarded without its Range header: a server that ignores Range and answers 200. */
  | { kind: 'drop-range' };

export interface FaultRule {
  method?: string;
  path: RegExp;
  /** How many matching requests it fires for; default 1, Infinity for all. */
  times?: number;
  fault: Fault;
}

export interface ProxyHit {
  method: string;
  path: string;
  range?: string;
  authorization: boolean;
  fault?: Fault['kind'];
}

export interface FaultProxy {
  /** host:port to put in image references. */
  host: string;
  url: string;
  hits: ProxyHit[];
  /** Replaces the rules (and clears the hit log). */
  setRules(rules: FaultRule[]): void;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** http://host:port of the real server. */
  upstream: string;
  /** Listen with TLS using this certificate (PEM). */
  tls?: { certPem: string; keyPem: string };
  /** Address to listen on; default 127.0.0.1. */
  listenHost?: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(opts.upstream);
  let rules: { rule: FaultRule; left: number }[] = [];
  const hits: ProxyHit[] = [];
  const sockets = new Set<Socket>();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const pathAndQuery = req.url ?? '/';
    const path = pathAndQuery.split('?')[0] ?? '/';
    const entry = rules.find(({ rule, left }) => left > 0 && (!rule.method || rule.method === method) && rule.path.test(path));
    if (entry) entry.left--;
    const fault = entry?.rule.fault;
    hits.push({
      method,
      path,
      range: typeof req.headers.range === 'string' ? req.headers.range : undefined,
      authorization: req.headers.authorization !== undefined,
      fault: fault?.kind,
    });
    void serve(req, res, method, pathAndQuery, fault).catch(() => res.destroy());
  };

  async function serve(req: IncomingMessage, res: ServerResponse, method: string, pathAndQuery: string, fault: Fault | undefined): Promise<void> {
    if (fault?.kind === 'status') {
      const body = fault.body ?? JSON.stringify({ errors: [{ code: 'INJECTED', message: `injected HTTP ${fault.status}` }] });
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...fault.headers });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (fault?.kind === 'redirect') {
      res.writeHead(fault.status ?? 307, { location: fault.location(pathAndQuery), 'content-length': 0 });
      res.end();
      return;
    }
    const up = await forward(req, upstream, pathAndQuery, fault?.kind === 'drop-range');
    const headers = copyHeaders(up.headers);
    if (!fault || fault.kind === 'drop-range') {
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
      return;
    }
    const body = await readAll(up);
    const status = up.statusCode ?? 502;
    const half = body.subarray(0, Math.floor(body.length / 2));
    switch (fault.kind) {
      case 'challenge': {
        const value = up.headers['www-authenticate'];
        if (typeof value === 'string') headers['www-authenticate'] = fault.rewrite(value);
        return end(res, status, headers, body);
      }
      case 'headers':
        return end(res, status, applyHeaders(headers, fault.headers), body);
      case 'flip': {
        const flipped = Buffer.from(body);
        if (flipped.length > 0) {
          const at = Math.min(fault.at ?? Math.floor(flipped.length / 2), flipped.length - 1);
          flipped[at] = (flipped[at] ?? 0) ^ 0x01;
        }
        return end(res, status, headers, flipped);
      }
      case 'body': {
        const own: Record<string, string | string[] | undefined> = {
          ...headers,
          'content-type': fault.contentType,
          'docker-content-digest': `sha256:${createHash('sha256').update(fault.body).digest('hex')}`,
        };
        return end(res, 200, applyHeaders(own, fault.headers ?? {}), fault.body);
      }
      case 'short-body':
        headers['content-length'] = String(half.length);
        return end(res, status, headers, half);
      case 'reset-mid-body':
      case 'truncate':
      case 'stall': {
        headers['content-length'] = String(body.length);
        res.writeHead(status, headers);
        res.write(half);
        // Let the half reach the client before breaking the connection (a reset may discard
        // data the client has not read yet).
        await new Promise((resolve) => setTimeout(resolve, 200));
        const socket = res.socket;
        if (fault.kind === 'reset-mid-body') socket?.resetAndDestroy();
        else if (fault.kind === 'truncate') socket?.end();
        return; // stall: hold the socket until the client gives up or the proxy stops
      }
    }
  }

  const server = opts.tls ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, handler) : createHttpServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listenHost = opts.listenHost ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  server.unref();
  const host = `${listenHost}:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `${opts.tls ? 'https' : 'http'}://${host}`,
    hits,
    setRules(next) {
      rules = next.map((rule) => ({ rule, left: rule.times ?? 1 }));
      hits.length = 0;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function forward(req: IncomingMessage, upstream: URL, pathAndQuery: string, dropRange: boolean): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    if (dropRange) delete headers.range;
    headers.host = upstream.host;
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: pathAndQuery, headers }, resolve);
    out.on('error', reject);
    req.pipe(out);
  });
}

function copyHeaders(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function applyHeaders(
  headers: Record<string, string | string[] | undefined>,
  changes: Record<string, string | null>,
): Record<string, string | string[] | undefined> {
  const out = { ...headers };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete out[name.toLowerCase()];
    else out[name.toLowerCase()] = value;
  }
  return out;
}

function end(res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** A stand-in for a CDN on another origin: serves what `upstream` serves, recording whether Authorization arrived. */
export interface RecordingOrigin {
  url: string;
  requests: { path: string; authorization?: string }[];
  stop(): Promise<void>;
}

/** `upstreamAuthorization` is what the origin itself uses towards upstream (a CDN's own access). */
export async function startRecordingOrigin(upstream: string, upstreamAuthorization?: string): Promise<RecordingOrigin> {
  const requests: RecordingOrigin['requests'] = [];
  const target = new URL(upstream);
  const server = createHttpServer((req, res) => {
    requests.push({ path: req.url ?? '/', authorization: req.headers.authorization });
    const headers: IncomingHttpHeaders = { host: target.host };
    if (upstreamAuthorization) headers.authorization = upstreamAuthorization;
    if (req.headers.range) headers.range = req.headers.range;
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, copyHeaders(up.headers));
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

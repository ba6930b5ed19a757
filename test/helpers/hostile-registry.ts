// A hostile registry for e2e attack tests: a Node server on 127.0.0.1 in front of a real CNCF
// distribution registry. By default it passes every request through unchanged; for chosen paths
// it serves documents of its own — crafted manifests and indexes the real registry would refuse
// (a digest that is not a digest), blobs from memory, or a HEAD whose Docker-Content-Digest lies.
// Crafted documents carry a correct Content-Type, Content-Length and Docker-Content-Digest for
// their own bytes, so the only defence left is reading them exactly as Docker and containerd do.
//
// Many attacks need no proxy at all: distribution stores manifests byte for byte and decodes them
// with Go's encoding/json (case-insensitive keys, last one wins), so a document Go accepts can be
// pushed straight into the real registry — putRawManifest does that with the exact bytes given.
// Every request is logged (method, path, whether Authorization arrived, and whether a crafted
// answer was served) so tests can assert what the action asked for and what it was sent.

import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CraftedAnswer {
  body: Buffer;
  contentType: string;
  /** Status to answer with; default 200. */
  status?: number;
  /** Extra or replaced headers; null removes one (e.g. the digest header). */
  headers?: Record<string, string | null>;
}

export interface HostileHit {
  method: string;
  path: string;
  authorization?: string;
  /** True when the hostile server answered itself instead of passing the request upstream. */
  crafted: boolean;
}

export interface HostileRegistry {
  /** '127.0.0.1:PORT', to put in image references. */
  host: string;
  url: string;
  hits: HostileHit[];
  /** Serves `answer` for GET (and HEAD, without the body) of exactly `path`, e.g. /v2/REPO/manifests/TAG. */
  serve(path: string, answer: CraftedAnswer): void;
  /**
   * Serves a crafted manifest or index under a tag and under the digest of its bytes, with that
   * digest in Docker-Content-Digest, as a registry that stores what it is given would.
   */
  serveManifest(repo: string, tag: string, bytes: Buffer | string, mediaType: string): string;
  /** Serves a blob from memory under the digest of its bytes; returns its descriptor fields. */
  serveBlob(repo: string, bytes: Buffer): { digest: string; size: number };
  /** HEAD of `/v2/REPO/manifests/TAG` answers with this Docker-Content-Digest; GET passes through. */
  lieOnHead(repo: string, tag: string, digest: string): void;
  /** Forgets every crafted answer and lie, and clears the hit log. */
  reset(): void;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export const digestOf = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Starts a hostile server in front of `upstream` (http://host:port of a real registry). */
export async function startHostileRegistry(upstream: string): Promise<HostileRegistry> {
  const target = new URL(upstream);
  const crafted = new Map<string, CraftedAnswer>();
  const headLies = new Map<string, string>();
  const hits: HostileHit[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const answer = method === 'GET' || method === 'HEAD' ? crafted.get(path) : undefined;
    const lie = method === 'HEAD' ? headLies.get(path) : undefined;
    hits.push({ method, path, authorization: req.headers.authorization, crafted: answer !== undefined || lie !== undefined });
    if (answer) return sendCrafted(res, method, answer);
    void passThrough(req, res, target, lie).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    url: `http://${host}`,
    hits,
    serve: (path, answer) => void crafted.set(path, answer),
    serveManifest(repo, tag, bytes, mediaType) {
      const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
      const digest = digestOf(body);
      const answer: CraftedAnswer = { body, contentType: mediaType };
      crafted.set(`/v2/${repo}/manifests/${tag}`, answer);
      crafted.set(`/v2/${repo}/manifests/${digest}`, answer);
      return digest;
    },
    serveBlob(repo, bytes) {
      const digest = digestOf(bytes);
      crafted.set(`/v2/${repo}/blobs/${digest}`, { body: bytes, contentType: 'application/octet-stream' });
      return { digest, size: bytes.length };
    },
    lieOnHead: (repo, tag, digest) => void headLies.set(`/v2/${repo}/manifests/${tag}`, digest),
    reset() {
      crafted.clear();
      headLies.clear();
      hits.length = 0;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendCrafted(res: ServerResponse, method: string, answer: CraftedAnswer): void {
  const headers: Record<string, string> = {
    'content-type': answer.contentType,
    'content-length': String(answer.body.length),
    'docker-content-digest': digestOf(answer.body),
    'docker-distribution-api-version': 'registry/2.0',
  };
  for (const [name, value] of Object.entries(answer.headers ?? {})) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  res.writeHead(answer.status ?? 200, headers);
  res.end(method === 'HEAD' ? undefined : answer.body);
}

/** Forwards to the real registry; with `lie`, a HEAD's Docker-Content-Digest is replaced. */
function passThrough(req: IncomingMessage, res: ServerResponse, target: URL, lie: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    headers.host = target.host;
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
      const answer: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name)) answer[name] = value;
      // Relative Location headers (upload sessions, redirects) keep pointing at us.
      if (lie !== undefined && (up.statusCode ?? 0) === 200) answer['docker-content-digest'] = lie;
      res.writeHead(up.statusCode ?? 502, answer);
      up.pipe(res);
      up.on('end', () => resolve());
      up.on('error', reject);
    });
    out.on('error', reject);
    req.pipe(out);
  });
}

/**
 * Puts a manifest or index into a real registry with exactly these bytes (duplicate keys, keys in
 * another case and all), as an attacker with push access would. Resolves with the status, the
 * digest of the bytes and the registry's answer, so a test can see what distribution refuses.
 */
export async function putRawManifest(
  host: string,
  repo: string,
  reference: string,
  bytes: Buffer | string,
  mediaType: string,
): Promise<{ status: number; digest: string; text: string }> {
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': mediaType }, body });
  return { status: res.status, digest: digestOf(body), text: await res.text() };
}

/**
 * JSON text of `doc` with extra members appended to the top-level object, written after the
 * members JSON.stringify gives — keys JSON.parse cannot represent (duplicates) are fine here.
 */
export function withExtraMembers(doc: object, extra: [string, unknown][]): string {
  const text = JSON.stringify(doc);
  if (!text.endsWith('}') || extra.length === 0) return text;
  const tail = extra.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',');
  return `${text.slice(0, -1)}${text === '{}' ? '' : ','}${tail}}`;
}

// A small Docker Engine API client over undici: the unix socket by default, tcp when DOCKER_HOST
// says so. We only read: /info (which image store), /version (API level), /images/{name}/json and,
// when an older containerd-store daemon cannot list an image's platforms, /images/{name}/get (the
// image as a tar stream, read once and never written to disk).

import type { Readable } from 'node:stream';
import { Client } from '../registry/undici.js';
import { VerifyImageError } from '../errors.js';

export interface EngineImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Os: string;
  Architecture: string;
  Variant?: string;
  Created?: string;
  RootFS?: { Type: string; Layers?: string[] };
  Descriptor?: { mediaType: string; digest: string; size: number };
  Manifests?: EngineManifestSummary[];
}

/** One entry of `GET /images/{name}/history`, newest first as the daemon sends them. */
export interface EngineHistoryEntry {
  Created?: number;
  CreatedBy?: string;
  /** Bytes the entry's layer adds; 0 for entries that made no layer (and for an empty layer). */
  Size?: number;
  Comment?: string;
}

export interface EngineManifestSummary {
  ID: string;
  Descriptor: { mediaType: string; digest: string; size: number; platform?: { os: string; architecture: string; variant?: string } };
  Available: boolean;
  Kind: string;
  ImageData?: { Platform: { os: string; architecture: string; variant?: string }; Containers?: string[] };
  /** Kind "attestation": the image manifest it is about (API 1.48+). */
  AttestationData?: { For: string };
}

export interface EngineInfo {
  DriverStatus?: [string, string][] | null;
  Driver?: string;
}

export class DockerEngine {
  private apiVersion: string | undefined;

  private constructor(
    private readonly client: Client,
    readonly host: string,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): DockerEngine {
    const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
    if (host.startsWith('unix://')) {
      const socketPath = host.slice('unix://'.length);
      return new DockerEngine(new Client('http://localhost', { socketPath, headersTimeout: 60_000, bodyTimeout: 60_000 }), host);
    }
    if (host.startsWith('tcp://') || host.startsWith('http://')) {
      if (env.DOCKER_TLS_VERIFY) {
        throw new VerifyImageError('local', (w) => `DOCKER_HOST ${host} with TLS is not supported yet: use a unix socket, or ${w.setting('local-image', 'none')}`);
      }
      return new DockerEngine(new Client(host.replace(/^tcp:/, 'http:'), { headersTimeout: 60_000, bodyTimeout: 60_000 }), host);
    }
    throw new VerifyImageError('local', `DOCKER_HOST ${host} is not supported: use unix:///path/to/docker.sock or tcp://host:port`);
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  private async request(path: string): Promise<Awaited<ReturnType<Client['request']>>> {
    try {
      return await this.client.request({ method: 'GET', path: `${this.prefix()}${path}` });
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
      throw new VerifyImageError(
        'local',
        (w) => `no Docker daemon answers at ${this.host} (${code}): start Docker, set DOCKER_HOST, or set ${w.setting('local-image', 'none')} to skip the local comparison`,
      );
    }
  }

  private async get<T>(path: string, allow404 = false): Promise<T | undefined> {
    const res = await this.request(path);
    const text = await res.body.text();
    if (res.statusCode === 404 && allow404) return undefined;
    if (res.statusCode !== 200) throw this.failure(res.statusCode, path, text);
    return JSON.parse(text) as T;
  }

  private failure(status: number, path: string, text: string): VerifyImageError {
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // plain text error
    }
    return new VerifyImageError('local', `Docker daemon answered ${status} for ${path.split('?')[0]}: ${message.slice(0, 200)}`);
  }

  private prefix(): string {
    return this.apiVersion ? `/v${this.apiVersion}` : '';
  }

  /** The daemon's API version; requests are pinned to it so newer query parameters are used only when offered. */
  async version(): Promise<string> {
    if (!this.apiVersion) {
      const v = await this.get<{ ApiVersion: string }>('/version');
      this.apiVersion = v?.ApiVersion;
    }
    return this.apiVersion ?? '1.24';
  }

  async info(): Promise<EngineInfo> {
    return (await this.get<EngineInfo>('/info')) ?? {};
  }

  /** `GET /images/{name}/json`, undefined when the image does not exist. */
  async inspectImage(name: string, query: Record<string, string> = {}): Promise<EngineImage | undefined> {
    const qs = new URLSearchParams(query).toString();
    return this.get<EngineImage>(`/images/${imagePath(name)}/json${qs ? `?${qs}` : ''}`, true);
  }

  /** `GET /images/{name}/history`, undefined when the image does not exist. */
  async imageHistory(name: string): Promise<EngineHistoryEntry[] | undefined> {
    return this.get<EngineHistoryEntry[]>(`/images/${imagePath(name)}/history`, true);
  }

  /** `GET /images/{name}/get`: what `docker save` writes, as the stream the daemon sends it. */
  async exportImage(name: string): Promise<Readable> {
    const path = `/images/${imagePath(name)}/get`;
    const res = await this.request(path);
    if (res.statusCode !== 200) throw this.failure(res.statusCode, path, (await res.body.text()).slice(0, 4096));
    return res.body;
  }
}

// Docker's own client sends the name unescaped; escape only what could break the path.
function imagePath(name: string): string {
  return name.replace(/[^A-Za-z0-9._\-/:@]/g, (c) => encodeURIComponent(c));
}

/** True when the daemon stores images in containerd (Id is then a manifest or index digest). */
export function usesContainerdStore(info: EngineInfo): boolean {
  return (info.DriverStatus ?? []).some(([key, value]) => key === 'driver-type' && value === 'io.containerd.snapshotter.v1');
}

export function apiAtLeast(version: string, wanted: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = wanted.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

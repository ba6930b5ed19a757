// The parts of undici we use — Agent, Client, request() and its error classes — imported from
// undici's own modules instead of its main entry. The main entry loads all of undici (fetch,
// WebSocket, cache, mocks, cookies: over 1 MB of the bundle) and touches globalThis.Headers,
// which makes Node load its built-in copy of undici as well; every run paid for both before it
// sent a request (issue 15, fast start). The behaviour is undici's: these are the same classes,
// and request() below is what undici's main entry builds around the same function.

import { setFlagsFromString } from 'node:v8';
import type { Dispatcher } from 'undici';
import apiRequest from 'undici/lib/api/api-request.js';
import errorClasses from 'undici/lib/core/errors.js';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import ClientClass from 'undici/lib/dispatcher/client.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';

export type { Dispatcher } from 'undici';
export type Agent = InstanceType<typeof AgentClass>;
export const Agent = AgentClass;
export type Client = InstanceType<typeof ClientClass>;
export const Client = ClientClass;
export const errors = errorClasses;

// undici parses HTTP with llhttp compiled to WebAssembly, once per process, on the first
// connection. V8 compiles it twice: at once with its baseline compiler (Liftoff), then again in
// the background with its optimizing one (TurboFan), whose work memory is what a metadata-only
// run peaked on: 36 MiB of 93 on Node 20, 10-20 MiB on Node 24 (issue 15, the memory floor).
// The baseline code is enough for our traffic: llhttp reads headers and frames bodies, and it
// hands body bytes on without touching each of them. Set before any connection; it applies to
// WebAssembly only, and this process compiles no other. Set at run time, --liftoff-only alone no
// longer implies the other two on Node 24: all three are spelled out.
setFlagsFromString('--liftoff-only --no-wasm-tier-up --no-wasm-dynamic-tiering');

// undici's main entry gives every dispatcher (Agent, Client, Pool) its request() method this
// way; without it, `client.request(…)` would not exist. The same function, so loading the main
// entry as well (tests do) changes nothing.
if (!Object.hasOwn(DispatcherClass.prototype, 'request')) Object.defineProperty(DispatcherClass.prototype, 'request', { value: apiRequest, writable: true, configurable: true });

export type RequestOptions = { dispatcher: Dispatcher } & Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & Partial<Pick<Dispatcher.RequestOptions, 'method'>>;

/** undici's request(url, options) with an explicit dispatcher: its origin, path and method rules. */
export function request(url: string | URL, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const target = typeof url === 'string' ? new URL(url) : url;
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: rest.method ?? (rest.body ? 'PUT' : 'GET'),
  });
}

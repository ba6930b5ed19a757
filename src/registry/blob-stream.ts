// A blob body that survives a broken connection: when the stream breaks off (reset, truncation,
// a stalled CDN), it asks again with `Range: bytes=N-` and carries on from byte N. Blobs are
// content-addressed, so a resumed stream is still one blob — and whoever consumes it hashes every
// byte against the descriptor anyway, so a server that resumes with other bytes is caught there,
// never passed. A server that ignores Range (200) has its first N bytes skipped; one that resumes
// from the wrong offset is refused.

import { Readable } from 'node:stream';
import { VerifyImageError } from '../errors.js';
import { backoffDelay, DEFAULT_RETRY } from './backoff.js';
import { bodyError, discard, header, isTransientBodyError, sleep, type HttpResponse, type ResponseBody } from './http.js';

export interface ResumeOptions {
  /** Resumptions allowed after the first response. */
  resumes: number;
  /** What is being read, for messages: `blob sha256:… of ghcr.io/acme/app`. */
  what: string;
}

/**
 * Wraps `first` so that a transient break in its body is repaired by `reopen(offset)`, which
 * must send the same request with `Range: bytes=offset-` and return the raw response.
 */
export function resumableBody(first: HttpResponse, reopen: (offset: number) => Promise<HttpResponse>, opts: ResumeOptions): ResponseBody {
  async function* bytes(): AsyncGenerator<Buffer> {
    let res = first;
    let offset = 0;
    let skip = 0;
    for (let resumes = 0; ; ) {
      try {
        for await (const chunk of res.body) {
          let buf = chunk as Buffer;
          if (skip > 0) {
            if (buf.length <= skip) {
              skip -= buf.length;
              continue;
            }
            buf = buf.subarray(skip);
            skip = 0;
          }
          offset += buf.length;
          yield buf;
        }
        return;
      } catch (err) {
        if (!isTransientBodyError(err) || resumes >= opts.resumes) throw bodyError(err, res, opts.what);
        resumes++;
        await sleep(backoffDelay(resumes, DEFAULT_RETRY));
        res = await reopen(offset);
        if (res.status === 206) {
          const start = /^bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1];
          if (start === undefined || Number(start) !== offset) {
            await discard(res);
            throw new VerifyImageError(
              'protocol',
              `${new URL(res.url).host} resumed ${opts.what} at the wrong place (asked for byte ${offset}, got "${header(res, 'content-range') ?? 'no Content-Range'}"): try again later`,
            );
          }
        } else if (res.status === 200) {
          skip = offset; // the server ignored Range and starts over: drop what we already passed on
        } else {
          await discard(res);
          throw new VerifyImageError('unreachable', `${new URL(res.url).host} answered HTTP ${res.status} when asked to resume ${opts.what}: try again later`);
        }
      }
    }
  }
  const stream = Readable.from(bytes(), { objectMode: false });
  return Object.assign(stream, {
    dump: async (): Promise<void> => {
      stream.destroy();
    },
  });
}

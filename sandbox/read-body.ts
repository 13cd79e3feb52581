import type { IncomingMessage } from 'node:http';

/** What readBody answers for a body over the limit. */
export const TOO_LARGE = Symbol('too large');

/**
 * Reads the whole body, or answers TOO_LARGE without buffering more than the limit. Past the
 * limit the request is paused, not destroyed, so the 413 can still be written (with
 * `connection: close`, which makes Node drop the connection after it).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_LARGE> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve(TOO_LARGE);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    // A client that disconnects mid-body: no 'end' will ever come.
    req.once('close', () => reject(new Error('the client closed the connection before the body ended')));
  });
}

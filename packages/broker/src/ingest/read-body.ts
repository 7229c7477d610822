import type { IncomingMessage } from 'node:http';

/** The body was larger than allowed. */
export const TOO_LARGE = Symbol('too large');

/**
 * Reads a request body of at most `maxBytes`. A declared `Content-Length` over the limit is
 * refused before a byte is read; a body that grows past it (chunked, or lying) stops being
 * buffered at the limit. Resolves `TOO_LARGE` then, the body otherwise.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | typeof TOO_LARGE> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        // Keep reading to the end without buffering, so the 413 answer reaches the sender.
        req.resume();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

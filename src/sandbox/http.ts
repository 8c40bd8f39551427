/**
 * Small HTTP helpers every cloud's listener in the sandbox uses (AWS and GCP share the plain HTTP
 * server; Azure has its own HTTPS one).
 */
import type { IncomingMessage } from 'node:http';

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The path with each segment percent-decoded (left as is when it is not valid encoding). */
export function decodePath(pathname: string): string {
  try {
    return pathname
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return pathname;
  }
}

/** The request body, or undefined when it grew past `max` bytes (the request is then destroyed). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

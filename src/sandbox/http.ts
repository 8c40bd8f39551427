/**
 * Small HTTP helpers the sandbox's listeners share (the shared plain HTTP listener of server.ts
 * and any listener of a cloud's own).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Answers with a body and its content-length. */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': String(data.length) });
  res.end(data);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, { 'content-type': 'application/json' }, JSON.stringify(value));
}

/** The first ~60% of a body: never a well-formed document (the `malformed` fault). */
export function truncate(body: string | Buffer): Buffer {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return data.subarray(0, Math.max(1, Math.floor(data.length * 0.6)));
}

/**
 * Response helpers of the service: every answer carries hardening headers, the viewer page
 * a strict Content-Security-Policy (issue 8: no inline script, model strings shown as text),
 * and errors are JSON `{ "error": "…" }` with a one-line reason.
 */
import type { ServerResponse } from 'node:http';
import { PdsegError } from '../errors.js';

/** The viewer page's policy: scripts, styles and fetches only from this server. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The policy of every other response (JSON, model bytes, assets): nothing may run. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** Headers sent with every response. */
export function baseHeaders(csp: string = DATA_CSP): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Sets `headers` on `res` (so the request log can read them back) and writes the status line. */
export function writeHead(res: ServerResponse, status: number, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(status);
}

/** Sends `body` (omitted for HEAD) with a Content-Length and the hardening headers. */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  writeHead(res, status, {
    ...baseHeaders(),
    'Content-Type': contentType,
    'Content-Length': String(bytes.byteLength),
    ...headers,
  });
  if (res.req.method === 'HEAD') res.end();
  else res.end(bytes);
}

/** Sends a JSON value. */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, {
    'Cache-Control': 'no-store',
    ...headers,
  });
}

/** An HTTP failure with the status to answer and a one-line reason for the client. */
export class HttpError extends PdsegError {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super('SERVICE', message);
    this.status = status;
    this.headers = headers;
  }
}

/** Sends `{ error }` with the status of an {@link HttpError}. */
export function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { error: e.message }, e.headers);
}

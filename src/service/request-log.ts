/**
 * One log entry per request (issue 8: method, path, status, bytes, ms). The server hands
 * entries to a callback; the CLI prints them with {@link formatRequestLog}.
 */

/** What the server reports about one finished (or abandoned) request. */
export interface RequestLogEntry {
  /** ISO 8601 time the request arrived. */
  time: string;
  client: string;
  method: string;
  /** Path and query as received, percent-encoded, at most 200 characters. */
  path: string;
  status: number;
  /** Request body bytes read. */
  bytesIn: number;
  /** Response body bytes announced (Content-Length; 0 for HEAD). */
  bytesOut: number;
  ms: number;
  /** The client went away before the response was complete. */
  aborted: boolean;
}

/** Receiver of {@link RequestLogEntry} values. */
export type RequestLogSink = (entry: RequestLogEntry) => void;

/** Formats an entry as one line: `2026-… 127.0.0.1 POST /api/models 201 in=1234 out=96 12ms`. */
export function formatRequestLog(e: RequestLogEntry): string {
  return (
    `${e.time} ${e.client} ${e.method} ${e.path} ${e.status} in=${e.bytesIn} out=${e.bytesOut} ` +
    `${e.ms}ms${e.aborted ? ' aborted' : ''}`
  );
}

/** Makes request text safe for a one-line log: printable ASCII only, bounded length. */
export function logSafe(text: string, max = 200): string {
  const clean = text.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

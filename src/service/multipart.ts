/**
 * A streaming `multipart/form-data` reader (RFC 7578 / RFC 2046 §5.1) for uploads: it never
 * holds more than one chunk plus the delimiter's length, so a 100 MB part streams to disk
 * as it arrives. {@link MultipartReader.push} turns each network chunk into events.
 */
import { PdsegError } from '../errors.js';

/** One thing the reader found in the body. */
export type MultipartEvent =
  | { type: 'part'; name: string; fileName?: string; contentType?: string }
  | { type: 'data'; data: Uint8Array }
  | { type: 'part-end' };

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** Extracts the boundary from a `multipart/form-data; boundary=…` content type, if it is one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType.trim())) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function bad(message: string): PdsegError {
  return new PdsegError('SERVICE', `malformed multipart body: ${message}`, { exitCode: 2 });
}

/** Reads a Content-Disposition parameter (`name`, `filename`), quoted or not. */
function dispositionParam(value: string, key: string): string | undefined {
  const re = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
  const m = re.exec(value);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'epilogue';

/** Incremental multipart reader; feed it chunks with `push`, then call `end`. */
export class MultipartReader {
  readonly #delimiter: Buffer;
  #state: State = 'preamble';
  // A virtual CRLF in front lets the first boundary match the same "\r\n--b" delimiter.
  #pending: Buffer = Buffer.from(CRLF);

  constructor(boundary: string) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** Consumes `chunk` and returns the events it completes, in order. */
  push(chunk: Uint8Array): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : Buffer.from(chunk);
    for (;;) {
      const before = this.#state;
      const size = this.#pending.length;
      this.#step(events);
      if (this.#state === before && this.#pending.length === size) return events;
    }
  }

  /** Checks that the closing boundary was seen. */
  end(): void {
    if (this.#state !== 'epilogue') throw bad('the body ended before the closing boundary');
  }

  #step(events: MultipartEvent[]): void {
    const buf = this.#pending;
    const d = this.#delimiter;
    switch (this.#state) {
      case 'preamble': {
        const i = buf.indexOf(d);
        if (i < 0) {
          this.#pending = buf.subarray(Math.max(0, buf.length - d.length + 1));
          return;
        }
        this.#pending = buf.subarray(i + d.length);
        this.#state = 'after-delimiter';
        return;
      }
      case 'after-delimiter': {
        // "--" closes the body; otherwise optional transport padding, then CRLF.
        if (buf.length < 2) return;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          this.#state = 'epilogue';
          this.#pending = Buffer.alloc(0);
          return;
        }
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 256) throw bad('no line end after a boundary');
          return;
        }
        if (buf.subarray(0, eol).toString('latin1').trim() !== '') throw bad('text after a boundary');
        this.#pending = buf.subarray(eol + 2);
        this.#state = 'headers';
        return;
      }
      case 'headers': {
        // The header block ends at an empty line; a part with no headers starts with CRLF.
        const end = buf.subarray(0, 2).equals(CRLF) ? 0 : buf.indexOf(HEADER_END);
        if (end < 0) {
          if (buf.length > MAX_HEADER_BYTES) throw bad(`part headers longer than ${MAX_HEADER_BYTES} bytes`);
          return;
        }
        const text = buf.subarray(0, end).toString('utf8');
        this.#pending = buf.subarray(end === 0 ? 2 : end + 4);
        events.push(this.#part(text));
        this.#state = 'body';
        return;
      }
      case 'body': {
        const i = buf.indexOf(d);
        if (i < 0) {
          const keep = Math.min(buf.length, d.length - 1);
          if (buf.length > keep) events.push({ type: 'data', data: buf.subarray(0, buf.length - keep) });
          this.#pending = buf.subarray(buf.length - keep);
          return;
        }
        if (i > 0) events.push({ type: 'data', data: buf.subarray(0, i) });
        events.push({ type: 'part-end' });
        this.#pending = buf.subarray(i + d.length);
        this.#state = 'after-delimiter';
        return;
      }
      case 'epilogue':
        this.#pending = Buffer.alloc(0);
        return;
    }
  }

  #part(text: string): MultipartEvent {
    const headers = new Map<string, string>();
    for (const line of text.split('\r\n')) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0) throw bad(`part header line '${line.slice(0, 80)}' has no name`);
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition');
    if (!disposition || !/^form-data\b/i.test(disposition)) {
      throw bad('a part has no "Content-Disposition: form-data" header');
    }
    const name = dispositionParam(disposition, 'name');
    if (name === undefined) throw bad('a part has no field name');
    const fileName = dispositionParam(disposition, 'filename');
    const contentType = headers.get('content-type');
    return {
      type: 'part',
      name,
      ...(fileName !== undefined ? { fileName } : {}),
      ...(contentType ? { contentType } : {}),
    };
  }
}

import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { type MultipartEvent, MultipartReader, multipartBoundary } from '../../src/service/multipart.js';

const B = 'XyZ-boundary-42';

function body(parts: string[]): Buffer {
  return Buffer.from(
    `preamble to ignore\r\n${parts.map((p) => `--${B}\r\n${p}\r\n`).join('')}--${B}--\r\nepilogue`,
    'latin1',
  );
}

/** Feeds `bytes` in pieces of `size` and collects the parts with their concatenated data. */
function parse(bytes: Buffer, size: number) {
  const reader = new MultipartReader(B);
  const events: MultipartEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) events.push(...reader.push(bytes.subarray(i, i + size)));
  reader.end();
  const parts: Array<{ name: string; fileName?: string; contentType?: string; data: string }> = [];
  for (const e of events) {
    if (e.type === 'part') {
      const { type: _t, ...rest } = e;
      parts.push({ ...rest, data: '' });
    } else if (e.type === 'data') parts[parts.length - 1]!.data += Buffer.from(e.data).toString('latin1');
  }
  return parts;
}

describe('multipartBoundary', () => {
  it('reads quoted and bare boundaries of form-data only', () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/octet-stream')).toBeUndefined();
    expect(multipartBoundary(undefined)).toBeUndefined();
  });
});

describe('MultipartReader', () => {
  // Data that contains near-misses of the delimiter, and CRLFs.
  const tricky = `\r\n--${B.slice(0, -1)}x\r\n-\r\n--\r\n${'\u00ff'.repeat(3)}`;
  const bytes = body([
    'Content-Disposition: form-data; name="note"\r\n\r\nhello',
    `Content-Disposition: form-data; name="model"; filename="a \\"b\\".onnx"\r\nContent-Type: application/octet-stream\r\n\r\n${tricky}`,
    'Content-Disposition: form-data; name="empty"\r\n\r\n',
  ]);
  const expected = [
    { name: 'note', data: 'hello' },
    { name: 'model', fileName: 'a "b".onnx', contentType: 'application/octet-stream', data: tricky },
    { name: 'empty', data: '' },
  ];

  it('finds every part whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 5, 7, 16, 17, 64, bytes.length]) {
      expect(parse(bytes, size), `chunks of ${size}`).toEqual(expected);
    }
  });

  it('reports a body cut before the closing boundary', () => {
    const reader = new MultipartReader(B);
    reader.push(bytes.subarray(0, bytes.length - 20));
    let err: unknown;
    try {
      reader.end();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PdsegError);
    expect((err as PdsegError).code).toBe('SERVICE');
    expect((err as PdsegError).message).toContain('before the closing boundary');
  });

  it('rejects a part without Content-Disposition', () => {
    const reader = new MultipartReader(B);
    expect(() => reader.push(Buffer.from(`--${B}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${B}--`))).toThrow(
      /no "Content-Disposition: form-data" header/,
    );
  });

  it('keeps at most one chunk plus the delimiter while streaming a large part', () => {
    const reader = new MultipartReader(B);
    reader.push(Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="model"\r\n\r\n`));
    const chunk = Buffer.alloc(65536, 0x41);
    let emitted = 0;
    for (let i = 0; i < 64; i++) {
      for (const e of reader.push(chunk)) if (e.type === 'data') emitted += e.data.byteLength;
      // Everything but the last delimiter-length bytes has been handed on.
      expect((i + 1) * chunk.length - emitted).toBeLessThan(B.length + 4);
    }
  });
});

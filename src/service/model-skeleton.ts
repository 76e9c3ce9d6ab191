/**
 * Reads the structure of an ONNX file without its weights (issue 8: a 100 MB upload never
 * sits whole in memory). It walks the protobuf fields of the file on disk, copies every
 * ModelProto field except the graph's initializers (GraphProto fields 5 and 15), and
 * returns a smaller, still valid ModelProto: same nodes, inputs, outputs, opsets and
 * metadata. Weights are skipped by seeking, never read.
 */
import { type FileHandle, open } from 'node:fs/promises';

/** GraphProto fields holding weights: `initializer` and `sparse_initializer`. */
const WEIGHT_FIELDS = new Set([5, 15]);
const WINDOW = 64 * 1024;

class NotOnnx extends Error {}

/** Sequential reader over a file with a small read window; lengths are checked against EOF. */
class FileScanner {
  pos = 0;
  readonly #fh: FileHandle;
  readonly #size: number;
  readonly #window = Buffer.alloc(WINDOW);
  #start = 0;
  #end = 0;

  constructor(fh: FileHandle, size: number) {
    this.#fh = fh;
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  async #byte(): Promise<number> {
    if (this.pos >= this.#size) throw new NotOnnx('varint runs past the end');
    if (this.pos < this.#start || this.pos >= this.#end) {
      const { bytesRead } = await this.#fh.read(this.#window, 0, WINDOW, this.pos);
      this.#start = this.pos;
      this.#end = this.pos + bytesRead;
    }
    return this.#window[this.pos++ - this.#start]!;
  }

  async varint(): Promise<number> {
    let result = 0;
    for (let i = 0; i < 10; i++) {
      const b = await this.#byte();
      result += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) return result;
    }
    throw new NotOnnx('varint longer than 10 bytes');
  }

  /** Advances past the value of a field of wire type `wt`. */
  async skipValue(wt: number): Promise<void> {
    if (wt === 0) await this.varint();
    else if (wt === 1) this.advance(8);
    else if (wt === 5) this.advance(4);
    else if (wt === 2) this.advance(await this.varint());
    else throw new NotOnnx(`wire type ${wt}`);
  }

  advance(n: number): void {
    if (this.pos + n > this.#size) throw new NotOnnx('field runs past the end');
    this.pos += n;
  }

  async readAt(offset: number, n: number): Promise<Uint8Array> {
    const out = Buffer.alloc(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.#fh.read(out, done, n - done, offset + done);
      if (bytesRead === 0) throw new NotOnnx('file ended early');
      done += bytesRead;
    }
    return out;
  }
}

function varintBytes(v: number): Uint8Array {
  const out: number[] = [];
  let x = v;
  while (x >= 0x80) {
    out.push((x % 0x80) | 0x80);
    x = Math.floor(x / 0x80);
  }
  out.push(x);
  return Uint8Array.from(out);
}

/**
 * The ONNX file at `path` without initializer data, or `undefined` when the file is not
 * shaped like an ONNX ModelProto (no graph field, broken wire format). The caller then
 * judges the file with the full decoders, which give the precise reason.
 */
export async function onnxSkeleton(path: string): Promise<Uint8Array | undefined> {
  const fh = await open(path, 'r');
  try {
    const s = new FileScanner(fh, (await fh.stat()).size);
    const parts: Uint8Array[] = [];
    let sawGraph = false;
    while (s.pos < s.size) {
      const start = s.pos;
      const key = await s.varint();
      const field = Math.floor(key / 8);
      const wt = key % 8;
      if (field === 0) throw new NotOnnx('field number 0');
      if (field === 7 && wt === 2) {
        const len = await s.varint();
        const end = s.pos + len;
        if (end > s.size) throw new NotOnnx('graph runs past the end');
        const graph: Uint8Array[] = [];
        let graphLen = 0;
        while (s.pos < end) {
          const fieldStart = s.pos;
          const subKey = await s.varint();
          const sub = Math.floor(subKey / 8);
          await s.skipValue(subKey % 8);
          if (s.pos > end) throw new NotOnnx('graph field runs past the graph');
          if (WEIGHT_FIELDS.has(sub)) continue;
          const raw = await s.readAt(fieldStart, s.pos - fieldStart);
          graph.push(raw);
          graphLen += raw.length;
        }
        parts.push(varintBytes(key), varintBytes(graphLen), ...graph);
        sawGraph = true;
        continue;
      }
      await s.skipValue(wt);
      parts.push(await s.readAt(start, s.pos - start));
    }
    return sawGraph ? Buffer.concat(parts) : undefined;
  } catch (e) {
    if (e instanceof NotOnnx) return undefined;
    throw e;
  } finally {
    await fh.close();
  }
}

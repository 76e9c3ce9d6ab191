/**
 * A {@link PickleSource} that reads a pickle file piecewise through a small window, and
 * leaves byte payloads of at least `spanThreshold` bytes in the file as {@link FileSpan}s
 * (seeking past them). Opening a 187 MB `model.pdparams` thus reads only its few kilobytes
 * of pickle opcodes; array data is read later, one array at a time.
 */
import { readSync } from 'node:fs';
import { FileSpan, type PickleSource } from './pickle.js';

const WINDOW = 64 * 1024;

/** Piecewise reader over an open file descriptor of known size. */
export class FilePickleSource implements PickleSource {
  pos = 0;
  private window = new Uint8Array(WINDOW);
  private windowStart = 0;
  private windowEnd = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
    private readonly spanThreshold = 4096,
  ) {}

  /** Makes bytes [pos, pos + n) available in the window; false at the end of the file. */
  private fill(n: number): boolean {
    if (this.pos + n > this.size) return false;
    if (this.pos >= this.windowStart && this.pos + n <= this.windowEnd) return true;
    if (n > this.window.length) this.window = new Uint8Array(Math.max(n, this.window.length * 2));
    const want = Math.min(this.window.length, this.size - this.pos);
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd, this.window, got, want - got, this.pos + got);
      if (r === 0) break;
      got += r;
    }
    this.windowStart = this.pos;
    this.windowEnd = this.pos + got;
    return this.pos + n <= this.windowEnd;
  }

  take(n: number): Uint8Array | undefined {
    if (!this.fill(n)) return undefined;
    const at = this.pos - this.windowStart;
    this.pos += n;
    return this.window.subarray(at, at + n);
  }

  payload(n: number): Uint8Array | FileSpan | undefined {
    if (n >= this.spanThreshold) {
      if (this.pos + n > this.size) return undefined;
      const span = new FileSpan(this.pos, n);
      this.pos += n;
      return span;
    }
    return this.take(n)?.slice();
  }

  line(): Uint8Array | undefined {
    for (let n = 1; this.pos + n <= this.size && n <= 4096; n++) {
      if (!this.fill(n)) return undefined;
      const at = this.pos - this.windowStart;
      if (this.window[at + n - 1] === 0x0a) {
        const out = this.window.slice(at, at + n - 1);
        this.pos += n;
        return out;
      }
    }
    return undefined;
  }
}

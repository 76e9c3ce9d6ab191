import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { tempDir } from '../helpers.js';

let work: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  work = await tempDir();
});
afterEach(() => work.cleanup());

/** 3,000 small chunks around three large ones: more than one vectored write's worth. */
function chunks(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < 3000; i++) {
    out.push(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 7));
    if (i % 1000 === 500) out.push(new Uint8Array(5_000_000).fill(i % 251));
  }
  return out;
}

describe('writeFileAtomic', () => {
  it('writes many chunks in order, exactly', async () => {
    const path = join(work.dir, 'model.onnx');
    const parts = chunks();
    await writeFileAtomic(path, parts);
    const expected = Buffer.concat(parts);
    const got = readFileSync(path);
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
    expect(readdirSync(work.dir)).toEqual(['model.onnx']);
  });

  it('leaves the old file and no temporary file when the data source fails', async () => {
    const path = join(work.dir, 'model.onnx');
    writeFileSync(path, 'old');
    async function* failing() {
      yield new Uint8Array(10);
      throw new Error('source broke');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('source broke');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(work.dir)).toEqual(['model.onnx']);
  });
});

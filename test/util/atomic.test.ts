import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPdsegError } from '../../src/errors.js';
import { ensureOutputDir, writeFileAtomic } from '../../src/util/atomic.js';
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

describe('writeFileAtomic: leftovers of dead writers, filesystem errors', () => {
  it('removes the temp files of processes that are gone, keeps those of live ones', async () => {
    const t = await tempDir('pdseg-atomic-stale-');
    try {
      const target = join(t.dir, 'model.onnx');
      // pid 1 is alive; a pid above the kernel's pid_max (4194304) never is.
      await writeFile(join(t.dir, '.model.onnx.tmp-4194999-dead'), 'x');
      await writeFile(join(t.dir, '.model.onnx.tmp-1-live'), 'x');
      await writeFile(join(t.dir, '.other.onnx.tmp-4194999-dead'), 'x');
      await writeFileAtomic(target, 'new');
      expect((await readdir(t.dir)).sort()).toEqual([
        '.model.onnx.tmp-1-live',
        '.other.onnx.tmp-4194999-dead',
        'model.onnx',
      ]);
    } finally {
      await t.cleanup();
    }
  });

  it('a path under a regular file is an IO error naming the path and the reason', async () => {
    const t = await tempDir('pdseg-atomic-enotdir-');
    try {
      await writeFile(join(t.dir, 'file'), 'x');
      let caught: unknown;
      try {
        await writeFileAtomic(join(t.dir, 'file', 'model.onnx'), 'x');
      } catch (e) {
        caught = e;
      }
      expect(isPdsegError(caught, 'IO')).toBe(true);
      expect((caught as Error).message).toContain('a part of the path is a file, not a folder (ENOTDIR)');
      let dirErr: unknown;
      try {
        await ensureOutputDir(join(t.dir, 'file', 'sub'), 'FREEZE.SAVE_DIR');
      } catch (e) {
        dirErr = e;
      }
      expect((dirErr as Error).message).toContain('FREEZE.SAVE_DIR folder');
      await expect(ensureOutputDir('/proc/self/out', 'FREEZE.SAVE_DIR')).rejects.toThrow(
        /kernel pseudo-filesystem/,
      );
    } finally {
      await t.cleanup();
    }
  });
});
